import { ErrorCode } from '@parley/contracts/browser';
import { api, ApiError } from '../api';
import { go } from '../app';
import { field, h, replace } from '../dom';
import { setSession, Session } from '../session';
import type { View } from '../main';

export const loginView: View = (main) => {
  const email = h('input', {
    type: 'email',
    name: 'email',
    autocomplete: 'username',
    required: true,
    autocapitalize: 'none',
    spellcheck: 'false',
  });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert', id: 'login-error' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'login-title', novalidate: true },
    h('h1', { id: 'login-title' }, 'Sign in to Parley'),
    h('p', { class: 'muted' }, 'Negotiation practice for your class. Use the e-mail and password your instructor gave you.'),
    field('E-mail', email),
    field('Password', password),
    error,
    submit,
  );

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    replace(error);
    if (!email.value.trim() || !password.value) {
      replace(error, 'Enter your e-mail and password.');
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      const res = await api<{ accessToken: string; user: Session['user'] }>(
        'POST',
        '/auth/login',
        { email: email.value.trim(), password: password.value },
        { auth: false },
      );
      setSession({ token: res.accessToken, user: res.user });
      go(res.user.role === 'instructor' ? '#/instructor' : '#/lobby');
    } catch (err) {
      const e2 = err as ApiError;
      const text =
        e2.code === ErrorCode.InvalidCredentials
          ? 'Wrong e-mail or password. Check both and try again.'
          : e2.code === ErrorCode.TooManyAttempts
            ? `Too many failed attempts. ${e2.message.replace(/^too many failed logins;\s*/i, '')}`
            : e2.message;
      replace(error, text);
      password.select();
      password.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });

  replace(main, h('div', { class: 'center' }, form));
  email.focus();
};
