import { useEffect, useRef, useState } from 'preact/hooks';
import { app } from './app';
import { coalesced } from './coalesced';

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

/** Which pushed events concern a read: event name → does this payload change what it shows? */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each watcher names its own payload type
export type Watch = Record<string, (payload: any) => boolean>;

/**
 * What `load` answers: read when shown (and when `deps` change), again when a watched event concerns it
 * and after each reconnect — push, not a timer; reads coalesced. `reload` re-reads after the user's own
 * act; `setData` applies a pushed change in place.
 */
export function usePushed<T>(
  load: () => Promise<T>,
  watch: Watch,
  deps: unknown[],
): { data: T | null; error: string; reload: () => void; setData: (update: (d: T | null) => T | null) => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  const reload = useRef<() => void>(() => undefined);
  useEffect(() => {
    let live = true;
    const read = coalesced(() =>
      load()
        .then((d) => live && (setData(() => d), setError('')))
        .catch((e: Error) => live && setError(e.message)),
    );
    const socket = app.socket().socket;
    const handlers: [string, (payload: unknown) => void][] = [
      ...Object.entries(watch).map(([event, concerns]): [string, (payload: unknown) => void] => [event, (p) => concerns(p) && read()]),
      ['connect', read],
    ];
    for (const [event, fn] of handlers) socket.on(event, fn);
    reload.current = read;
    read();
    return () => {
      live = false;
      for (const [event, fn] of handlers) socket.off(event, fn);
    };
  }, deps);
  return { data, error, reload: () => reload.current(), setData };
}
