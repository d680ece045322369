/**
 * Parley's browser client (Preact, built by Vite into apps/web/dist, which the gateway serves at /).
 * Hash routes (#/login, #/lobby, #/room/<id>, …) are listed in screens.tsx; the gateway sends a /join/<code> link to #/join/<code>.
 */
import { render } from 'preact';
import './style.css';
import { app } from './app';
import { getSession, onSessionChange, scheduleExpiry } from './session';
import { Shell, Topbar } from './shell';

onSessionChange((s) => {
  if (!s) app.signedOut();
});

const main = document.getElementById('main') as HTMLElement;
const topbar = document.getElementById('topbar') as HTMLElement;

// the skip link focuses <main> without touching the hash (the hash is the route)
document.querySelector('.skip-link')?.addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

scheduleExpiry(getSession());
main.replaceChildren();
topbar.replaceChildren();
render(<Topbar />, topbar);
render(<Shell />, main);
