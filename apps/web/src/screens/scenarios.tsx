import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { app } from '../app';
import { Field } from '../components/field';
import { toast } from '../toast';
import type { ScenarioInfo } from '../types';

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
/** The whole scenario as the instructor's form edits it: the public part students see, the AI's brief, both private sides. */
interface Scenario extends Omit<ScenarioInfo, 'issues'> {
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
/** #/scenarios/+new: a blank scenario, not saved yet ("+" is never part of a scenario id). */
const NEW_PARAM = '+new';
const NEW_HASH = `#/scenarios/${NEW_PARAM}`;
type Side = 'student_private' | 'ai_private';
const SIDES: { side: Side; who: string }[] = [
  { side: 'student_private', who: "student's" },
  { side: 'ai_private', who: "counterpart's" },
];

/** What "New scenario from blank" starts with: one empty issue, neutral settings; the server says what is missing. */
function blankScenario(): Scenario {
  return {
    id: '',
    title: '',
    summary: '',
    student_role: '',
    ai_role: '',
    student_brief: '',
    issues: [{ name: 'issue_1', label: '', min: 0, max: 100 }],
    ai_private: {
      persona: '',
      private_facts: [],
      strategy: 'linear',
      deadline_turns: 10,
      prefs: { issue_1: { weight: 1, best: 100, worst: 0 } },
      reservation_utility: 0.2,
    },
    student_private: { prefs: { issue_1: { weight: 1, best: 0, worst: 100 } }, reservation_utility: 0 },
    score_weights: { claiming_value: 0.5, creating_value: 0.2, managing_relationships: 0.3 },
  };
}

/** A free issue name (issue_2, issue_3, …). */
function freeIssueName(issues: Issue[]): string {
  for (let n = issues.length + 1; ; n++) if (!issues.some((i) => i.name === `issue_${n}`)) return `issue_${n}`;
}

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
      <p>
        <button type="button" class="primary" onClick={() => (location.hash = NEW_HASH)}>
          New scenario from blank
        </button>
      </p>
      {param === NEW_PARAM ? (
        <Editor key={`new-${version}`} onSaved={reload} />
      ) : param ? (
        <Editor key={`${param}-${version}`} id={param} onSaved={reload} />
      ) : null}
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

function Editor({ id, onSaved }: { id?: string; onSaved(): void }) {
  const isNew = id === undefined;
  const [draft, setDraft] = useState<Scenario | null>(isNew ? blankScenario() : null);
  const [origin, setOrigin] = useState(isNew ? 'new' : '');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState('');
  const [advanced, setAdvanced] = useState('');
  useEffect(() => {
    if (isNew) return;
    api<{ scenario: Scenario; origin: string }>('GET', `${scenarioPath(id)}/full`)
      .then((r) => {
        setDraft(r.scenario);
        setOrigin(r.origin);
      })
      .catch((e: Error) => setMessage(e.message));
  }, [id]);
  if (!draft) return <p class="muted">{message || 'Loading…'}</p>;
  const set = (patch: Partial<Scenario>) => setDraft({ ...draft, ...patch });
  const withPrefs = (side: Side, prefs: Record<string, Pref>) => ({ ...draft[side], prefs });
  const setIssue = (n: number, patch: Partial<Issue>) => {
    const old = draft.issues[n];
    const issues = draft.issues.map((i, k) => (k === n ? { ...i, ...patch } : i));
    // a renamed issue keeps both sides' preferences
    if (patch.name === undefined || patch.name === old.name) return set({ issues });
    const rename = (prefs: Record<string, Pref>) =>
      Object.fromEntries(Object.entries(prefs).map(([k, v]) => [k === old.name ? patch.name! : k, v]));
    set({
      issues,
      ai_private: withPrefs('ai_private', rename(draft.ai_private.prefs)),
      student_private: withPrefs('student_private', rename(draft.student_private.prefs)),
    } as Partial<Scenario>);
  };
  const addIssue = () => {
    const name = freeIssueName(draft.issues);
    set({
      issues: [...draft.issues, { name, label: '', min: 0, max: 100 }],
      ai_private: withPrefs('ai_private', { ...draft.ai_private.prefs, [name]: { weight: 0, best: 100, worst: 0 } }),
      student_private: withPrefs('student_private', { ...draft.student_private.prefs, [name]: { weight: 0, best: 0, worst: 100 } }),
    } as Partial<Scenario>);
  };
  const removeIssue = (n: number) => {
    const name = draft.issues[n].name;
    const without = (prefs: Record<string, Pref>) => Object.fromEntries(Object.entries(prefs).filter(([k]) => k !== name));
    setErrors([]);
    set({
      issues: draft.issues.filter((_, k) => k !== n),
      ai_private: withPrefs('ai_private', without(draft.ai_private.prefs)),
      student_private: withPrefs('student_private', without(draft.student_private.prefs)),
    } as Partial<Scenario>);
  };
  const setPref = (side: Side, name: string, patch: Partial<Pref>) => {
    const pref = { ...(draft[side].prefs[name] ?? { weight: 0, best: 0, worst: 0 }), ...patch };
    if (pref.limit === undefined) delete pref.limit;
    set({ [side]: withPrefs(side, { ...draft[side].prefs, [name]: pref }) } as Partial<Scenario>);
  };
  /** The server's messages for exactly this field, in one line. */
  const errorAt = (path: string) =>
    errors
      .filter((e) => e.path === path)
      .map((e) => e.message)
      .join('; ') || undefined;
  const num = (v: string) => (v.trim() === '' ? NaN : Number(v));
  const optionalNum = (v: string) => (v.trim() === '' ? undefined : Number(v));
  const shown = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '' : String(v));
  const save = async (e: Event) => {
    e.preventDefault();
    setErrors([]);
    setMessage('');
    try {
      if (isNew) await api('POST', '/api/scenarios', draft);
      else await api('PUT', scenarioPath(id), draft);
      app.scenariosChanged();
      toast(isNew ? `Scenario ${draft.id} created.` : 'Scenario saved.');
      if (isNew) location.hash = `#/scenarios/${draft.id}`;
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
          {isNew ? 'New scenario' : `Edit ${draft.id}`} {origin === 'built-in' ? '(built-in: read-only, duplicate it to edit)' : ''}
        </h2>
        <form noValidate onSubmit={save} aria-labelledby="edit-h">
          {isNew ? (
            <Field label="Id" hint="Lower-case letters, digits and -; the file name. It cannot be changed later." error={errorAt('id')}>
              <input type="text" value={draft.id} onInput={(e) => set({ id: e.currentTarget.value.trim() })} />
            </Field>
          ) : null}
          <Field label="Title" error={errorAt('title')}>
            <input type="text" value={draft.title} onInput={(e) => set({ title: e.currentTarget.value })} />
          </Field>
          <Field label="Summary" error={errorAt('summary')}>
            <textarea rows={2} value={draft.summary} onInput={(e) => set({ summary: e.currentTarget.value })} />
          </Field>
          <Field label="Student's role" error={errorAt('student_role')}>
            <input type="text" value={draft.student_role} onInput={(e) => set({ student_role: e.currentTarget.value })} />
          </Field>
          <Field label="Counterpart's role" error={errorAt('ai_role')}>
            <input type="text" value={draft.ai_role} onInput={(e) => set({ ai_role: e.currentTarget.value })} />
          </Field>
          <Field label="Student's brief" error={errorAt('student_brief')}>
            <textarea rows={5} value={draft.student_brief} onInput={(e) => set({ student_brief: e.currentTarget.value })} />
          </Field>
          <Field label="Other side's brief (peer role-play)" error={errorAt('ai_brief')}>
            <textarea rows={5} value={draft.ai_brief ?? ''} onInput={(e) => set({ ai_brief: e.currentTarget.value || undefined })} />
          </Field>
          <fieldset class="issues-edit">
            <legend>Issues ({draft.issues.length})</legend>
            <p class="hint">
              Each side's utility on an issue rises from its <em>worst</em> value to its <em>best</em>; its <em>limit</em> (optional) is a
              value it never goes past. Each side's priorities add up to 1.
            </p>
            {[errorAt('issues'), errorAt('student_private.prefs'), errorAt('ai_private.prefs')].map((m, k) =>
              m ? (
                <p class="field-error" key={k}>
                  {k === 0 ? m : `${k === 1 ? "Student's" : "Counterpart's"} priorities: ${m}`}
                </p>
              ) : null,
            )}
            {draft.issues.map((issue, n) => {
              const at = (field: string) => errorAt(`issues.${n}.${field}`);
              const title = `Issue ${n + 1}`;
              return (
                <fieldset class="issue-edit" key={n} data-issue={issue.name}>
                  <legend>
                    {title}
                    {issue.label ? `: ${issue.label}` : ''}
                  </legend>
                  <div class="issue-grid">
                    <Field label={`${title} name`} hint="a-z, 0-9, _: the key in offers" error={at('name')}>
                      <input type="text" value={issue.name} onInput={(e) => setIssue(n, { name: e.currentTarget.value.trim() })} />
                    </Field>
                    <Field label={`${title} label`} error={at('label')}>
                      <input type="text" value={issue.label} onInput={(e) => setIssue(n, { label: e.currentTarget.value })} />
                    </Field>
                    <Field label={`${title} unit`} error={at('unit')}>
                      <input
                        type="text"
                        value={issue.unit ?? ''}
                        onInput={(e) => setIssue(n, { unit: e.currentTarget.value || undefined })}
                      />
                    </Field>
                    <Field label={`${title} minimum`} error={at('min')}>
                      <input type="number" value={shown(issue.min)} onInput={(e) => setIssue(n, { min: num(e.currentTarget.value) })} />
                    </Field>
                    <Field label={`${title} maximum`} error={at('max')}>
                      <input type="number" value={shown(issue.max)} onInput={(e) => setIssue(n, { max: num(e.currentTarget.value) })} />
                    </Field>
                  </div>
                  {SIDES.map(({ side, who }) => {
                    const pref = draft[side].prefs[issue.name];
                    const prefAt = (field: string) => errorAt(`${side}.prefs.${issue.name}${field ? `.${field}` : ''}`);
                    return (
                      <div class="issue-side" key={side} data-side={side}>
                        <h4>
                          {title}: the {who.replace("'s", '')} side
                        </h4>
                        {prefAt('') ? <p class="field-error">{prefAt('')}</p> : null}
                        <div class="issue-grid">
                          <Field label={`${title}: ${who} priority (weight 0–1)`} error={prefAt('weight')}>
                            <input
                              type="number"
                              step="0.05"
                              value={shown(pref?.weight)}
                              onInput={(e) => setPref(side, issue.name, { weight: num(e.currentTarget.value) })}
                            />
                          </Field>
                          <Field label={`${title}: ${who} best value`} error={prefAt('best')}>
                            <input
                              type="number"
                              value={shown(pref?.best)}
                              onInput={(e) => setPref(side, issue.name, { best: num(e.currentTarget.value) })}
                            />
                          </Field>
                          <Field label={`${title}: ${who} worst value`} error={prefAt('worst')}>
                            <input
                              type="number"
                              value={shown(pref?.worst)}
                              onInput={(e) => setPref(side, issue.name, { worst: num(e.currentTarget.value) })}
                            />
                          </Field>
                          <Field label={`${title}: ${who} limit`} hint="optional: never past this" error={prefAt('limit')}>
                            <input
                              type="number"
                              value={shown(pref?.limit)}
                              onInput={(e) => setPref(side, issue.name, { limit: optionalNum(e.currentTarget.value) })}
                            />
                          </Field>
                        </div>
                      </div>
                    );
                  })}
                  <button
                    type="button"
                    class="danger"
                    onClick={() => removeIssue(n)}
                    aria-label={`Remove issue ${n + 1}${issue.label ? ` (${issue.label})` : ''}`}
                  >
                    Remove issue {n + 1}
                  </button>
                </fieldset>
              );
            })}
            <button type="button" onClick={addIssue} disabled={draft.issues.length >= 8}>
              Add an issue
            </button>
            {draft.issues.length >= 8 ? <span class="hint"> A scenario has at most 8 issues.</span> : null}
          </fieldset>
          <Field label="Student's reservation (utility 0–0.99)" error={errorAt('student_private.reservation_utility')}>
            <input
              type="number"
              step="0.05"
              value={shown(draft.student_private.reservation_utility)}
              onInput={(e) => set({ student_private: { ...draft.student_private, reservation_utility: num(e.currentTarget.value) } })}
            />
          </Field>
          <Field label="Counterpart's reservation (utility 0–0.99)" error={errorAt('ai_private.reservation_utility')}>
            <input
              type="number"
              step="0.05"
              value={shown(draft.ai_private.reservation_utility)}
              onInput={(e) => set({ ai_private: { ...draft.ai_private, reservation_utility: num(e.currentTarget.value) } })}
            />
          </Field>
          <Field label="Persona" error={errorAt('ai_private.persona')}>
            <textarea
              rows={3}
              value={draft.ai_private.persona}
              onInput={(e) => set({ ai_private: { ...draft.ai_private, persona: e.currentTarget.value } })}
            />
          </Field>
          <Field
            label="Persona facts (one a line)"
            hint="Private facts the counterpart knows and may reveal."
            error={errorAt('ai_private.private_facts')}
          >
            <textarea
              rows={4}
              value={draft.ai_private.private_facts.join('\n')}
              onInput={(e) =>
                set({ ai_private: { ...draft.ai_private, private_facts: e.currentTarget.value.split('\n').filter((l) => l.trim()) } })
              }
            />
          </Field>
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
            {isNew ? 'Create scenario' : 'Save scenario'}
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
          {draft.issues.map((i, n) => (
            <li key={n}>
              {i.label || i.name}: {shown(i.min)} – {shown(i.max)} {i.unit ?? ''}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
