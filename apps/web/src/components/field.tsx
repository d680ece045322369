import type { ComponentChildren, VNode } from 'preact';
import { cloneElement } from 'preact';
import { useId } from 'preact/hooks';

/**
 * A labelled form field: <label for> + its control (given as the one child), with an optional hint and
 * an optional error (shown under the control, which is then marked invalid and described by it).
 */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: ComponentChildren;
  hint?: string;
  error?: string;
  children: VNode<{ id?: string }>;
}) {
  const id = useId();
  const controlId = children.props.id ?? id;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const errorId = error ? `${controlId}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={controlId}>{label}</label>
      {cloneElement(children, { id: controlId, 'aria-describedby': describedBy, ...(error ? { 'aria-invalid': 'true' } : {}) })}
      {hint ? (
        <span class="hint" id={hintId}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span class="field-error" id={errorId}>
          {error}
        </span>
      ) : null}
    </div>
  );
}
