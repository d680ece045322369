import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { app } from '../app';
import { Field } from '../components/field';
import { go } from '../router';
import { listOf } from '../sessions/live';
import type { ClassSession, PairingRule, SessionMode } from '../sessions/types';
import type { ScenarioInfo } from '../types';

const MODES: { value: SessionMode; label: string }[] = [
  { value: 'peer', label: 'Peer role-play (two students, one scenario)' },
  { value: 'ai', label: 'AI practice (each student against the AI)' },
  { value: 'market', label: 'Market (trading)' },
];
const PAIRINGS: { value: PairingRule; label: string }[] = [
  { value: 'random', label: 'Random' },
  { value: 'column', label: 'By a roster column' },
  { value: 'manual', label: 'By hand' },
];

/** The instructor's class sessions: the list, and a form to create one. */
export function Sessions() {
  const [sessions, setSessions] = useState<ClassSession[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<unknown>('GET', '/api/sessions')
      .then((r) => setSessions(listOf<ClassSession>(r, 'sessions')))
      .catch((e: Error) => setError(e.message));
  }, []);
  return (
    <>
      <h1 class="page-title">Class sessions</h1>
      <div class="grid">
        <section class="card" aria-labelledby="new-session-h">
          <h2 id="new-session-h">New session</h2>
          <NewSessionForm />
        </section>
        <section class="card" aria-labelledby="my-sessions-h">
          <h2 id="my-sessions-h">Your sessions</h2>
          {error ? <p class="form-error">Could not load: {error}</p> : null}
          {sessions === null && !error ? <p class="muted">Loading…</p> : null}
          {sessions?.length === 0 ? <p class="muted">None yet. Create one to get a join code for your class.</p> : null}
          {sessions?.length ? (
            <ul class="plain session-list">
              {[...sessions]
                .sort((a, b) => b.created_at - a.created_at)
                .map((s) => (
                  <li key={s.id}>
                    <a href={`#/session/${encodeURIComponent(s.id)}`}>{s.title}</a>{' '}
                    <span class="muted small">
                      code <span class="code-inline">{s.code}</span> · {MODES.find((m) => m.value === s.mode)?.label.split(' (')[0]}
                    </span>
                  </li>
                ))}
            </ul>
          ) : null}
        </section>
      </div>
    </>
  );
}

function NewSessionForm() {
  const [scenarios, setScenarios] = useState<ScenarioInfo[]>([]);
  const [title, setTitle] = useState('');
  const [mode, setMode] = useState<SessionMode>('peer');
  const [chosen, setChosen] = useState<string[]>([]);
  const [minutes, setMinutes] = useState('15');
  const [pairing, setPairing] = useState<PairingRule>('random');
  const [column, setColumn] = useState('group');
  const [startWhenAll, setStartWhenAll] = useState(false);
  const [expected, setExpected] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    app
      .scenarioList()
      .then((list) => {
        setScenarios(list);
        setChosen((c) => (c.length || !list[0] ? c : [list[0].id]));
      })
      .catch((e: Error) => setError(`Could not load the scenarios: ${e.message}`));
  }, []);

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    setError('');
    const round = Number(minutes);
    if (!title.trim()) return setError('Give the session a title.');
    if (mode !== 'market' && chosen.length === 0) return setError('Choose at least one scenario.');
    if (!(round > 0 && round <= 240)) return setError('Enter a round length from 1 to 240 minutes.');
    if (pairing === 'column' && !column.trim()) return setError('Name the roster column to pair by.');
    const headCount = Number(expected);
    if (startWhenAll && !(Number.isInteger(headCount) && headCount >= 1 && headCount <= 1000))
      return setError('Enter how many students must join before round 1 starts (1 to 1000).');
    setBusy(true);
    try {
      const created = await api<ClassSession>('POST', '/api/sessions', {
        title: title.trim(),
        mode,
        scenario_ids: mode === 'market' ? [] : chosen,
        round_seconds: Math.round(round * 60),
        pairing,
        ...(pairing === 'column' ? { pairing_column: column.trim() } : {}),
        start_when_all_joined: startWhenAll,
        ...(startWhenAll ? { expected_members: headCount } : {}),
      });
      go(`#/session/${encodeURIComponent(created.id)}`);
    } catch (err) {
      setError((err as ApiError).message);
      setBusy(false);
    }
  }

  return (
    <form class="session-form" aria-label="New session" noValidate onSubmit={submit}>
      <Field label="Title">
        <input type="text" name="title" required maxLength={120} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </Field>
      <Field label="Mode">
        <select name="mode" value={mode} onChange={(e) => setMode(e.currentTarget.value as SessionMode)}>
          {MODES.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
      </Field>
      {mode !== 'market' ? (
        <fieldset class="choices">
          <legend>Scenarios</legend>
          {scenarios.map((s) => (
            <label key={s.id} class="choice">
              <input
                type="checkbox"
                name="scenario"
                value={s.id}
                checked={chosen.includes(s.id)}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  setChosen((c) => (on ? [...c, s.id] : c.filter((x) => x !== s.id)));
                }}
              />{' '}
              {s.title}
            </label>
          ))}
        </fieldset>
      ) : null}
      <Field label="Round length (minutes)">
        <input
          type="number"
          name="round_minutes"
          min="1"
          max="240"
          step="1"
          inputMode="numeric"
          required
          value={minutes}
          onInput={(e) => setMinutes(e.currentTarget.value)}
        />
      </Field>
      <fieldset class="choices">
        <legend>Pairing</legend>
        {PAIRINGS.map((p) => (
          <label key={p.value} class="choice">
            <input type="radio" name="pairing" value={p.value} checked={pairing === p.value} onChange={() => setPairing(p.value)} />{' '}
            {p.label}
          </label>
        ))}
      </fieldset>
      {pairing === 'column' ? (
        <Field label="Roster column" hint="Students with the same value in this column are paired (e.g. group).">
          <input type="text" name="pairing_column" value={column} onInput={(e) => setColumn(e.currentTarget.value)} />
        </Field>
      ) : null}
      <label class="choice">
        <input
          type="checkbox"
          name="start_when_all_joined"
          checked={startWhenAll}
          onChange={(e) => setStartWhenAll(e.currentTarget.checked)}
        />{' '}
        Start round 1 by itself when the whole class has joined
      </label>
      {startWhenAll ? (
        <Field label="Students in the class" hint="Round 1 starts as soon as this many have joined.">
          <input
            type="number"
            name="expected_members"
            min="1"
            max="1000"
            step="1"
            inputMode="numeric"
            value={expected}
            onInput={(e) => setExpected(e.currentTarget.value)}
          />
        </Field>
      ) : null}
      <p class="form-error" role="alert">
        {error}
      </p>
      <button type="submit" class="primary" disabled={busy}>
        Create session
      </button>
    </form>
  );
}
