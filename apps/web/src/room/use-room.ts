import { useEffect, useState } from 'preact/hooks';
import { ClientEvent, ErrorCode, outcomeUpdate, ServerEvent } from '@parley/contracts/browser';
import type { ChatMessage, ErrorPayload, NegotiationUpdate, OfferView, ServerPayloads, Terms } from '@parley/contracts/browser';
import { api, ApiError } from '../api';
import { app } from '../app';
import type { ConnectionStatus } from '../connection';
import { ClientErrorCode, RETRYABLE, readableError } from '../errors';
import { toast } from '../toast';
import type { Issue, NegotiationDetail, ScenarioInfo } from '../types';
import { initialRoom, newOutboxItem, roomReducer, type RoomAction, type RoomState } from './state';

const TYPING_IDLE_MS = 2500;
const PEER_TYPING_TIMEOUT_MS = 6000;
const AI_TYPING_TIMEOUT_MS = 45_000;

export const TRADE_ISSUES: Issue[] = [
  { name: 'price', label: 'Price per unit', unit: 'cash', min: 0.01, max: 1_000_000, step: 0.01 },
  { name: 'quantity', label: 'Quantity', unit: 'units', min: 1, max: 1_000_000_000, step: 1 },
];

/** What the room knows once its details are loaded. */
export interface RoomInfo {
  detail: NegotiationDetail;
  issues: Issue[];
  scenario?: ScenarioInfo;
  observer: boolean;
}

export interface RoomActions {
  /** Queues a message and delivers it (in order, same client id until acknowledged). */
  send(content: string): void;
  retry(clientMessageId: string): void;
  discard(clientMessageId: string): void;
  /** The message box changed: typing-start now, typing-stop after a pause. */
  typing(length: number): void;
  stopTyping(): void;
  propose(terms: Terms): Promise<void>;
  agree(terms: Terms): Promise<void>;
  reject(): Promise<void>;
}

export interface Room {
  state: RoomState;
  info: RoomInfo | null;
  status: ConnectionStatus;
  notFound: boolean;
  actions: RoomActions;
}

/**
 * The socket side of a room: loads the details, joins (and on every reconnect rejoins, then asks for
 * everything after the last seq it saw), follows the room's events and delivers what the user sends.
 */
export function useRoom(negotiationId: string): Room {
  const me = app.session!.user.email;
  const [state, setState] = useState(initialRoom);
  const [info, setInfo] = useState<RoomInfo | null>(null);
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [notFound, setNotFound] = useState(false);
  const [actions] = useState(() => {
    // the async work below reads the latest state, not the one of the render it started in
    let current = initialRoom;
    const dispatch = (a: RoomAction) => {
      current = roomReducer(current, a);
      setState(current);
    };
    return createRoom(negotiationId, me, dispatch, () => current, setInfo, setNotFound);
  });
  useEffect(() => actions.start(setStatus), []);
  return { state, info, status, notFound, actions };
}

