import { ErrorCode } from '@parley/contracts/browser';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { CredentialsForm, EmailInput, refusal, startSession } from '../components/credentials-form';
import { Field } from '../components/field';

/**
 * First run: the first instructor account is made here with the one-time setup code that Parley printed
 * where it was started (npm start's ready line, the gateway log). Once an instructor exists it says so.
 */
export function Setup() {
  const [needed, setNeeded] = useState<boolean | null>(null);
  const [form, setForm] = useState({ email: '', name: '', password: '', token: '' });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    api<{ needed: boolean }>('GET', '/api/setup', undefined, { auth: false })
      .then((s) => setNeeded(s.needed))
      .catch((e: ApiError) => setError(e.message));
  }, []);
  useEffect(() => {
    if (needed) codeRef.current?.focus();
  }, [needed]);
  const set = (key: keyof typeof form) => (e: { currentTarget: HTMLInputElement }) => setForm({ ...form, [key]: e.currentTarget.value });

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    setError('');
    if (!form.token.trim() || !form.email.trim() || !form.password) {
      setError('Enter the setup code, your e-mail and a password.');
      return;
    }
    setBusy(true);
    try {
      await startSession('/api/setup', { ...form, email: form.email.trim(), token: form.token.trim() });
    } catch (err) {
      const e2 = err as ApiError;
      if (e2.code === ErrorCode.Conflict) setNeeded(false);
      setError(
        refusal(
          e2,
          'That setup code is not right. Use the one printed where Parley was started (npm start or the gateway log).',
          'Too many wrong codes.',
        ),
      );
    } finally {
      setBusy(false);
    }
  }

  if (needed === false)
    return (
      <div class="center">
        <div class="card narrow">
          <h1>Parley is set up</h1>
          <p>An instructor account already exists.</p>
          <p>
            <a href="#/login">Sign in</a>
          </p>
        </div>
      </div>
    );
  return (
    <CredentialsForm
      id="setup-title"
      title="Set up Parley"
      intro="Create the instructor account. The setup code was printed where Parley was started."
      error={error}
      busy={busy}
      disabled={needed === null}
      label="Create instructor account"
      busyLabel="Creating…"
      onSubmit={submit}
    >
      <Field label="Setup code" hint="like ABCD-EFGH, from npm start's ready line">
        <input
          ref={codeRef}
          name="token"
          autocomplete="off"
          autocapitalize="characters"
          spellcheck={false}
          value={form.token}
          onInput={set('token')}
        />
      </Field>
      <Field label="E-mail">
        <EmailInput value={form.email} onInput={set('email')} />
      </Field>
      <Field label="Name">
        <input name="name" autocomplete="name" value={form.name} onInput={set('name')} />
      </Field>
      <Field label="Password" hint="at least 8 characters">
        <input type="password" name="password" autocomplete="new-password" value={form.password} onInput={set('password')} />
      </Field>
    </CredentialsForm>
  );
}
