import { outcomeUpdate, ClientEvent, ErrorCode, MAX_MESSAGE_LENGTH, ServerEvent } from '@parley/contracts/browser';
import type { ChatMessage, Terms, ErrorPayload, NegotiationUpdate, OfferView, ServerPayloads } from '@parley/contracts/browser';
import { api, ApiError } from '../api';
import type { ConnectionStatus } from '../connection';
import { h, replace, uid } from '../dom';
import { shortName, statusBadge } from '../format';
import { ClientErrorCode, RETRYABLE, readableError } from '../errors';
import { toast } from '../toast';
import type { View } from '../legacy';
import type { Issue, NegotiationDetail, ScenarioInfo, TeamView } from '../types';
import { ChatLog, Outbox } from './chat';
import { OfferPanel, TRADE_ISSUES } from './offer-panel';
import { resultsView } from './results';
import { RoomState } from './room-state';
import type { OwnSide } from '@parley/negotiation/walk-away';

const TYPING_IDLE_MS = 2500;
const PEER_TYPING_TIMEOUT_MS = 6000;
const AI_TYPING_TIMEOUT_MS = 45_000;
const HARDWARE_KEYBOARD = '(hover: hover) and (pointer: fine) and (min-width: 700px)';
const CONNECTION_TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Connection lost. Reconnecting…',
  offline: 'You are offline. Parley reconnects when your network is back.',
};

