import { useEffect, useState } from 'preact/hooks';
import { app } from './app';
import { getSession, onSessionChange, type Session } from './session';

/** The signed-in user's session, re-rendering when it changes (sign-in, sign-out, another tab). */
export function useSession(): Session | null {
  const [session, setSession] = useState(getSession);
  useEffect(() => onSessionChange(setSession), []);
  return session;
}

/** Listens to a server event on the tab's socket while the component is shown. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each listener names its own payload type
export function useSocketEvent(event: string, fn: (payload: any) => void, deps: unknown[] = []): void {
  useEffect(() => {
    const socket = app.socket().socket;
    socket.on(event, fn);
    return () => {
      socket.off(event, fn);
    };
  }, [event, ...deps]);
}
