import type { ComponentChildren, VNode } from 'preact';
import { cloneElement } from 'preact';
import { useId } from 'preact/hooks';

/** A labelled form field: <label for> + its control (given as the one child), with an optional hint. */
export function Field({ label, hint, children }: { label: ComponentChildren; hint?: string; children: VNode<{ id?: string }> }) {
  const id = useId();
  const controlId = children.props.id ?? id;
  const hintId = hint ? `${controlId}-hint` : undefined;
  return (
    <div class="field">
      <label for={controlId}>{label}</label>
      {cloneElement(children, { id: controlId, 'aria-describedby': hintId })}
      {hint ? (
        <span class="hint" id={hintId}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}
