import type { NegotiationUpdate, OfferView } from '@parley/contracts/browser';
import type { OwnSide } from '@parley/negotiation/walk-away';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { StatusBadge } from '../components/badge';
import { Portal } from '../components/portal';
import type { ConnectionStatus } from '../connection';
import { displayName } from '../format';
import { useSession } from '../hooks';
import type { ScreenProps } from '../screens';
import type { Holdings, NegotiationDetail, TeamView } from '../types';
import { ChatLog, Composer, Outbox } from './chat';
import { confirmTypedAcceptance, OfferPanel, useGuard } from './offer-panel';
import { Results } from './results';
import { useRoom, type RoomInfo } from './use-room';

const CONNECTION_TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Connection lost. Reconnecting…',
  offline: 'You are offline. Parley reconnects when your network is back.',
};

/** #/room/<id>: a negotiation's room (also shown inside a student's session page). */
export function RoomScreen({ param }: ScreenProps) {
  if (!param || !/^[A-Za-z0-9._+@-]{1,200}$/.test(param)) return <NotFound />;
  return <Room id={param} />;
}

function NotFound({ why }: { why?: string }) {
  return (
    <section class="card">
      <h1>Negotiation not found</h1>
      {why ? <p>{why}</p> : null}
      <p>
        <a href="#/lobby">Back to the lobby</a>
      </p>
    </section>
  );
}

/**
 * The room: chat, offer panel, results and debrief, the connection banner; for an instructor, the same
 * read-only. On a phone the terms sit below the chat, and a bar at the top jumps between the two.
 */
function Room({ id }: { id: string }) {
  const me = useSession()!.user;
  const { state, info, status, notFound, actions } = useRoom(id);
  const closed = state.phase === 'closed';
  const observer = info?.observer ?? false;
  const guard = useGuard((info?.detail as (NegotiationDetail & { own_side?: OwnSide }) | undefined)?.own_side);
  const results = useResults(state.outcome, info);
  const chatSection = useRef<HTMLElement>(null);
  const panelSlot = useRef<HTMLDivElement>(null);
  const chatHeading = useId();

  const parties = info?.detail.parties ?? [];
  const [mine, theirs] = observer
    ? [state.offers[0] ?? null, state.offers[1] ?? null]
    : [state.offers.find((o) => o.user === me.email) ?? null, state.offers.find((o) => o.user !== me.email) ?? null];
  const newOffer = useNewOfferBadge(panelSlot, info ? (observer ? [mine, theirs] : [theirs]) : null);

  if (notFound) return <NotFound why="It does not exist, or you are not one of its parties." />;

  const names = (user: string) =>
    user === 'ai'
      ? `AI (${parties.find((p) => p.user === 'ai')?.role ?? 'counterpart'})`
      : partyName(parties.find((p) => p.user === user) ?? { user });
  const typing = [state.peerTyping ? `${names(state.peerTyping)} is typing…` : '', state.aiTyping ? 'The AI counterpart is typing…' : '']
    .filter(Boolean)
    .join(' ');
  // on a phone the terms sit below the chat: the bar jumps between the two without a long scroll
  const jumpTo = (section: HTMLElement | null) => {
    section?.scrollIntoView({ block: 'start' });
    section?.querySelector<HTMLElement>('h2')?.focus({ preventScroll: true });
  };
  const head = info ? heading(info, me.email) : { title: 'Negotiation', sub: null };
  const my = parties.find((p) => p.user === me.email);
  const other = parties.find((p) => p.user !== me.email);

  return (
    <div class="room" data-phase={state.phase}>
      <Portal into="sticky-top">
        <nav class="room-jump" aria-label="Room sections">
          <button type="button" onClick={() => jumpTo(chatSection.current)}>
            Chat
          </button>
          <button
            type="button"
            onClick={() => {
              newOffer.clear();
              jumpTo(panelSlot.current);
            }}
          >
            Terms
            {newOffer.shown ? (
              <span class="badge jump-badge">
                <span class="sr-only">, </span>new offer
              </span>
            ) : null}
          </button>
        </nav>
      </Portal>
      <div class="room-head">
        <p class="back">{me.role === 'instructor' ? <a href="#/instructor">← Dashboard</a> : <a href="#/lobby">← Lobby</a>}</p>
        <h1 class="room-title">{head.title}</h1>
        <p class="muted room-sub">
          {head.sub}
          {info ? <StatusBadge status={state.outcome?.status ?? info.detail.status} /> : null}
        </p>
        <div class="conn-banner" role="status" aria-live="polite" data-state={status}>
          {CONNECTION_TEXT[status]}
        </div>
      </div>
      <div class="results-slot">
        {results ? <Results update={results.update} issues={info?.issues ?? []} holdings={results.holdings} parties={parties} /> : null}
      </div>
      <div class="room-grid">
        <div class="brief-slot">{info ? <Brief info={info} /> : null}</div>
        <section ref={chatSection} class="card chat" aria-labelledby={chatHeading}>
          <h2 id={chatHeading} tabIndex={-1}>
            Chat
          </h2>
          <ChatLog messages={state.messages} me={me.email} mineTick={state.mineTick} nameOf={names} />
          <Outbox items={state.outbox} online={status === 'connected' && state.member} retry={actions.retry} discard={actions.discard} />
          <p class="typing" aria-live="polite">
            {typing}
          </p>
          {observer ? null : (
            <Composer
              closed={closed}
              confirm={(text) => confirmTypedAcceptance(guard, text, theirs, closed)}
              send={actions.send}
              typing={actions.typing}
            />
          )}
          <p class="muted closed-note" hidden={!closed}>
            This negotiation is over; the chat is read-only.
          </p>
        </section>
        <div ref={panelSlot} class="panel-slot">
          {info ? (
            <OfferPanel
              issues={info.issues}
              mine={mine}
              theirs={theirs}
              opening={observer ? undefined : info.detail.opening_terms}
              myLabel={observer ? (parties[0]?.role ?? 'party 1') : (my?.role ?? 'you')}
              otherLabel={observer ? (parties[1]?.role ?? 'party 2') : info.detail.kind === 'ai' ? 'AI' : partyName(other)}
              observer={observer}
              closed={closed}
              guard={guard}
              propose={actions.propose}
              agree={actions.agree}
              reject={actions.reject}
            />
          ) : null}
        </div>
      </div>
    </div>
  );
}

