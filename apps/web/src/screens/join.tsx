import { useEffect, useState } from 'preact/hooks';
import { ServerEvent } from '@parley/contracts/browser';
import { api, ApiError } from '../api';
import { app } from '../app';
import { Field } from '../components/field';
import { go } from '../router';
import type { ScreenProps } from '../screens';
import { listOf } from '../sessions/live';
import type { ClassSession, RoundStarted } from '../sessions/types';

/** Join codes: six characters without the look-alikes 0/O and 1/I; typed in any case. */
const normalise = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();

async function joinSession(code: string): Promise<ClassSession> {
  return api<ClassSession>('POST', '/api/sessions/join', { code: normalise(code) });
}

/** #/join/<code> (a join link): joins, then opens the session; a wrong code says so and offers the form. */
export function Join({ param }: ScreenProps) {
  const [error, setError] = useState('');
  useEffect(() => {
    if (!param) return;
    joinSession(param)
      .then((s) => go(`#/session/${encodeURIComponent(s.id)}`))
      .catch((e: ApiError) => setError(e.message));
  }, [param]);
  return (
    <div class="center">
      <section class="card narrow" aria-labelledby="join-title">
        <h1 id="join-title">Join a class session</h1>
        {error ? (
          <>
            <p class="form-error" role="alert">
              Could not join with the code {param}: {error}
            </p>
            <JoinForm />
          </>
        ) : param ? (
          <p class="muted">Joining {param}…</p>
        ) : (
          <JoinForm />
        )}
      </section>
    </div>
  );
}

export function JoinForm() {
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="join-form"
      aria-label="Join a session"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setError('');
        if (normalise(code).length < 4) return setError('Enter the code your instructor shows (six letters and digits).');
        setBusy(true);
        try {
          const s = await joinSession(code);
          go(`#/session/${encodeURIComponent(s.id)}`);
        } catch (err) {
          setError((err as ApiError).message);
          setBusy(false);
        }
      }}
    >
      <Field label="Join code">
        <input
          type="text"
          name="code"
          class="code-input"
          autocomplete="off"
          autocapitalize="characters"
          spellcheck={false}
          maxLength={12}
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
      </Field>
      <p class="form-error" role="alert">
        {error}
      </p>
      <button type="submit" class="primary" disabled={busy}>
        Join
      </button>
    </form>
  );
}

/**
 * The lobby's card: join with a code, and the sessions this student has joined. A round that starts
 * while the student is here (pushed to their user room) is announced with the way to their negotiation.
 */
export function ClassSessionsCard() {
  const [sessions, setSessions] = useState<ClassSession[]>([]);
  const [started, setStarted] = useState<RoundStarted | null>(null);
  useEffect(() => {
    api<unknown>('GET', '/api/sessions')
      .then((r) => setSessions(listOf<ClassSession>(r, 'sessions')))
      .catch(() => setSessions([]));
    const socket = app.socket().socket;
    const onStarted = (p: RoundStarted) => setStarted(p);
    socket.on(ServerEvent.RoundStarted, onStarted);
    return () => void socket.off(ServerEvent.RoundStarted, onStarted);
  }, []);
  const startedIn = started ? sessions.find((s) => s.id === started.session_id) : undefined;
  return (
    <>
      <h2 id="sessions-h">Class sessions</h2>
      {started ? (
        <p class="broadcast round-started" role="status">
          <strong>
            Round {started.round}
            {startedIn ? ` of ${startedIn.title}` : ''} has started.
          </strong>{' '}
          <a href={`#/session/${encodeURIComponent(started.session_id)}`}>Go to your negotiation</a>
        </p>
      ) : null}
      <JoinForm />
      {sessions.length ? (
        <ul class="plain session-list">
          {sessions.map((s) => (
            <li key={s.id}>
              <a href={`#/session/${encodeURIComponent(s.id)}`}>{s.title}</a>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
