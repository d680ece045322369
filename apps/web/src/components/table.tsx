import type { ComponentChildren } from 'preact';

/**
 * A wide table: focusable so a keyboard can scroll it, with a hint on narrow screens where the
 * columns overflow. `numeric`: the columns (by index) that hold numbers.
 */
export function ScrollTable({
  caption,
  head,
  numeric = [],
  children,
}: {
  caption: string;
  head: ComponentChildren[];
  numeric?: number[];
  children: ComponentChildren;
}) {
  return (
    <div>
      <div class="table-wrap table-scroll" tabIndex={0} role="region" aria-label={caption}>
        <table>
          <caption class="sr-only">{caption}</caption>
          <thead>
            <tr>
              {head.map((t, i) => (
                <th key={i} scope="col" class={numeric.includes(i) ? 'num' : undefined}>
                  {t}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
      </div>
      <p class="scroll-hint" aria-hidden="true">
        Scroll sideways for more →
      </p>
    </div>
  );
}