/** The outcome with (a trade's party) the holdings after it, once they are fetched. */
function useResults(outcome: NegotiationUpdate | null, info: RoomInfo | null) {
  const [results, setResults] = useState<{ update: NegotiationUpdate; holdings: Holdings | null } | null>(null);
  useEffect(() => {
    if (!outcome) return;
    let live = true;
    const holdings =
      info?.detail.kind === 'peer' && !info.observer
        ? api<TeamView>('GET', '/api/teams/me')
            .then((t) => t.holdings)
            .catch(() => null)
        : Promise.resolve(null);
    void holdings.then((h) => live && setResults({ update: outcome, holdings: h }));
    return () => {
      live = false;
    };
  }, [outcome, info]);
  return results;
}

/**
 * "new offer" on the phone bar's Terms button: the other side's terms (an observer: either side's) changed
 * while the terms were out of sight. Gone once the terms are opened or scrolled into the upper half of the screen.
 */
function useNewOfferBadge(panel: { current: HTMLElement | null }, offers: (OfferView | null)[] | null) {
  const [shown, setShown] = useState(false);
  const inView = useRef(false);
  const last = useRef<string | null>(null);
  useEffect(() => {
    const el = panel.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      ([entry]) => {
        inView.current = entry!.isIntersecting;
        if (inView.current) setShown(false);
      },
      { rootMargin: '0px 0px -50% 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, []);
  const key = offers?.map((o) => `${o?.offer?.timestamp ?? ''}:${o?.status ?? ''}`).join('|') ?? null;
  useEffect(() => {
    if (key === null) return;
    if (last.current !== null && last.current !== key && !inView.current) setShown(true);
    last.current = key;
  }, [key]);
  return { shown, clear: () => setShown(false) };
}

function Brief({ info }: { info: RoomInfo }) {
  const { detail, observer, scenario } = info;
  const [open] = useState(() => window.innerWidth > 700 && detail.status === 'active');
  let summary = 'Your brief (private)';
  let text: string | null = null;
  if (detail.kind === 'roleplay') text = observer ? null : ownBrief(detail);
  else if (detail.kind === 'ai') {
    text = scenario?.student_brief || null;
    if (observer) summary = `Brief of ${studentText(detail)}`;
  }
  if (!text) return null;
  return (
    <details class="card brief" open={open}>
      <summary>{summary}</summary>
      <div class="brief-text" tabIndex={0}>
        {text}
      </div>
    </details>
  );
}

/** The room's title and the line under it: who is who. */
function heading({ detail, observer, scenario }: RoomInfo, me: string): { title: string; sub: string } {
  const my = detail.parties.find((p) => p.user === me);
  const other = detail.parties.find((p) => p.user !== me);
  if (detail.kind === 'roleplay') {
    const [p1, p2] = detail.parties;
    return {
      title: scenario?.title ?? 'Role-play',
      sub: observer
        ? `Watching: ${partyName(p1)} (${p1?.role}) and ${partyName(p2)} (${p2?.role}). `
        : `You are the ${my?.role ?? 'student'}; ${partyName(other)} is the ${other?.role ?? 'other side'}. `,
    };
  }
  if (detail.kind === 'ai') {
    const aiRole = detail.parties.find((p) => p.user === 'ai')?.role ?? 'counterpart';
    return {
      title: scenario?.title ?? 'AI practice',
      sub: observer
        ? `Watching: ${studentText(detail)} and the AI (${aiRole}). `
        : `You are the ${my?.role ?? 'student'}; the AI is the ${aiRole}. `,
    };
  }
  const seller = detail.parties.find((p) => p.role === 'seller');
  const buyer = detail.parties.find((p) => p.role === 'buyer');
  return {
    title: observer
      ? `Trade of ${detail.chemical}: ${partyName(seller)} sells to ${partyName(buyer)}`
      : my?.role === 'buyer'
        ? `Buying ${detail.chemical} from ${partyName(other)}`
        : `Selling ${detail.chemical} to ${partyName(other)}`,
    sub: observer ? 'You are observing. ' : `You are the ${my?.role}. `,
  };
}

function studentText(detail: NegotiationDetail): string {
  const student = detail.parties.find((p) => p.user !== 'ai');
  return `${student ? partyName(student) : 'the student'} (${student?.role ?? 'student'})`;
}

function partyName(p: { user: string; name?: string } | undefined): string {
  return p ? displayName(p.user, p.name) : 'them';
}

/** The caller's own brief in a role-play (the server sends only the caller's). */
function ownBrief(d: NegotiationDetail): string | null {
  const brief = (d as NegotiationDetail & { brief?: string | { text?: string } }).brief;
  return typeof brief === 'string' ? brief : (brief?.text ?? null);
}
