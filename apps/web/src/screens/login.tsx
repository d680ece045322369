import { ErrorCode } from '@parley/contracts/browser';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { Field } from '../components/field';
import { setSession, type Session } from '../session';

export function Login() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  useEffect(() => emailRef.current?.focus(), []);

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
      const res = await api<{ accessToken: string; user: Session['user'] }>(
        'POST',
        '/auth/login',
        { email: email.trim(), password },
        { auth: false },
      );
      // the shell then opens the user's home screen, or the join link they came with
      setSession({ token: res.accessToken, user: res.user });
    } catch (err) {
      const e2 = err as ApiError;
      setError(
        e2.code === ErrorCode.InvalidCredentials
          ? 'Wrong e-mail or password. Check both and try again.'
          : e2.code === ErrorCode.TooManyAttempts
            ? `Too many failed attempts. ${e2.message.replace(/^too many failed logins;\s*/i, '')}`
            : e2.message,
      );
      passwordRef.current?.select();
      passwordRef.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="center">
      <form class="card narrow" aria-labelledby="login-title" noValidate onSubmit={submit}>
        <h1 id="login-title">Sign in to Parley</h1>
        <p class="muted">Negotiation practice for your class. Use the e-mail and password your instructor gave you.</p>
        <Field label="E-mail">
          <input
            ref={emailRef}
            type="email"
            name="email"
            autocomplete="username"
            required
            autocapitalize="none"
            spellcheck={false}
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
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
        <p class="form-error" role="alert" id="login-error">
          {error}
        </p>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
