import type { Holdings, Role } from '@parley/contracts/browser';

/** What the sign-in answer gives us; kept in localStorage so a reload stays signed in. */
export interface Session {
  token: string;
  user: { email: string; name: string; role: Role; holdings?: Holdings };
}

const KEY = 'parley.session';
let expiryTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<(s: Session | null) => void>();

/** The `exp` claim (unix seconds) of a JWT, or null when it cannot be read. */
export function tokenExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(
      part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    );
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : null;
  } catch {
    return null;
  }
}

function isExpired(token: string): boolean {
  const exp = tokenExpiry(token);
  return exp === null || exp * 1000 <= Date.now();
}

/** The stored session, or null (an expired or unreadable one is dropped). */
export function getSession(): Session | null {
  let raw: string | null;
  try {
    raw = localStorage.getItem(KEY);
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Session;
    if (typeof s?.token !== 'string' || !s.user?.email || isExpired(s.token)) {
      clearSession();
      return null;
    }
    return s;
  } catch {
    clearSession();
    return null;
  }
}

export function setSession(s: Session): void {
  localStorage.setItem(KEY, JSON.stringify(s));
  scheduleExpiry(s);
  listeners.forEach((l) => l(s));
}

export function clearSession(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    /* storage unavailable */
  }
  if (expiryTimer) clearTimeout(expiryTimer);
  expiryTimer = undefined;
  listeners.forEach((l) => l(null));
}

/** Drops the session the moment its token expires (timers cap at ~24 days; a reload re-checks). */
export function scheduleExpiry(s: Session | null): void {
  if (expiryTimer) clearTimeout(expiryTimer);
  expiryTimer = undefined;
  const exp = s ? tokenExpiry(s.token) : null;
  if (!s || exp === null) return;
  const ms = Math.min(exp * 1000 - Date.now(), 2 ** 31 - 1);
  expiryTimer = setTimeout(
    () => {
      if (getSession() === null) listeners.forEach((l) => l(null));
    },
    Math.max(0, ms),
  );
}

export function onSessionChange(fn: (s: Session | null) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// another tab signed in or out
window.addEventListener('storage', (e) => {
  if (e.key === KEY) listeners.forEach((l) => l(getSession()));
});

/** Where a user lands after signing in. */
export function homeOf(user: Session['user']): string {
  return user.role === 'instructor' ? '#/instructor' : '#/lobby';
}