export const roomView: View = (main, app, id) => {
  if (!id || !/^[A-Za-z0-9._+@-]{1,200}$/.test(id)) {
    replace(
      main,
      h(
        'section',
        { class: 'card' },
        h('h1', null, 'Negotiation not found'),
        h('p', null, h('a', { href: '#/lobby' }, 'Back to the lobby')),
      ),
    );
    return;
  }
  const negotiationId = id;
  const session = app.session!;
  const me = session.user.email;
  const conn = app.socket();
  const socket = conn.socket;

  let detail: NegotiationDetail | null = null;
  let issues: Issue[] = [];
  let scenario: ScenarioInfo | undefined;
  let panel: OfferPanel | null = null;
  let observer = false;
  const state = new RoomState();
  let flushing = false;
  let pendingOffers: OfferView[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };

  // ---- layout ----------------------------------------------------------------------------------
  const titleEl = h('h1', { class: 'room-title' }, 'Negotiation');
  const subtitle = h('p', { class: 'muted room-sub' });
  const banner = h(
    'div',
    { class: 'conn-banner', role: 'status', 'aria-live': 'polite', 'data-state': 'connecting' },
    CONNECTION_TEXT.connecting,
  );
  const resultsSlot = h('div', { class: 'results-slot' });
  const briefSlot = h('div', { class: 'brief-slot' });
  const names = (user: string) =>
    user === 'ai'
      ? `AI (${detail?.parties.find((p) => p.user === 'ai')?.role ?? 'counterpart'})`
      : partyName(detail?.parties.find((p) => p.user === user) ?? { user });
  const outbox = new Outbox(
    () => void flush(),
    () => conn.connected && state.inRoom,
  );
  const chat = new ChatLog(me, names, (cmid) => outbox.remove(cmid));
  const typingEl = h('p', { class: 'typing', 'aria-live': 'polite' });
  const textarea = h('textarea', {
    id: uid('msg'),
    rows: 3,
    maxlength: MAX_MESSAGE_LENGTH,
    // the Shift+Enter hint only where there is a hardware keyboard to press it on
    placeholder: window.matchMedia(HARDWARE_KEYBOARD).matches
      ? 'Write a message… (Enter sends, Shift+Enter for a new line)'
      : 'Write a message…',
    'aria-describedby': 'msg-counter',
  });
  const counter = h('span', { id: 'msg-counter', class: 'counter small muted' }, `0 / ${MAX_MESSAGE_LENGTH}`);
  const sendBtn = h('button', { type: 'submit', class: 'primary' }, 'Send');
  const composer = h(
    'form',
    { class: 'composer', 'aria-label': 'Send a message' },
    h('label', { for: textarea.id }, 'Message'),
    textarea,
    h('div', { class: 'composer-row' }, counter, sendBtn),
  );
  const closedNote = h('p', { class: 'muted closed-note', hidden: true }, 'This negotiation is over; the chat is read-only.');
  const panelSlot = h('div', { class: 'panel-slot' });
  const chatHeading = uid('chat-h');
  const chatSection = h(
    'section',
    { class: 'card chat', 'aria-labelledby': chatHeading },
    h('h2', { id: chatHeading, tabindex: '-1' }, 'Chat'),
    chat.el,
    outbox.el,
    typingEl,
    composer,
    closedNote,
  );
  // on a phone the terms sit below the chat: a sticky bar jumps between the two without a long scroll
  const jumpTo = (section: HTMLElement) => {
    section.scrollIntoView({ block: 'start' });
    section.querySelector<HTMLElement>('h2')?.focus({ preventScroll: true });
  };
  const chatJump = h('button', { type: 'button', onclick: () => jumpTo(chatSection) }, 'Chat');
  const termsJump = h('button', { type: 'button', onclick: () => jumpTo(panelSlot) }, 'Terms');
  const jumpBar = h('nav', { class: 'room-jump', 'aria-label': 'Room sections' }, chatJump, termsJump);
  const instructor = session.user.role === 'instructor';

  const roomEl = h(
    'div',
    { class: 'room', 'data-phase': state.phase },
    h(
      'div',
      { class: 'room-head' },
      h('p', { class: 'back' }, instructor ? h('a', { href: '#/instructor' }, '← Dashboard') : h('a', { href: '#/lobby' }, '← Lobby')),
      titleEl,
      subtitle,
      banner,
    ),
    resultsSlot,
    h('div', { class: 'room-grid' }, briefSlot, chatSection, panelSlot),
  );
  replace(main, roomEl);
  // the bar sits in the page's sticky top strip, above the notices (index.html)
  document.getElementById('sticky-top')?.prepend(jumpBar);

  // ---- the room renders from its state --------------------------------------------------------
  state.onChange((phase) => {
    roomEl.dataset.phase = phase;
    if (phase !== 'closed') return;
    panel?.setClosed(true);
    textarea.disabled = true;
    sendBtn.disabled = true;
    composer.hidden = true;
    closedNote.hidden = false;
  });

  // ---- connection banner -----------------------------------------------------------------------
  const offStatus = conn.onStatus((status) => {
    banner.dataset.state = status;
    banner.textContent = CONNECTION_TEXT[status];
    if (status !== 'connected') {
      state.outOfRoom();
      outbox.requeueSending();
    }
  });

  // ---- typing indicators -----------------------------------------------------------------------
  let peerTyping: string | null = null;
  let aiTyping = false;
  let peerTimer: ReturnType<typeof setTimeout> | undefined;
  let aiTimer: ReturnType<typeof setTimeout> | undefined;
  function renderTyping(): void {
    const parts = [peerTyping ? `${names(peerTyping)} is typing…` : '', aiTyping ? 'The AI counterpart is typing…' : ''].filter(Boolean);
    typingEl.textContent = parts.join(' ');
  }
  function setPeerTyping(user: string | null): void {
    peerTyping = user;
    if (peerTimer) clearTimeout(peerTimer);
    if (user) peerTimer = later(() => setPeerTyping(null), PEER_TYPING_TIMEOUT_MS);
    renderTyping();
  }
  function setAiTyping(on: boolean, estimatedMs = 0): void {
    aiTyping = on && !state.closed;
    if (aiTimer) clearTimeout(aiTimer);
    if (aiTyping) aiTimer = later(() => setAiTyping(false), Math.max(AI_TYPING_TIMEOUT_MS, estimatedMs * 3));
    renderTyping();
  }

  let typingSent = false;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  function stopTyping(): void {
    if (typingTimer) clearTimeout(typingTimer);
    if (typingSent && conn.connected && state.inRoom) socket.emit(ClientEvent.TypingStop, { negotiation_id: negotiationId });
    typingSent = false;
  }
  textarea.addEventListener('input', () => {
    counter.textContent = `${textarea.value.length} / ${MAX_MESSAGE_LENGTH}`;
    counter.classList.toggle('near-limit', textarea.value.length > MAX_MESSAGE_LENGTH * 0.9);
    if (state.closed || observer || !conn.connected || !state.inRoom) return;
    if (!typingSent && textarea.value.length > 0) {
      typingSent = true;
      socket.emit(ClientEvent.TypingStart, { negotiation_id: negotiationId });
    }
    if (typingTimer) clearTimeout(typingTimer);
    typingTimer = later(stopTyping, TYPING_IDLE_MS);
  });

  // ---- sending: queue first, then deliver in order with the same client id until acknowledged ----
  composer.addEventListener('submit', async (e) => {
    e.preventDefault();
    const content = textarea.value.trim();
    if (!content || state.closed || observer) return;
    if (panel && !(await panel.confirmTypedAcceptance(content))) return;
    if (content.length > MAX_MESSAGE_LENGTH) {
      toast(`Messages are limited to ${MAX_MESSAGE_LENGTH} characters.`, 'error');
      return;
    }
    outbox.add(content);
    textarea.value = '';
    counter.textContent = `0 / ${MAX_MESSAGE_LENGTH}`;
    stopTyping();
    chat.scrollToBottom();
    void flush();
  });
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      for (let item = outbox.next(); item && state.inRoom && conn.connected && !state.closed; item = outbox.next()) {
        outbox.mark(item, 'sending');
        const ack = await conn.request<ChatMessage>(ClientEvent.SendMessage, {
          negotiation_id: negotiationId,
          content: item.content,
          type: 'user',
          timestamp: item.timestamp,
          client_message_id: item.clientMessageId,
        });
        if (ack.ok) {
          outbox.remove(item.clientMessageId);
          chat.merge([ack.data]);
        } else if (RETRYABLE.has(ack.error.code)) {
          outbox.mark(item, 'queued');
          later(() => void flush(), 2000);
          break;
        } else {
          outbox.mark(item, 'failed', readableError(ack.error));
        }
      }
    } finally {
      flushing = false;
    }
  }

  // ---- offers ----------------------------------------------------------------------------------
  async function offerAction(event: string, payload: Record<string, unknown>): Promise<void> {
    if (!conn.connected || !state.inRoom) throw new Error('Not connected. Wait for the connection to come back and try again.');
    const ack = await conn.request<OfferView>(event, { negotiation_id: negotiationId, ...payload });
    // a refusal also arrives as an `error` event (shown as a notice); the panel shows it too
    if (!ack.ok) throw new Error(readableError(ack.error));
    applyOffers([ack.data]);
  }

  function applyOffers(offers: OfferView[]): void {
    if (!panel) {
      pendingOffers = mergeOffers(pendingOffers, offers);
      return;
    }
    if (observer) {
      pendingOffers = mergeOffers(pendingOffers, offers);
      panel.updateObserved(pendingOffers);
    } else panel.update(offers);
  }

  // ---- results ---------------------------------------------------------------------------------
  async function showResults(update: NegotiationUpdate): Promise<void> {
    if (update.status === 'active') return;
    const firstTime = state.over();
    setAiTyping(false);
    setPeerTyping(null);
    subtitleStatus(update.status);
    let holdings: TeamView['holdings'] | null = null;
    if (detail?.kind === 'peer' && !observer) {
      holdings = await api<TeamView>('GET', '/api/teams/me')
        .then((t) => t.holdings)
        .catch(() => null);
    }
    if (state.left) return;
    replace(resultsSlot, resultsView(update, issues, holdings));
    if (firstTime) {
      resultsSlot.scrollIntoView({ block: 'start' });
      (resultsSlot.querySelector('h2') as HTMLElement | null)?.focus({ preventScroll: true });
    }
  }

  function subtitleStatus(status: string): void {
    const badge = subtitle.querySelector('.badge');
    if (badge) badge.replaceWith(statusBadge(status));
  }

  // ---- server events ---------------------------------------------------------------------------
  const mine = (p: { negotiation_id?: string } | undefined) => p?.negotiation_id === negotiationId;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each listener names its own payload type
  const handlers: [string, (...args: any[]) => void][] = [
    [
      ServerEvent.NegotiationState,
      (p: ServerPayloads['negotiation-state']) => {
        if (!mine(p)) return;
        applyOffers(p.offers);
        if (p.outcome) void showResults(p.outcome);
      },
    ],
    [ServerEvent.MessageHistory, (p: ServerPayloads['message-history']) => mine(p) && chat.merge(p.messages)],
    [
      ServerEvent.MessageReceived,
      (m: ChatMessage) => {
        if (!mine(m)) return;
        chat.merge([m]);
        if (m.sender === peerTyping && m.kind !== 'offer') setPeerTyping(null);
      },
    ],
    [
      ServerEvent.AiMessage,
      (m: ChatMessage) => {
        if (!mine(m)) return;
        chat.merge([m]);
        setAiTyping(false);
      },
    ],
    [
      ServerEvent.UserTyping,
      (p: ServerPayloads['user-typing']) => mine(p) && p.user_id !== me && setPeerTyping(p.typing ? p.user_id : null),
    ],
    [ServerEvent.AiTyping, (p: ServerPayloads['ai-typing']) => mine(p) && setAiTyping(p.typing, p.estimated_time)],
    [ServerEvent.OfferUpdated, (p: ServerPayloads['offer-updated']) => mine(p) && applyOffers([p])],
    [ServerEvent.NegotiationUpdate, (p: NegotiationUpdate) => mine(p) && void showResults(p)],
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
    ['connect', () => state.canJoin && void join()],
  ];
  for (const [event, fn] of handlers) socket.on(event, fn);

  // ---- join / rejoin ---------------------------------------------------------------------------
  /** On every (re)connect: rejoin the room, then ask for everything after the last seq we saw. */
  async function join(): Promise<void> {
    state.outOfRoom();
    const since = chat.lastSeq;
    const ack = await conn.request<{ state: ServerPayloads['negotiation-state']; history: ServerPayloads['message-history'] }>(
      ClientEvent.JoinNegotiation,
      {
        negotiation_id: negotiationId,
      },
    );
    if (state.left) return;
    if (!ack.ok) {
      if (ack.error.code === ErrorCode.NegotiationNotFound) showNotFound();
      else if (!RETRYABLE.has(ack.error.code)) toast(readableError(ack.error), 'error');
      else if (conn.connected) later(() => void join(), 2000);
      return;
    }
    chat.merge(ack.data.history.messages);
    if (since > 0) {
      const sync = await conn.request<ServerPayloads['message-history']>(ClientEvent.SyncMessages, {
        negotiation_id: negotiationId,
        after_seq: since,
      });
      if (sync.ok) chat.merge(sync.data.messages);
    }
    if (state.left) return;
    state.joinDone();
    outbox.render();
    void flush();
  }

  function showNotFound(): void {
    replace(
      main,
      h(
        'section',
        { class: 'card' },
        h('h1', null, 'Negotiation not found'),
        h('p', null, 'It does not exist, or you are not one of its parties.'),
        h('p', null, h('a', { href: '#/lobby' }, 'Back to the lobby')),
      ),
    );
  }

  async function refreshDetail(): Promise<void> {
    const d = await api<NegotiationDetail>('GET', `/api/negotiations/${encodeURIComponent(negotiationId)}`).catch(() => null);
    if (d?.outcome) void showResults(outcomeUpdate(d.outcome));
  }

  // ---- first load ------------------------------------------------------------------------------
  async function load(): Promise<void> {
    try {
      detail = await api<NegotiationDetail>('GET', `/api/negotiations/${encodeURIComponent(negotiationId)}`);
    } catch (e) {
      if ((e as ApiError).status === 404) return showNotFound();
      toast(`Could not load the negotiation: ${(e as Error).message}`, 'error');
      return;
    }
    if (state.left) return;
    observer = detail.my_role === 'observer';
    if (detail.kind === 'ai' || isRoleplay(detail)) {
      scenario = await app
        .scenarioList()
        .then((list) => list.find((s) => s.id === detail!.scenario_id))
        .catch(() => undefined);
      issues = scenario?.issues ?? issuesFromOffers(detail.offers);
    } else {
      issues = TRADE_ISSUES;
    }
    if (state.left) return;
    const my = detail.parties.find((p) => p.user === me);
    const other = detail.parties.find((p) => p.user !== me);
    if (isRoleplay(detail)) {
      const [p1, p2] = detail.parties;
      titleEl.textContent = scenario?.title ?? 'Role-play';
      replace(
        subtitle,
        observer
          ? `Watching: ${partyName(p1)} (${p1?.role}) and ${partyName(p2)} (${p2?.role}). `
          : `You are the ${my?.role ?? 'student'}; ${partyName(other)} is the ${other?.role ?? 'other side'}. `,
        statusBadge(detail.status),
      );
      const brief = ownBrief(detail);
      if (brief && !observer) {
        replace(
          briefSlot,
          h(
            'details',
            { class: 'card brief', open: window.innerWidth > 700 && detail.status === 'active' ? true : null },
            h('summary', null, 'Your brief (private)'),
            h('div', { class: 'brief-text', tabindex: '0' }, brief),
          ),
        );
      }
    } else if (detail.kind === 'ai') {
      titleEl.textContent = scenario?.title ?? 'AI practice';
      const student = detail.parties.find((p) => p.user !== 'ai');
      const aiRole = detail.parties.find((p) => p.user === 'ai')?.role ?? 'counterpart';
      const studentText = `${shortName(student?.user ?? 'the student')} (${student?.role ?? 'student'})`;
      replace(
        subtitle,
        observer ? `Watching: ${studentText} and the AI (${aiRole}). ` : `You are the ${my?.role ?? 'student'}; the AI is the ${aiRole}. `,
        statusBadge(detail.status),
      );
      if (scenario?.student_brief) {
        replace(
          briefSlot,
          h(
            'details',
            { class: 'card brief', open: window.innerWidth > 700 && detail.status === 'active' ? true : null },
            h('summary', null, observer ? `Brief of ${studentText}` : 'Your brief (private)'),
            h('div', { class: 'brief-text', tabindex: '0' }, scenario.student_brief),
          ),
        );
      }
    } else {
      const seller = detail.parties.find((p) => p.role === 'seller');
      const buyer = detail.parties.find((p) => p.role === 'buyer');
      titleEl.textContent = observer
        ? `Trade of ${detail.chemical}: ${shortName(seller?.user ?? '?')} sells to ${shortName(buyer?.user ?? '?')}`
        : my?.role === 'buyer'
          ? `Buying ${detail.chemical} from ${shortName(other?.user ?? '?')}`
          : `Selling ${detail.chemical} to ${shortName(other?.user ?? '?')}`;
      replace(subtitle, observer ? 'You are observing. ' : `You are the ${my?.role}. `, statusBadge(detail.status));
    }
    if (observer) composer.remove();
    const otherLabel = detail.kind === 'ai' ? 'AI' : partyName(other);
    panel = new OfferPanel({
      issues,
      me,
      myLabel: observer ? `${detail.parties[0]?.role ?? 'party 1'}` : (my?.role ?? 'you'),
      otherLabel: observer ? `${detail.parties[1]?.role ?? 'party 2'}` : otherLabel,
      observer,
      ownSide: (detail as NegotiationDetail & { own_side?: OwnSide }).own_side,
      propose: (terms: Terms) => offerAction(ClientEvent.ProposeOffer, { terms }),
      agree: (terms: Terms) => offerAction(ClientEvent.AgreeOffer, { terms }),
      reject: () => offerAction(ClientEvent.RejectNegotiation, {}),
    });
    replace(panelSlot, panel.el);
    if (observer) {
      pendingOffers = mergeOffers(
        detail.parties.map(
          (p) =>
            detail!.offers.find((o) => o.user === p.user) ?? {
              user: p.user,
              role: p.role,
              offer: null,
              status: 'pending',
              last_updated: 0,
            },
        ),
        pendingOffers,
      );
      panel.updateObserved(pendingOffers);
    } else {
      panel.update(mergeOffers(detail.offers, pendingOffers), detail.opening_terms);
      pendingOffers = [];
    }
    if (detail.outcome) void showResults(outcomeUpdate(detail.outcome));
    else if (state.closed) panel.setClosed(true);
  }

  void load().then(() => {
    state.loaded();
    if (!state.left && conn.connected) void join();
  });
  // on phones the keyboard would cover the room: focus the composer on wide screens only
  if (window.matchMedia('(min-width: 700px)').matches) textarea.focus({ preventScroll: true });

  return () => {
    // typing-stop still goes out while the room is ours; after leave() nothing is sent
    stopTyping();
    state.leave();
    jumpBar.remove();
    offStatus();
    for (const [event, fn] of handlers) socket.off(event, fn);
    timers.forEach(clearTimeout);
    if (conn.connected) socket.emit(ClientEvent.LeaveNegotiation, { negotiation_id: negotiationId });
    if (outbox.pending) toast('Some messages were not delivered before you left the room.', 'error');
  };
};

function mergeOffers(base: OfferView[], newer: OfferView[]): OfferView[] {
  const out = [...base];
  for (const v of newer) {
    const i = out.findIndex((x) => x.user === v.user);
    if (i >= 0) out[i] = v;
    else out.push(v);
  }
  return out;
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

/** A role-play: two students on the two sides of a scenario (a class session's peer round). */
function isRoleplay(d: NegotiationDetail): boolean {
  return (d.kind as string) === 'roleplay';
}

/** A party as people read it: their name when the server gives one, else the e-mail's local part. */
function partyName(p: { user: string; name?: string } | undefined): string {
  if (!p) return 'them';
  return p.name || shortName(p.user);
}

/** The caller's own brief in a role-play (the server sends only the caller's). */
function ownBrief(d: NegotiationDetail): string | null {
  const brief = (d as NegotiationDetail & { brief?: string | { text?: string } }).brief;
  return typeof brief === 'string' ? brief : (brief?.text ?? null);
}
