import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { Field } from '../components/field';
import { go } from '../router';
import { setSession, type Session } from '../session';

/** GET /api/setup: whether this Parley still has no instructor (first run), and whether a setup code is asked. */
export interface SetupState {
  needed: boolean;
  token_required?: boolean;
}

export function fetchSetupState(): Promise<SetupState | null> {
  return api<SetupState>('GET', '/api/setup', undefined, { auth: false }).catch(() => null);
}

/** #/setup: on the first run, the first instructor account is made here, in the browser. */
export function Setup() {
  const [state, setState] = useState<SetupState | null | undefined>(undefined);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => void fetchSetupState().then(setState), []);

  if (state === undefined) return <p class="muted">Loading…</p>;
  if (!state?.needed) {
    return (
      <div class="center">
        <section class="card narrow">
          <h1>Parley is set up</h1>
          <p>An instructor account exists already; more are added on the Accounts screen.</p>
          <p>
            <a href="#/login">Sign in</a>
          </p>
        </section>
      </div>
    );
  }
  return (
    <div class="center">
      <form
        class="card narrow"
        aria-labelledby="setup-title"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          setError('');
          if (!email.trim() || password.length < 8) return setError('Enter your e-mail and a password of at least 8 characters.');
          setBusy(true);
          try {
            const res = await api<{ accessToken: string; user: Session['user'] }>(
              'POST',
              '/api/setup',
              { email: email.trim(), name: name.trim() || undefined, password, ...(state.token_required ? { token: token.trim() } : {}) },
              { auth: false },
            );
            setSession({ token: res.accessToken, user: res.user });
            go('#/sessions');
          } catch (err) {
            setError((err as ApiError).message);
            setBusy(false);
          }
        }}
      >
        <h1 id="setup-title">Welcome to Parley</h1>
        <p class="muted">First start: create your instructor account. You add your students afterwards.</p>
        <Field label="Your e-mail">
          <input type="email" autocomplete="username" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <Field label="Your name">
          <input type="text" autocomplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Password" hint="At least 8 characters.">
          <input type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        {state.token_required ? (
          <Field label="Setup code" hint="Printed by `npm start` in its terminal.">
            <input type="text" autocomplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
          </Field>
        ) : null}
        <p class="form-error" role="alert">
          {error}
        </p>
        <button type="submit" class="primary" disabled={busy}>
          Create the instructor account
        </button>
      </form>
    </div>
  );
}
