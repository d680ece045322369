/**
 * A negotiation room's state, changed only by `roomReducer` (socket events, acks and the user's actions).
 *
 * Phase: loading (the negotiation's details over HTTP) → joining (its Socket.io room) → joined (messages and
 * offers can be sent) → closed (the negotiation is over: read-only, final). A lost connection takes joined back
 * to joining; a negotiation found over while loading goes straight to closed.
 *
 * Messages are merged by seq and deduplicated by id, so history on join, a sync after a reconnect and live
 * events can overlap freely and each message still shows exactly once.
 */
import type { ChatMessage, NegotiationUpdate, OfferView } from '@parley/contracts/browser';

export type RoomPhase = 'loading' | 'joining' | 'joined' | 'closed';
export type OutboxState = 'queued' | 'sending' | 'failed';

/** A message typed but not yet acknowledged; re-sent with the same client id until the server has it. */
export interface OutboxItem {
  clientMessageId: string;
  content: string;
  timestamp: string;
  state: OutboxState;
  error?: string;
}

export interface RoomState {
  phase: RoomPhase;
  /** The details are loaded (or failed to): the room may be joined from now on. */
  loaded: boolean;
  /** In the socket room now (also while closed: a closed room still receives its history). */
  member: boolean;
  /** In seq order, each id once. */
  messages: ChatMessage[];
  lastSeq: number;
  /** Counts my own lines landing in the log (and my sends): the log then scrolls to its end. */
  mineTick: number;
  outbox: OutboxItem[];
  /** Each party's latest offer, one per user (an observer's in the parties' order). */
  offers: OfferView[];
  peerTyping: string | null;
  aiTyping: boolean;
  /** How it ended, once it has. */
  outcome: NegotiationUpdate | null;
}

export type RoomAction =
  | { type: 'loaded' }
  /** Out of the socket room: a (re)join begins. */
  | { type: 'left-room' }
  /** The connection was lost: out of the room, and messages in flight go back in the queue. */
  | { type: 'disconnected' }
  | { type: 'joined' }
  | { type: 'messages'; messages: ChatMessage[]; me: string }
  | { type: 'queue'; item: OutboxItem }
  | { type: 'mark'; id: string; state: OutboxState; error?: string }
  | { type: 'discard'; id: string }
  | { type: 'offers'; offers: OfferView[] }
  /** The offers in the details: under any that came live before them. */
  | { type: 'base-offers'; offers: OfferView[] }
  | { type: 'peer-typing'; user: string | null }
  | { type: 'ai-typing'; on: boolean }
  | { type: 'outcome'; update: NegotiationUpdate };

export const initialRoom: RoomState = {
  phase: 'loading',
  loaded: false,
  member: false,
  messages: [],
  lastSeq: 0,
  mineTick: 0,
  outbox: [],
  offers: [],
  peerTyping: null,
  aiTyping: false,
  outcome: null,
};

export function roomReducer(s: RoomState, a: RoomAction): RoomState {
  switch (a.type) {
    case 'loaded':
      return { ...s, loaded: true, phase: s.phase === 'loading' ? 'joining' : s.phase };
    case 'left-room':
      return { ...s, member: false, phase: s.phase === 'joined' ? 'joining' : s.phase };
    case 'disconnected':
      return {
        ...roomReducer(s, { type: 'left-room' }),
        outbox: s.outbox.map((i) => (i.state === 'sending' ? { ...i, state: 'queued' } : i)),
      };
    case 'joined':
      return { ...s, member: true, phase: s.phase === 'joining' ? 'joined' : s.phase };
    case 'messages':
      return mergeMessages(s, a.messages, a.me);
    case 'queue':
      return { ...s, outbox: [...s.outbox, a.item], mineTick: s.mineTick + 1 };
    case 'mark':
      return { ...s, outbox: s.outbox.map((i) => (i.clientMessageId === a.id ? { ...i, state: a.state, error: a.error } : i)) };
    case 'discard':
      return { ...s, outbox: s.outbox.filter((i) => i.clientMessageId !== a.id) };
    case 'offers':
      return { ...s, offers: mergeOffers(s.offers, a.offers) };
    case 'base-offers':
      return { ...s, offers: mergeOffers(a.offers, s.offers) };
    case 'peer-typing':
      return { ...s, peerTyping: a.user };
    case 'ai-typing':
      return { ...s, aiTyping: a.on && s.phase !== 'closed' };
    case 'outcome':
      if (a.update.status === 'active') return s;
      return { ...s, outcome: a.update, phase: 'closed', aiTyping: false, peerTyping: null };
  }
}

function mergeMessages(s: RoomState, messages: ChatMessage[], me: string): RoomState {
  const seen = new Set(s.messages.map((m) => m.id));
  const added: ChatMessage[] = [];
  for (const m of messages) {
    if (!m || typeof m.id !== 'string' || seen.has(m.id)) continue;
    seen.add(m.id);
    added.push(m);
  }
  if (!added.length) return s;
  const all = [...s.messages, ...added].sort((a, b) => a.seq - b.seq);
  const mine = added.filter((m) => m.sender === me);
  const delivered = new Set(mine.map((m) => m.client_message_id));
  return {
    ...s,
    messages: all,
    lastSeq: Math.max(s.lastSeq, ...added.map((m) => m.seq)),
    mineTick: s.mineTick + (mine.length ? 1 : 0),
    outbox: delivered.size ? s.outbox.filter((i) => !delivered.has(i.clientMessageId)) : s.outbox,
  };
}

export function mergeOffers(base: OfferView[], newer: OfferView[]): OfferView[] {
  const out = [...base];
  for (const v of newer) {
    const i = out.findIndex((x) => x.user === v.user);
    if (i >= 0) out[i] = v;
    else out.push(v);
  }
  return out;
}

export function newOutboxItem(content: string): OutboxItem {
  return { clientMessageId: newClientId(), content, timestamp: new Date().toISOString(), state: 'queued' };
}

function newClientId(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
