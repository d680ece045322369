import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { app } from '../app';
import { Field } from '../components/field';
import { toast } from '../toast';

interface Issue {
  name: string;
  label: string;
  unit?: string;
  min: number;
  max: number;
  [more: string]: unknown;
}
interface Pref {
  weight: number;
  best: number;
  worst: number;
  limit?: number;
}
interface Scenario {
  id: string;
  title: string;
  summary: string;
  student_role: string;
  ai_role: string;
  student_brief: string;
  ai_brief?: string;
  issues: Issue[];
  ai_private: {
    persona: string;
    private_facts: string[];
    prefs: Record<string, Pref>;
    reservation_utility: number;
    [more: string]: unknown;
  };
  student_private: { prefs: Record<string, Pref>; reservation_utility: number };
  [more: string]: unknown;
}
interface Listed {
  id: string;
  title: string;
  origin: 'built-in' | 'authored';
}
interface Problem {
  file: string;
  origin: string;
  path: string;
  message: string;
}
interface FieldError {
  path: string;
  message: string;
}

const scenarioPath = (id: string) => `/api/scenarios/${encodeURIComponent(id)}`;

/** #/scenarios and #/scenarios/<id>: the instructor's scenarios — broken files, list, duplicate, edit with preview. */
export function Scenarios({ param }: { param?: string }) {
  const [list, setList] = useState<Listed[] | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState('');
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  useEffect(() => {
    Promise.all([api<{ scenarios: Listed[] }>('GET', '/api/scenarios'), api<{ problems: Problem[] }>('GET', '/api/scenarios/problems')])
      .then(([l, p]) => {
        setList(l.scenarios);
        setProblems(p.problems);
      })
      .catch((e: Error) => setError(e.message));
  }, [version]);
  const duplicate = async (id: string) => {
    try {
      const { scenario } = await api<{ scenario: Scenario }>('POST', `${scenarioPath(id)}/duplicate`);
      app.scenariosChanged();
      toast(`Copied as ${scenario.id}.`);
      location.hash = `#/scenarios/${scenario.id}`;
      reload();
    } catch (e) {
      setError((e as ApiError).message);
    }
  };
  return (
    <>
      <h1 class="page-title">Scenarios</h1>
      {problems.length ? (
        <section class="card wide" aria-labelledby="problems-h">
          <h2 id="problems-h">Scenario files that cannot be used ({problems.length})</h2>
          <ul class="plain problem-list">
            {problems.map((p, n) => (
              <li key={n}>
                <strong>{p.file}</strong> ({p.origin}): <code>{p.path}</code> — {p.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {error ? <p class="form-error">{error}</p> : null}
      {param ? <Editor key={`${param}-${version}`} id={param} onSaved={reload} /> : null}
      <section class="card wide" aria-labelledby="scenarios-h">
        <h2 id="scenarios-h">All scenarios ({list?.length ?? '…'})</h2>
        <ul class="plain scenario-list">
          {list?.map((s) => (
            <li key={s.id} data-scenario={s.id}>
              <span class="scenario-title">{s.title}</span> <span class="muted">{s.id}</span>{' '}
              <span class="badge">{s.origin === 'built-in' ? 'Built-in' : 'Authored'}</span>{' '}
              {s.origin === 'authored' ? <a href={`#/scenarios/${s.id}`}>Edit</a> : null}{' '}
              <button type="button" onClick={() => duplicate(s.id)} aria-label={`Duplicate ${s.title}`}>
                Duplicate
              </button>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function Editor({ id, onSaved }: { id: string; onSaved(): void }) {
  const [draft, setDraft] = useState<Scenario | null>(null);
  const [origin, setOrigin] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState('');
  const [advanced, setAdvanced] = useState('');
  useEffect(() => {
    api<{ scenario: Scenario; origin: string }>('GET', `${scenarioPath(id)}/full`)
      .then((r) => {
        setDraft(r.scenario);
        setOrigin(r.origin);
      })
      .catch((e: Error) => setMessage(e.message));
  }, [id]);
  if (!draft) return <p class="muted">{message || 'Loading…'}</p>;
  const set = (patch: Partial<Scenario>) => setDraft({ ...draft, ...patch });
  const setIssue = (n: number, patch: Partial<Issue>) => set({ issues: draft.issues.map((i, k) => (k === n ? { ...i, ...patch } : i)) });
  const setPref = (side: 'ai_private' | 'student_private', name: string, weight: number) =>
    set({
      [side]: { ...draft[side], prefs: { ...draft[side].prefs, [name]: { ...draft[side].prefs[name], weight } } },
    } as Partial<Scenario>);
  const errorAt = (path: string) => errors.filter((e) => e.path === path || e.path.startsWith(`${path}.`));
  const Err = ({ path }: { path: string }) => (
    <>
      {errorAt(path).map((e) => (
        <span class="field-error" key={e.path + e.message}>
          {e.message}
        </span>
      ))}
    </>
  );
  const num = (v: string) => (v.trim() === '' ? NaN : Number(v));
  const save = async (e: Event) => {
    e.preventDefault();
    setErrors([]);
    setMessage('');
    try {
      await api('PUT', scenarioPath(id), draft);
      app.scenariosChanged();
      toast('Scenario saved.');
      onSaved();
    } catch (err) {
      const body = (err as ApiError).body as { errors?: FieldError[] } | undefined;
      setErrors(body?.errors ?? []);
      setMessage((err as ApiError).message);
    }
  };
  return (
    <div class="grid">
      <section class="card" aria-labelledby="edit-h">
        <h2 id="edit-h">
          Edit {draft.id} {origin === 'built-in' ? '(built-in: read-only, duplicate it to edit)' : ''}
        </h2>
        <form noValidate onSubmit={save}>
          <Field label="Title">
            <input type="text" value={draft.title} onInput={(e) => set({ title: e.currentTarget.value })} />
          </Field>
          <Err path="title" />
          <Field label="Summary">
            <textarea rows={2} value={draft.summary} onInput={(e) => set({ summary: e.currentTarget.value })} />
          </Field>
          <Err path="summary" />
          <Field label="Student's role">
            <input type="text" value={draft.student_role} onInput={(e) => set({ student_role: e.currentTarget.value })} />
          </Field>
          <Field label="Counterpart's role">
            <input type="text" value={draft.ai_role} onInput={(e) => set({ ai_role: e.currentTarget.value })} />
          </Field>
          <Field label="Student's brief">
            <textarea rows={5} value={draft.student_brief} onInput={(e) => set({ student_brief: e.currentTarget.value })} />
          </Field>
          <Err path="student_brief" />
          <Field label="Other side's brief (peer role-play)">
            <textarea rows={5} value={draft.ai_brief ?? ''} onInput={(e) => set({ ai_brief: e.currentTarget.value || undefined })} />
          </Field>
          <Err path="ai_brief" />
          <fieldset>
            <legend>Issues</legend>
            {draft.issues.map((issue, n) => (
              <div class="issue-edit" key={n} data-issue={issue.name}>
                <Field label={`Issue ${n + 1} label`}>
                  <input type="text" value={issue.label} onInput={(e) => setIssue(n, { label: e.currentTarget.value })} />
                </Field>
                <Field label={`${issue.label} unit`}>
                  <input type="text" value={issue.unit ?? ''} onInput={(e) => setIssue(n, { unit: e.currentTarget.value || undefined })} />
                </Field>
                <Field label={`${issue.label} minimum`}>
                  <input type="number" value={String(issue.min)} onInput={(e) => setIssue(n, { min: num(e.currentTarget.value) })} />
                </Field>
                <Field label={`${issue.label} maximum`}>
                  <input type="number" value={String(issue.max)} onInput={(e) => setIssue(n, { max: num(e.currentTarget.value) })} />
                </Field>
                <Field label={`${issue.label}: student's priority (weight 0–1)`}>
                  <input
                    type="number"
                    step="0.05"
                    value={String(draft.student_private.prefs[issue.name]?.weight ?? '')}
                    onInput={(e) => setPref('student_private', issue.name, num(e.currentTarget.value))}
                  />
                </Field>
                <Field label={`${issue.label}: counterpart's priority (weight 0–1)`}>
                  <input
                    type="number"
                    step="0.05"
                    value={String(draft.ai_private.prefs[issue.name]?.weight ?? '')}
                    onInput={(e) => setPref('ai_private', issue.name, num(e.currentTarget.value))}
                  />
                </Field>
                <Err path={`issues.${n}`} />
              </div>
            ))}
          </fieldset>
          <Field label="Student's reservation (utility 0–0.99)">
            <input
              type="number"
              step="0.05"
              value={String(draft.student_private.reservation_utility)}
              onInput={(e) => set({ student_private: { ...draft.student_private, reservation_utility: num(e.currentTarget.value) } })}
            />
          </Field>
          <Err path="student_private" />
          <Field label="Counterpart's reservation (utility 0–0.99)">
            <input
              type="number"
              step="0.05"
              value={String(draft.ai_private.reservation_utility)}
              onInput={(e) => set({ ai_private: { ...draft.ai_private, reservation_utility: num(e.currentTarget.value) } })}
            />
          </Field>
          <Field label="Persona">
            <textarea
              rows={3}
              value={draft.ai_private.persona}
              onInput={(e) => set({ ai_private: { ...draft.ai_private, persona: e.currentTarget.value } })}
            />
          </Field>
          <Field label="Persona facts (one a line)" hint="Private facts the counterpart knows and may reveal.">
            <textarea
              rows={4}
              value={draft.ai_private.private_facts.join('\n')}
              onInput={(e) =>
                set({ ai_private: { ...draft.ai_private, private_facts: e.currentTarget.value.split('\n').filter((l) => l.trim()) } })
              }
            />
          </Field>
          <Err path="ai_private" />
          <details>
            <summary>Advanced: the whole scenario as JSON</summary>
            <textarea
              rows={12}
              class="json"
              aria-label="Scenario JSON"
              value={advanced || JSON.stringify(draft, null, 2)}
              onInput={(e) => setAdvanced(e.currentTarget.value)}
            />
            <button
              type="button"
              onClick={() => {
                try {
                  setDraft(JSON.parse(advanced || JSON.stringify(draft)) as Scenario);
                  setAdvanced('');
                } catch (err) {
                  setMessage(`The JSON is not valid: ${(err as Error).message}`);
                }
              }}
            >
              Apply JSON
            </button>
          </details>
          <div class="form-error" role="alert">
            {message ? <p>{message}</p> : null}
            {errors.length ? (
              <ul class="plain">
                {errors.map((e) => (
                  <li key={e.path + e.message}>
                    <code>{e.path}</code>: {e.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
          <button type="submit" class="primary" disabled={origin === 'built-in'}>
            Save scenario
          </button>
        </form>
      </section>
      <section class="card" aria-labelledby="preview-h">
        <h2 id="preview-h">What the student sees</h2>
        <h3>{draft.title}</h3>
        <p class="muted">
          You are the {draft.student_role}; your counterpart is the {draft.ai_role}.
        </p>
        <p class="brief">{draft.student_brief}</p>
        <ul class="plain">
          {draft.issues.map((i) => (
            <li key={i.name}>
              {i.label}: {i.min} – {i.max} {i.unit ?? ''}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
