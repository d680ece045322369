import { ErrorCode } from '@parley/contracts/browser';
import type { ComponentChildren, Ref } from 'preact';
import { api, ApiError } from '../api';
import { setSession, type Session } from '../session';

/** Posts to a route that answers with a token (sign-in, first-run setup) and keeps the session it gives. */
export async function startSession(path: string, body: Record<string, unknown>): Promise<void> {
  const res = await api<{ accessToken: string; user: Session['user'] }>('POST', path, body, { auth: false });
  setSession({ token: res.accessToken, user: res.user });
}

/**
 * What a credentials form says when the server refuses: its own words for wrong credentials, its own lead-in
 * to the wait after too many tries (the server's lead-in cut), and the server's message otherwise.
 */
export function refusal(e: ApiError, wrong: string, tooMany: string): string {
  if (e.code === ErrorCode.InvalidCredentials) return wrong;
  if (e.code === ErrorCode.TooManyAttempts) return `${tooMany} ${e.message.replace(/^too many failed logins;\s*/i, '')}`;
  return e.message;
}

/** The e-mail box of the credential forms: the browser's saved username, no capitals or spelling fixes. */
export function EmailInput({
  inputRef,
  ...props
}: {
  inputRef?: Ref<HTMLInputElement>;
  value: string;
  required?: boolean;
  onInput: (e: { currentTarget: HTMLInputElement }) => void;
}) {
  // Field gives the box its id and descriptions, and they pass on with the rest of the props
  return <input ref={inputRef} type="email" name="email" autocomplete="username" autocapitalize="none" spellcheck={false} {...props} />;
}

/** The centred card of the sign-in and first-run screens: heading, intro, fields, the error line and one submit button. */
export function CredentialsForm({
  id,
  title,
  intro,
  error,
  errorId,
  busy,
  disabled,
  label,
  busyLabel,
  onSubmit,
  children,
}: {
  id: string;
  title: string;
  intro: string;
  error: string;
  errorId?: string;
  busy: boolean;
  disabled?: boolean;
  label: string;
  busyLabel: string;
  onSubmit: (e: Event) => void;
  children: ComponentChildren;
}) {
  return (
    <div class="center">
      <form class="card narrow" aria-labelledby={id} noValidate onSubmit={onSubmit}>
        <h1 id={id}>{title}</h1>
        <p class="muted">{intro}</p>
        {children}
        <p class="form-error" role="alert" id={errorId}>
          {error}
        </p>
        <button type="submit" class="primary" disabled={busy || disabled}>
          {busy ? busyLabel : label}
        </button>
      </form>
    </div>
  );
}
