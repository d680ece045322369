import { useLayoutEffect } from 'preact/hooks';
import { useSession } from './hooks';
import { forgetRoute, go, rememberedRoute, rememberRoute, useRoute, type Route } from './router';
import { SCREENS } from './screens';
import { clearSession, homeOf, type Session } from './session';

/** Where a route sends this user instead, if anywhere (signed out → sign-in; signed in → the join link they came with, or home). */
function redirect(route: Route, session: Session | null): string | null {
  const entry = SCREENS[route.name];
  if (!session) return entry?.public ? null : '#/login';
  if (route.name === '' || entry?.public) return rememberedRoute() ?? homeOf(session.user);
  if (entry?.instructor && session.user.role !== 'instructor') return '#/lobby';
  return null;
}

/** The screen of the current route, in <main>. */
export function Shell() {
  const route = useRoute();
  const session = useSession();
  const target = redirect(route, session);
  useLayoutEffect(() => {
    if (!target) return;
    if (target === '#/login' && route.name === 'join') rememberRoute(location.hash);
    if (session && target === rememberedRoute()) forgetRoute();
    go(target);
  }, [target]);
  // a new screen starts at its top, not at the last screen's scroll position
  const screenKey = target ? null : location.hash;
  useLayoutEffect(() => {
    if (screenKey) window.scrollTo(0, 0);
  }, [screenKey]);
  if (target) return null;
  const entry = SCREENS[route.name];
  if (!entry) {
    return (
      <section class="card">
        <h1>Page not found</h1>
        <p>
          <a href="#/lobby">Back to the lobby</a>
        </p>
      </section>
    );
  }
  const Screen = entry.component;
  // a new route is a new screen: keyed, so nothing of the last one stays mounted
  return <Screen key={location.hash} param={route.param} sub={route.sub} />;
}

/** The top bar: brand, the screens this user may open, who is signed in, sign out. */
export function Topbar() {
  const route = useRoute();
  const session = useSession();
  const instructor = session?.user.role === 'instructor';
  /** A link to a screen, the current page while its route (or one of `also`, its detail screens) is open. */
  const link = (name: string, label: string, also: string[] = []) => (
    <a href={`#/${name}`} aria-current={[name, ...also].includes(route.name) ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <a class="brand" href={session ? '#/lobby' : '#/login'}>
        Parley
      </a>
      <nav aria-label="Main">
        {session ? (
          <>
            {link('lobby', 'Lobby')}
            {link('markets', 'Markets', ['market'])}
            {instructor ? (
              <>
                {link('instructor', 'Instructor')}
                {link('sessions', 'Sessions', ['session'])}
                {link('accounts', 'Accounts')}
                {link('scenarios', 'Scenarios')}
              </>
            ) : null}
            <span class="who" title={session.user.email}>
              {session.user.name || session.user.email}
            </span>
            <button type="button" class="link-button" onClick={() => clearSession()}>
              Sign out
            </button>
          </>
        ) : null}
      </nav>
    </>
  );
}
