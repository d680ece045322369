import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { app } from '../app';
import { ClientEvent, ServerEvent } from '@parley/contracts/browser';
import type { LiveView, RoundStarted, SessionAnswer, SessionBroadcast, SessionRound } from './types';

export const sessionPath = (id: string, rest = '') => `/api/sessions/${encodeURIComponent(id)}${rest}`;

/** A list answer that is either the array itself or `{ <key>: [...] }`. */
export function listOf<T>(answer: unknown, key: string): T[] {
  if (Array.isArray(answer)) return answer as T[];
  const list = (answer as Record<string, unknown> | null)?.[key];
  return Array.isArray(list) ? (list as T[]) : [];
}

export interface SessionFeed {
  detail: SessionAnswer | null;
  live: LiveView | null;
  broadcasts: SessionBroadcast[];
  /** The latest round-started for this user (their own negotiation). */
  started: RoundStarted | null;
  error: string;
  reload(): void;
}

/**
 * One session as a screen shows it, kept current by push: the session room is joined on every
 * (re)connect; `session-update` (everyone), `round-started`, `round-ended` and `session-broadcast`
 * change it. `withLive`: the instructor's live view too (GET /live, then `live-update`).
 */
export function useSessionFeed(id: string, withLive: boolean): SessionFeed {
  const [detail, setDetail] = useState<SessionAnswer | null>(null);
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
          api<SessionAnswer>('GET', sessionPath(id)),
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
      socket.emit(ClientEvent.JoinSession, { session_id: id });
      void load();
    };
    // the instructor's live view comes whole with its push; everything else reloads the session (own pair included)
    const onLive = (p: LiveView) => mine(p) && setLive(p);
    const onUpdate = (p: { session_id: string }) => mine(p) && void load();
    const onStarted = (p: RoundStarted) => {
      if (!mine(p)) return;
      setStarted(p);
      void load();
    };
    const onEnded = (p: { session_id: string }) => mine(p) && void load();
    const onBroadcast = (p: SessionBroadcast) => mine(p) && setBroadcasts((list) => [p, ...list].slice(0, 20));
    socket.on('connect', join);
    if (withLive) socket.on(ServerEvent.LiveUpdate, onLive);
    else socket.on(ServerEvent.SessionUpdate, onUpdate);
    socket.on(ServerEvent.RoundStarted, onStarted);
    socket.on(ServerEvent.RoundEnded, onEnded);
    socket.on(ServerEvent.SessionBroadcast, onBroadcast);
    if (conn.connected) join();
    else void load();
    return () => {
      stopped = true;
      socket.off('connect', join);
      socket.off(ServerEvent.LiveUpdate, onLive);
      socket.off(ServerEvent.SessionUpdate, onUpdate);
      socket.off(ServerEvent.RoundStarted, onStarted);
      socket.off(ServerEvent.RoundEnded, onEnded);
      socket.off(ServerEvent.SessionBroadcast, onBroadcast);
    };
  }, [id, withLive, version]);

  return { detail, live, broadcasts, started, error, reload: () => setVersion((v) => v + 1) };
}

/** Whether a round is still running (not ended, not past its end). */
export function roundRunning(round: SessionRound | null | undefined, now = Date.now()): boolean {
  return !!round && !round.ended_at && round.ends_at > now;
}
