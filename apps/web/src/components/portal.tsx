import { render, type ComponentChildren } from 'preact';
import { useLayoutEffect, useState } from 'preact/hooks';

/** Draws its children at the start of another part of the page (by element id) while it is mounted. */
export function Portal({ into, children }: { into: string; children: ComponentChildren }) {
  const [host] = useState(() => document.createElement('div'));
  useLayoutEffect(() => {
    document.getElementById(into)?.prepend(host);
    return () => {
      render(null, host);
      host.remove();
    };
  }, []);
  useLayoutEffect(() => render(children, host));
  return null;
}
