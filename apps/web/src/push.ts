import { app } from './app';

/**
 * Runs `refresh` now, then whenever one of `events` arrives on the tab's socket, after a reconnect, and
 * when the tab becomes visible again — push instead of a timer. Bursts are folded into one refresh.
 * Returns what stops it.
 */
export function refreshOnPush(refresh: () => Promise<void>, events: string[]): () => void {
  const socket = app.socket().socket;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void refresh();
    }, 150);
  };
  const onVisible = () => {
    if (document.visibilityState === 'visible') soon();
  };
  const watched = [...events, 'connect'];
  for (const e of watched) socket.on(e, soon);
  document.addEventListener('visibilitychange', onVisible);
  void refresh();
  return () => {
    if (timer) clearTimeout(timer);
    for (const e of watched) socket.off(e, soon);
    document.removeEventListener('visibilitychange', onVisible);
  };
}
