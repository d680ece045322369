import { useLayoutEffect, useState } from 'preact/hooks';

/** A hash route: #/<name>/<param>/<sub>, e.g. #/room/<id>, #/session/<id>/debrief. */
export interface Route {
  name: string;
  param?: string;
  sub?: string;
}

export function currentRoute(): Route {
  const [, name = '', param, sub] = (location.hash || '#/').slice(1).split('/');
  return { name, param: param ? decodeURIComponent(param) : undefined, sub: sub ? decodeURIComponent(sub) : undefined };
}

export function go(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** The current route, re-rendering on every change (in-page anchors such as #main are not routes). */
export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  // a layout effect: listening before any effect of the first render may already move the hash
  useLayoutEffect(() => {
    const onChange = () => {
      if (!location.hash || location.hash.startsWith('#/')) setRoute(currentRoute());
    };
    window.addEventListener('hashchange', onChange);
    onChange();
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

const AFTER_LOGIN = 'parley.after-login';

export function rememberRoute(hash: string): void {
  try {
    sessionStorage.setItem(AFTER_LOGIN, hash);
  } catch {
    /* storage unavailable: the user lands on their home screen */
  }
}

/** Where to go after signing in: the remembered route (a join link), if any. */
export function rememberedRoute(): string | null {
  try {
    const hash = sessionStorage.getItem(AFTER_LOGIN);
    return hash && hash.startsWith('#/') ? hash : null;
  } catch {
    return null;
  }
}

export function forgetRoute(): void {
  try {
    sessionStorage.removeItem(AFTER_LOGIN);
  } catch {
    /* storage unavailable */
  }
}
