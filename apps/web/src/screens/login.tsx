import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { CredentialsForm, EmailInput, refusal, startSession } from '../components/credentials-form';
import { Field } from '../components/field';

export function Login() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const [setupNeeded, setSetupNeeded] = useState(false);
  useEffect(() => emailRef.current?.focus(), []);
  useEffect(() => {
    api<{ needed: boolean }>('GET', '/api/setup', undefined, { auth: false })
      .then((s) => setSetupNeeded(s.needed))
      .catch(() => undefined);
  }, []);

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    setError('');
    if (!email.trim() || !password) {
      setError('Enter your e-mail and password.');
      (email.trim() ? passwordRef : emailRef).current?.focus();
      return;
    }
    setBusy(true);
    try {
      // the shell then opens the user's home screen, or the join link they came with
      await startSession('/auth/login', { email: email.trim(), password });
    } catch (err) {
      setError(refusal(err as ApiError, 'Wrong e-mail or password. Check both and try again.', 'Too many failed attempts.'));
      passwordRef.current?.select();
      passwordRef.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <CredentialsForm
      id="login-title"
      title="Sign in to Parley"
      intro="Negotiation practice for your class. Use the e-mail and password your instructor gave you."
      error={error}
      errorId="login-error"
      busy={busy}
      label="Sign in"
      busyLabel="Signing in…"
      onSubmit={submit}
    >
      {setupNeeded ? (
        <p id="setup-needed">
          No instructor account yet. <a href="#/setup">Set up Parley</a> with the code printed where it was started.
        </p>
      ) : null}
      <Field label="E-mail">
        <EmailInput inputRef={emailRef} required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </Field>
      <Field label="Password">
        <input
          ref={passwordRef}
          type="password"
          name="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </Field>
    </CredentialsForm>
  );
}
