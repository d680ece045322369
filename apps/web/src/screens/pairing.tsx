import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Field } from '../components/field';

export interface HandPair {
  a: string;
  b: string;
}
interface Member {
  email: string;
  name: string;
}

/**
 * Pairing by hand before a round starts: pick a student for each role and add the pair; swap or remove
 * pairs. Whoever is left out is paired at random when the round starts (a single one meets the AI).
 * The pairs go with the round's start (POST /api/sessions/:id/rounds {pairs}).
 */
export function HandPairing({
  members,
  scenarioId,
  pairs,
  onChange,
  fallback,
}: {
  members: Member[];
  scenarioId: string | undefined;
  pairs: HandPair[];
  onChange(pairs: HandPair[]): void;
  /** What happens to students left out (or without any pair): "paired at random", "swap roles with new partners". */
  fallback: string;
}) {
  const roles = useRoles(scenarioId);
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const [error, setError] = useState('');
  const placed = new Set(pairs.flatMap((p) => [p.a, p.b]));
  const free = members.filter((m) => !placed.has(m.email));
  const nameOf = (email: string) => (email === 'ai' ? 'the AI' : (members.find((m) => m.email === email)?.name ?? email));
  // a pair whose student has left the session (removed account) is dropped from the choice
  useEffect(() => {
    const known = new Set(members.map((m) => m.email));
    const kept = pairs.filter((p) => known.has(p.a) && (p.b === 'ai' || known.has(p.b)));
    if (kept.length !== pairs.length) onChange(kept);
  }, [members.map((m) => m.email).join(',')]);

  function add(e: Event) {
    e.preventDefault();
    if (!first || !second) return setError(`Choose a student for each role: the ${roles.a} and the ${roles.b}.`);
    if (first === second) return setError(`${nameOf(first)} cannot negotiate with themselves: choose two different students.`);
    if (placed.has(first) || placed.has(second))
      return setError(`${nameOf(placed.has(first) ? first : second)} is already in a pair: remove that pair first.`);
    setError('');
    onChange([...pairs, { a: first, b: second }]);
    setFirst('');
    setSecond('');
  }
  const leftOver =
    free.length === 0
      ? 'Everyone is paired.'
      : free.length === 1
        ? `${free[0].name} is not paired: they will negotiate with the AI (as the ${roles.a}).`
        : `${free.length} students are not paired yet: ${free.map((m) => m.name).join(', ')}. ${
            pairs.length ? 'They will be paired at random when the round starts.' : `Without any pair, the round will ${fallback}.`
          }`;
  return (
    <div class="hand-pairing">
      <form class="pair-form" aria-label="Pair two students" noValidate onSubmit={add}>
        <Field label={`The ${roles.a}`}>
          <select value={first} onChange={(e) => setFirst(e.currentTarget.value)}>
            <option value="">Choose a student…</option>
            {free.map((m) => (
              <option key={m.email} value={m.email}>
                {m.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={`The ${roles.b}`}>
          <select value={second} onChange={(e) => setSecond(e.currentTarget.value)}>
            <option value="">Choose a student…</option>
            {free.map((m) => (
              <option key={m.email} value={m.email}>
                {m.name}
              </option>
            ))}
            <option value="ai">The AI</option>
          </select>
        </Field>
        <button type="submit" disabled={!free.length}>
          Add pair
        </button>
      </form>
      <p class="form-error" role="alert">
        {error}
      </p>
      {pairs.length ? (
        <ol class="pair-list" aria-label="Pairs for the next round">
          {pairs.map((p, i) => (
            <li key={`${p.a}-${p.b}`} data-pair={`${p.a} ${p.b}`}>
              <span class="pair-names">
                <strong>{nameOf(p.a)}</strong> ({roles.a}) with <strong>{nameOf(p.b)}</strong> ({roles.b})
              </span>{' '}
              <span class="buttons">
                {p.b !== 'ai' ? (
                  <button
                    type="button"
                    aria-label={`Swap roles of ${nameOf(p.a)} and ${nameOf(p.b)}`}
                    onClick={() => onChange(pairs.map((q, k) => (k === i ? { a: q.b, b: q.a } : q)))}
                  >
                    Swap roles
                  </button>
                ) : null}
                <button
                  type="button"
                  aria-label={`Remove the pair ${nameOf(p.a)} and ${nameOf(p.b)}`}
                  onClick={() => onChange(pairs.filter((_, k) => k !== i))}
                >
                  Remove
                </button>
              </span>
            </li>
          ))}
        </ol>
      ) : null}
      <p class="pair-left muted" role="status">
        {leftOver}
      </p>
    </div>
  );
}

/** The two role names of the next round's scenario ("buyer", "seller"); generic words until it loads. */
function useRoles(scenarioId: string | undefined): { a: string; b: string } {
  const [roles, setRoles] = useState({ a: 'first role', b: 'second role' });
  useEffect(() => {
    if (!scenarioId) return;
    let stopped = false;
    api<{ student_role: string; ai_role: string }>('GET', `/api/scenarios/${encodeURIComponent(scenarioId)}`)
      .then((s) => !stopped && setRoles({ a: s.student_role, b: s.ai_role }))
      .catch(() => undefined);
    return () => {
      stopped = true;
    };
  }, [scenarioId]);
  return roles;
}
