/**
 * Parley's browser client: hash routes #/login, #/lobby, #/room/<id>, #/instructor. Plain DOM, bundled
 * by apps/web/build.mjs into apps/web/dist, which the gateway serves at /.
 */
import { App, go } from './app';
import { append, h, replace } from './dom';
import { clearSession, getSession, onSessionChange, scheduleExpiry } from './session';
import { loginView } from './views/login';
import { lobbyView } from './views/lobby';
import { roomView } from './views/room';
import { instructorView } from './views/instructor';

/** A screen draws itself into <main> and returns what undoes it (listeners, timers). */
export type View = (main: HTMLElement, app: App, param?: string) => (() => void) | void;

const app = new App();
const main = document.getElementById('main') as HTMLElement;
const topbar = document.getElementById('topbar') as HTMLElement;
let cleanup: (() => void) | void;

function route(): void {
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/')) return; // in-page anchors are not routes
  const [, name = '', param] = hash.slice(1).split('/');
  const session = getSession();
  if (!session && name !== 'login') return go('#/login');
  if (session && (name === 'login' || name === '')) return go(session.user.role === 'instructor' ? '#/instructor' : '#/lobby');
  if (name === 'instructor' && session?.user.role !== 'instructor') return go('#/lobby');

  cleanup?.();
  cleanup = undefined;
  renderTopbar(name);
  main.replaceChildren();
  const views: Record<string, View> = { login: loginView, lobby: lobbyView, room: roomView, instructor: instructorView };
  const view = views[name];
  if (!view) {
    replace(
      main,
      h('section', { class: 'card' }, h('h1', null, 'Page not found'), h('p', null, h('a', { href: '#/lobby' }, 'Back to the lobby'))),
    );
    return;
  }
  cleanup = view(main, app, param ? decodeURIComponent(param) : undefined);
}

function renderTopbar(routeName: string): void {
  const session = getSession();
  const nav = h('nav', { 'aria-label': 'Main' });
  if (session) {
    append(nav, [
      h('a', { href: '#/lobby', 'aria-current': routeName === 'lobby' ? 'page' : null }, 'Lobby'),
      session.user.role === 'instructor'
        ? h('a', { href: '#/instructor', 'aria-current': routeName === 'instructor' ? 'page' : null }, 'Instructor')
        : null,
      h('span', { class: 'who', title: session.user.email }, session.user.name || session.user.email),
      h(
        'button',
        {
          type: 'button',
          class: 'link-button',
          onclick: () => {
            clearSession();
          },
        },
        'Sign out',
      ),
    ]);
  }
  replace(topbar, h('a', { class: 'brand', href: session ? '#/lobby' : '#/login' }, 'Parley'), nav);
}

onSessionChange((s) => {
  if (!s) {
    app.signedOut();
    go('#/login');
  }
});

// the skip link focuses <main> without touching the hash (the hash is the route)
document.querySelector('.skip-link')?.addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', route);
scheduleExpiry(getSession());
route();