function createRoom(
  negotiationId: string,
  me: string,
  dispatch: (a: RoomAction) => void,
  get: () => RoomState,
  setInfo: (i: RoomInfo) => void,
  setNotFound: (v: boolean) => void,
): RoomActions & { start(onStatus: (s: ConnectionStatus) => void): () => void } {
  const conn = app.socket();
  const socket = conn.socket;
  let info: RoomInfo | null = null;
  let left = false;
  let flushing = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const inRoom = () => get().member && !left;
  const closed = () => get().phase === 'closed';

  // ---- typing indicators ----
  let peerTimer: ReturnType<typeof setTimeout> | undefined;
  let aiTimer: ReturnType<typeof setTimeout> | undefined;
  function setPeerTyping(user: string | null): void {
    if (peerTimer) clearTimeout(peerTimer);
    if (user) peerTimer = later(() => setPeerTyping(null), PEER_TYPING_TIMEOUT_MS);
    dispatch({ type: 'peer-typing', user });
  }
  function setAiTyping(on: boolean, estimatedMs = 0): void {
    if (aiTimer) clearTimeout(aiTimer);
    if (on && !closed()) aiTimer = later(() => setAiTyping(false), Math.max(AI_TYPING_TIMEOUT_MS, estimatedMs * 3));
    dispatch({ type: 'ai-typing', on });
  }

  let typingSent = false;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  function stopTyping(): void {
    if (typingTimer) clearTimeout(typingTimer);
    if (typingSent && conn.connected && inRoom()) socket.emit(ClientEvent.TypingStop, { negotiation_id: negotiationId });
    typingSent = false;
  }
  function typing(length: number): void {
    if (closed() || info?.observer || !conn.connected || !inRoom()) return;
    if (!typingSent && length > 0) {
      typingSent = true;
      socket.emit(ClientEvent.TypingStart, { negotiation_id: negotiationId });
    }
    if (typingTimer) clearTimeout(typingTimer);
    typingTimer = later(stopTyping, TYPING_IDLE_MS);
  }

  // ---- sending: queue first, then deliver in order with the same client id until acknowledged ----
  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    const next = () => get().outbox.find((i) => i.state === 'queued');
    try {
      for (let item = next(); item && inRoom() && conn.connected && !closed(); item = next()) {
        const id = item.clientMessageId;
        dispatch({ type: 'mark', id, state: 'sending' });
        const ack = await conn.request<ChatMessage>(ClientEvent.SendMessage, {
          negotiation_id: negotiationId,
          content: item.content,
          type: 'user',
          timestamp: item.timestamp,
          client_message_id: id,
        });
        if (ack.ok) {
          dispatch({ type: 'discard', id });
          dispatch({ type: 'messages', messages: [ack.data], me });
        } else if (RETRYABLE.has(ack.error.code)) {
          dispatch({ type: 'mark', id, state: 'queued' });
          later(() => void flush(), 2000);
          break;
        } else {
          dispatch({ type: 'mark', id, state: 'failed', error: readableError(ack.error) });
        }
      }
    } finally {
      flushing = false;
    }
  }

  // ---- offers ----
  async function offerAction(event: string, payload: Record<string, unknown>): Promise<void> {
    if (!conn.connected || !inRoom()) throw new Error('Not connected. Wait for the connection to come back and try again.');
    const ack = await conn.request<OfferView>(event, { negotiation_id: negotiationId, ...payload });
    // a refusal also arrives as an `error` event (shown as a notice); the panel shows it too
    if (!ack.ok) throw new Error(readableError(ack.error));
    dispatch({ type: 'offers', offers: [ack.data] });
  }

  const outcome = (update: NegotiationUpdate) => {
    if (update.status === 'active') return;
    setAiTyping(false);
    setPeerTyping(null);
    dispatch({ type: 'outcome', update });
  };

  // ---- server events ----
  const mine = (p: { negotiation_id?: string } | undefined) => p?.negotiation_id === negotiationId;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each listener names its own payload type
  const handlers: [string, (...args: any[]) => void][] = [
    [
      ServerEvent.NegotiationState,
      (p: ServerPayloads['negotiation-state']) => {
        if (!mine(p)) return;
        dispatch({ type: 'offers', offers: p.offers });
        if (p.outcome) outcome(p.outcome);
      },
    ],
    [
      ServerEvent.MessageHistory,
      (p: ServerPayloads['message-history']) => mine(p) && dispatch({ type: 'messages', messages: p.messages, me }),
    ],
    [
      ServerEvent.MessageReceived,
      (m: ChatMessage) => {
        if (!mine(m)) return;
        dispatch({ type: 'messages', messages: [m], me });
        if (m.sender === get().peerTyping && m.kind !== 'offer') setPeerTyping(null);
      },
    ],
    [
      ServerEvent.AiMessage,
      (m: ChatMessage) => {
        if (!mine(m)) return;
        dispatch({ type: 'messages', messages: [m], me });
        setAiTyping(false);
      },
    ],
    [
      ServerEvent.UserTyping,
      (p: ServerPayloads['user-typing']) => mine(p) && p.user_id !== me && setPeerTyping(p.typing ? p.user_id : null),
    ],
    [ServerEvent.AiTyping, (p: ServerPayloads['ai-typing']) => mine(p) && setAiTyping(p.typing, p.estimated_time)],
    [ServerEvent.OfferUpdated, (p: ServerPayloads['offer-updated']) => mine(p) && dispatch({ type: 'offers', offers: [p] })],
    [ServerEvent.NegotiationUpdate, (p: NegotiationUpdate) => mine(p) && outcome(p)],
    [
      ServerEvent.Error,
      (p: ErrorPayload) => {
        if (p?.negotiation_id && p.negotiation_id !== negotiationId) return;
        if (p?.event === ClientEvent.SendMessage && p.code !== ErrorCode.RateLimited && p.code !== ErrorCode.MessageTooLong) return; // shown on the message itself
        if (p?.event === ClientEvent.TypingStart || p?.event === ClientEvent.TypingStop) return;
        if (p?.event === ClientEvent.JoinNegotiation && p.code === ErrorCode.NegotiationNotFound) return; // the page says so
        toast(readableError({ code: p?.code ?? ClientErrorCode.Unknown, message: p?.message ?? 'Something went wrong.' }), 'error', 9000);
        if (p?.code === ErrorCode.AiTimeout || p?.code === ErrorCode.AiFailed) setAiTyping(false);
        if (p?.code === ErrorCode.NegotiationExpired || p?.code === ErrorCode.NegotiationClosed) void refreshDetail();
      },
    ],
    ['connect', () => get().loaded && !left && void join()],
  ];

  // ---- join / rejoin: on every (re)connect rejoin the room, then ask for everything after the last seq we saw ----
  async function join(): Promise<void> {
    dispatch({ type: 'left-room' });
    const since = get().lastSeq;
    const ack = await conn.request<{ state: ServerPayloads['negotiation-state']; history: ServerPayloads['message-history'] }>(
      ClientEvent.JoinNegotiation,
      { negotiation_id: negotiationId },
    );
    if (left) return;
    if (!ack.ok) {
      if (ack.error.code === ErrorCode.NegotiationNotFound) setNotFound(true);
      else if (!RETRYABLE.has(ack.error.code)) toast(readableError(ack.error), 'error');
      else if (conn.connected) later(() => void join(), 2000);
      return;
    }
    dispatch({ type: 'messages', messages: ack.data.history.messages, me });
    if (since > 0) {
      const sync = await conn.request<ServerPayloads['message-history']>(ClientEvent.SyncMessages, {
        negotiation_id: negotiationId,
        after_seq: since,
      });
      if (sync.ok) dispatch({ type: 'messages', messages: sync.data.messages, me });
    }
    if (left) return;
    dispatch({ type: 'joined' });
    void flush();
  }

  const detailPath = `/api/negotiations/${encodeURIComponent(negotiationId)}`;
  async function refreshDetail(): Promise<void> {
    const d = await api<NegotiationDetail>('GET', detailPath).catch(() => null);
    if (d?.outcome && !left) outcome(outcomeUpdate(d.outcome));
  }

  // ---- first load ----
  async function load(): Promise<void> {
    let detail: NegotiationDetail;
    try {
      detail = await api<NegotiationDetail>('GET', detailPath);
    } catch (e) {
      if ((e as ApiError).status === 404) setNotFound(true);
      else toast(`Could not load the negotiation: ${(e as Error).message}`, 'error');
      return;
    }
    if (left) return;
    const observer = detail.my_role === 'observer';
    let scenario: ScenarioInfo | undefined;
    let issues = TRADE_ISSUES;
    if (detail.kind === 'ai' || detail.kind === 'roleplay') {
      scenario = await app
        .scenarioList()
        .then((list) => list.find((s) => s.id === detail.scenario_id))
        .catch(() => undefined);
      issues = scenario?.issues ?? issuesFromOffers(detail.offers);
    }
    if (left) return;
    // an observer sees both parties in order; the offers that came live before the details stay the latest
    const base = observer
      ? detail.parties.map(
          (p) =>
            detail.offers.find((o) => o.user === p.user) ?? {
              user: p.user,
              role: p.role,
              offer: null,
              status: 'pending' as const,
              last_updated: 0,
            },
        )
      : detail.offers;
    dispatch({ type: 'base-offers', offers: base });
    info = { detail, issues, scenario, observer };
    setInfo(info);
    if (detail.outcome) outcome(outcomeUpdate(detail.outcome));
  }

  return {
    send(content) {
      if (closed() || info?.observer) return;
      dispatch({ type: 'queue', item: newOutboxItem(content) });
      stopTyping();
      void flush();
    },
    retry(id) {
      dispatch({ type: 'mark', id, state: 'queued' });
      void flush();
    },
    discard: (id) => dispatch({ type: 'discard', id }),
    typing,
    stopTyping,
    propose: (terms) => offerAction(ClientEvent.ProposeOffer, { terms }),
    agree: (terms) => offerAction(ClientEvent.AgreeOffer, { terms }),
    reject: () => offerAction(ClientEvent.RejectNegotiation, {}),
    start(onStatus) {
      const offStatus = conn.onStatus((s) => {
        onStatus(s);
        if (s !== 'connected') dispatch({ type: 'disconnected' });
      });
      for (const [event, fn] of handlers) socket.on(event, fn);
      void load().then(() => {
        dispatch({ type: 'loaded' });
        if (!left && conn.connected) void join();
      });
      return () => {
        // typing-stop still goes out while the room is ours; after leaving nothing is sent
        stopTyping();
        left = true;
        offStatus();
        for (const [event, fn] of handlers) socket.off(event, fn);
        timers.forEach(clearTimeout);
        if (conn.connected) socket.emit(ClientEvent.LeaveNegotiation, { negotiation_id: negotiationId });
        if (get().outbox.length) toast('Some messages were not delivered before you left the room.', 'error');
      };
    },
  };
}

function issuesFromOffers(offers: OfferView[]): Issue[] {
  const names = new Set<string>();
  for (const o of offers)
    if (o.offer)
      Object.keys(o.offer)
        .filter((k) => k !== 'timestamp')
        .forEach((k) => names.add(k));
  return [...names].map((name) => ({ name, label: name.replace(/_/g, ' '), unit: '', min: -1e12, max: 1e12, step: 1 }));
}
