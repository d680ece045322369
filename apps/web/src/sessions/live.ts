import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { app } from '../app';
import type { LiveView, RoundStarted, SessionBroadcast, SessionDetail, SessionRound } from './types';

// TODO(sessions merge): these names come from libs/contracts (ClientEvent.JoinSession, ServerEvent.Session*)
export const SessionEvent = {
  Join: 'join-session',
  Update: 'session-update',
  RoundStarted: 'round-started',
  RoundEnded: 'round-ended',
  Broadcast: 'session-broadcast',
} as const;

export const sessionPath = (id: string, rest = '') => `/api/sessions/${encodeURIComponent(id)}${rest}`;

/** A list answer that is either the array itself or `{ <key>: [...] }`. */
export function listOf<T>(answer: unknown, key: string): T[] {
  if (Array.isArray(answer)) return answer as T[];
  const list = (answer as Record<string, unknown> | null)?.[key];
  return Array.isArray(list) ? (list as T[]) : [];
}

export interface SessionFeed {
  detail: SessionDetail | null;
  live: LiveView | null;
  broadcasts: SessionBroadcast[];
  /** The latest round-started for this user (their own negotiation). */
  started: RoundStarted | null;
  error: string;
  reload(): void;
}

/**
 * One session as a screen shows it, kept current by push: the session room is joined on every
 * (re)connect, and `session-update`, `round-started`, `round-ended` and `session-broadcast` change it.
 * `withLive`: also the instructor's live view (GET /live).
 */
export function useSessionFeed(id: string, withLive: boolean): SessionFeed {
  const [detail, setDetail] = useState<SessionDetail | null>(null);
  const [live, setLive] = useState<LiveView | null>(null);
  const [broadcasts, setBroadcasts] = useState<SessionBroadcast[]>([]);
  const [started, setStarted] = useState<RoundStarted | null>(null);
  const [error, setError] = useState('');
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let stopped = false;
    const load = async () => {
      try {
        const [d, l] = await Promise.all([
          api<SessionDetail>('GET', sessionPath(id)),
          withLive ? api<LiveView>('GET', sessionPath(id, '/live')) : Promise.resolve(null),
        ]);
        if (stopped) return;
        setDetail(d);
        if (l) setLive(l);
        setError('');
      } catch (e) {
        if (!stopped) setError((e as Error).message);
      }
    };
    const conn = app.socket();
    const socket = conn.socket;
    const mine = (p: { session_id?: string } | undefined) => p?.session_id === id;
    const join = () => {
      socket.emit(SessionEvent.Join, { session_id: id });
      void load();
    };
    const onUpdate = (p: LiveView) => {
      if (!mine(p)) return;
      // the instructor's live view comes whole with the push; a student's own pair comes from the session
      if (withLive) setLive(p);
      else void load();
    };
    const onStarted = (p: RoundStarted) => {
      if (!mine(p)) return;
      setStarted(p);
      void load();
    };
    const onEnded = (p: { session_id: string }) => mine(p) && void load();
    const onBroadcast = (p: SessionBroadcast) => mine(p) && setBroadcasts((list) => [p, ...list].slice(0, 20));
    socket.on('connect', join);
    socket.on(SessionEvent.Update, onUpdate);
    socket.on(SessionEvent.RoundStarted, onStarted);
    socket.on(SessionEvent.RoundEnded, onEnded);
    socket.on(SessionEvent.Broadcast, onBroadcast);
    if (conn.connected) join();
    else void load();
    return () => {
      stopped = true;
      socket.off('connect', join);
      socket.off(SessionEvent.Update, onUpdate);
      socket.off(SessionEvent.RoundStarted, onStarted);
      socket.off(SessionEvent.RoundEnded, onEnded);
      socket.off(SessionEvent.Broadcast, onBroadcast);
    };
  }, [id, withLive, version]);

  return { detail, live, broadcasts, started, error, reload: () => setVersion((v) => v + 1) };
}

/** Unix seconds or milliseconds → milliseconds. */
export const toMs = (t: number) => (t < 1e12 ? t * 1000 : t);

/** Whether a round is still running (not ended, not past its end). */
export function roundRunning(round: SessionRound | null | undefined, now = Date.now()): boolean {
  return !!round && !round.ended_at && toMs(round.ends_at) > now;
}
