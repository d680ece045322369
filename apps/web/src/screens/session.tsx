import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { Countdown } from '../components/countdown';
import { DownloadButton } from '../components/download';
import { useSession } from '../hooks';
import type { ScreenProps } from '../screens';
import { roundRunning, sessionPath, useSessionFeed, type SessionFeed } from '../sessions/live';
import { latestRound, type ClassSession, type LiveView, type MemberState, type SessionRound } from '../sessions/types';
import { fmtTime } from '../format';
import { toast } from '../toast';
import { RoomScreen as RoomPane } from '../room/room';
import { Debrief } from './debrief';
import { HandPairing, type HandPair } from './pairing';

const STATE_LABELS: Record<MemberState, string> = { waiting: 'Waiting', negotiating: 'Negotiating', done: 'Done' };

/** #/session/<id>: the instructor's control room, or a student's place in the class; #/session/<id>/debrief. */
export function SessionScreen({ param, sub }: ScreenProps) {
  const session = useSession();
  const instructor = session?.user.role === 'instructor';
  if (!param) return <NotFound />;
  if (sub === 'debrief' && instructor) return <Debrief sessionId={param} />;
  return instructor ? <InstructorSession id={param} /> : <StudentSession id={param} />;
}

function NotFound({ message }: { message?: string }) {
  return (
    <section class="card">
      <h1>Session not found</h1>
      {message ? <p>{message}</p> : null}
      <p>
        <a href="#/lobby">Back to the lobby</a>
      </p>
    </section>
  );
}

function Broadcasts({ feed }: { feed: SessionFeed }) {
  return (
    <div class="broadcasts" aria-live="polite">
      {feed.broadcasts.map((b) => (
        <p class="broadcast" key={`${b.at}-${b.text}`} role="status">
          <strong>Message from your instructor:</strong> {b.text} <span class="muted small">{fmtTime(b.at)}</span>
        </p>
      ))}
    </div>
  );
}

// ---- student ------------------------------------------------------------------------------------

function StudentSession({ id }: { id: string }) {
  const feed = useSessionFeed(id, false);
  const me = useSession()?.user.email;
  if (feed.error && !feed.detail) return <NotFound message={feed.error} />;
  if (!feed.detail) return <p class="muted">Loading…</p>;
  const detail = feed.detail.session;
  const round = latestRound(feed.detail);
  const pair = round?.pairs.find((p) => p.a === me || p.b === me);
  const partner = pair?.b === 'ai' || pair?.a === 'ai' ? 'the AI' : feed.started?.round === round?.n ? feed.started?.partner : undefined;
  const negotiationId = pair?.negotiation_id ?? (feed.started?.round === round?.n ? feed.started?.negotiation_id : undefined);
  const running = roundRunning(round);
  return (
    <div class="class-session" data-session={detail.id}>
      <div class="session-bar card">
        <p class="session-name">
          <strong>{detail.title}</strong> <span class="muted small">· code {detail.code}</span>
        </p>
        {!round ? (
          <p class="session-state" data-state="waiting">
            You have joined. Waiting for your instructor to start the round and pair you…
          </p>
        ) : running ? (
          <>
            <p class="session-state" data-state="running">
              Round {round.n}
              {pair ? ` · you are the ${pair.a === me ? pair.roles.a : pair.roles.b}` : ''}
              {partner ? ` · with ${partner}` : ''}
            </p>
            <Countdown endsAt={round.ends_at} label={`Round ${round.n} ends in`} />
          </>
        ) : (
          <p class="session-state" data-state="over">
            Round {round.n} is over. Your results are below; wait here for the next round.
          </p>
        )}
        <Broadcasts feed={feed} />
      </div>
      {negotiationId ? <RoomPane key={negotiationId} param={negotiationId} /> : <h1 class="sr-only">{detail.title}</h1>}
    </div>
  );
}

// ---- instructor ---------------------------------------------------------------------------------

function InstructorSession({ id }: { id: string }) {
  const feed = useSessionFeed(id, true);
  const { live } = feed;
  if (feed.error && !feed.detail) return <NotFound message={feed.error} />;
  if (!feed.detail) return <p class="muted">Loading…</p>;
  const detail = feed.detail.session;
  const link = `${location.origin}${detail.join_url ?? `/join/${detail.code}`}`;
  const round: SessionRound | null = live?.round ?? latestRound(feed.detail);
  return (
    <div class="class-session instructor-session" data-session={detail.id}>
      <div class="page-head">
        <h1 class="page-title">{detail.title}</h1>
        <p class="muted small">
          {detail.mode === 'peer' ? 'Peer role-play' : detail.mode === 'ai' ? 'AI practice' : 'Market'} · rounds of{' '}
          {Math.round(detail.round_seconds / 60)} min · pairing: {detail.pairing}
          {detail.pairing_column ? ` (${detail.pairing_column})` : ''} · <a href="#/sessions">All sessions</a>
        </p>
      </div>
      <section class="card join-card" aria-labelledby="join-h">
        <h2 id="join-h">Join this session</h2>
        <p class="join-code" data-code={detail.code}>
          <span class="sr-only">Join code: </span>
          {detail.code}
        </p>
        <p class="join-link">
          <a href={link}>{link}</a>
        </p>
        <p class="muted small">Students sign in, then enter the code in the lobby or open the link.</p>
      </section>
      <div class="grid">
        <RoundControls
          id={id}
          session={detail}
          round={round}
          members={live?.members ?? feed.detail.members.map((m) => ({ email: m.email ?? '', name: m.name }))}
          onChange={feed.reload}
        />
        <BroadcastForm id={id} />
      </div>
      <LiveSection live={live} />
      <section class="card wide" aria-labelledby="data-h">
        <h2 id="data-h">Debrief and data</h2>
        <p>
          <a class="button-link" href={`#/session/${encodeURIComponent(id)}/debrief`}>
            Open the debrief
          </a>
        </p>
        <div class="buttons">
          <DownloadButton path={sessionPath(id, '/grades.csv')} file="grades.csv">
            Download grades (CSV)
          </DownloadButton>
          <DownloadButton path={sessionPath(id, '/transcripts.csv')} file="transcripts.csv">
            Download transcripts (CSV)
          </DownloadButton>
          <DownloadButton path={sessionPath(id, '/export.json')} file="session.json">
            Download everything (JSON)
          </DownloadButton>
        </div>
      </section>
    </div>
  );
}

function RoundControls({
  id,
  session,
  round,
  members,
  onChange,
}: {
  id: string;
  session: ClassSession;
  round: SessionRound | null;
  members: { email: string; name: string }[];
  onChange(): void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [pairs, setPairs] = useState<HandPair[]>([]);
  const running = roundRunning(round);
  const next = (round?.n ?? 0) + 1;
  const byHand = session.mode === 'peer' && !running;
  async function act(path: string, body?: unknown): Promise<void> {
    setBusy(true);
    setError('');
    try {
      await api('POST', sessionPath(id, path), body);
      setPairs([]);
      onChange();
    } catch (e) {
      setError((e as ApiError).message);
    } finally {
      setBusy(false);
    }
  }
  const pairing = byHand ? (
    <HandPairing
      members={members}
      scenarioId={session.scenario_ids[(next - 1) % session.scenario_ids.length]}
      pairs={pairs}
      onChange={setPairs}
      fallback={
        session.pairing === 'manual'
          ? 'not start: add at least one pair'
          : next > 1
            ? "swap everyone's role and give them new partners"
            : session.pairing === 'column'
              ? 'pair them by the roster column'
              : 'pair them at random'
      }
    />
  ) : null;
  return (
    <section class="card" aria-labelledby="round-h">
      <h2 id="round-h">{round ? `Round ${round.n}` : 'Rounds'}</h2>
      {round && running ? <Countdown endsAt={round.ends_at} label="Ends in" /> : null}
      {round && !running ? <p class="muted">Round {round.n} is over.</p> : null}
      {!round ? <p class="muted">{members.length === 1 ? '1 student has' : `${members.length} students have`} joined.</p> : null}
      {pairing && members.length ? (
        session.pairing === 'manual' ? (
          <div class="pairing-by-hand" aria-label={`Pairs for round ${next}`} role="group">
            <h3>Pairs for round {next}</h3>
            {pairing}
          </div>
        ) : (
          <details class="pairing-by-hand">
            <summary>Pair round {next} by hand</summary>
            {pairing}
          </details>
        )
      ) : null}
      <div class="buttons">
        {running ? (
          <button type="button" class="danger" disabled={busy} onClick={() => void act('/rounds/current/end')}>
            End round {round!.n}
          </button>
        ) : (
          <button
            type="button"
            class="primary"
            disabled={busy || members.length === 0 || (byHand && session.pairing === 'manual' && !pairs.length)}
            onClick={() => void act('/rounds', pairs.length ? { pairs } : undefined)}
          >
            Start round {next}
            {pairs.length ? ` with ${pairs.length === 1 ? '1 pair' : `${pairs.length} pairs`} by hand` : ''}
          </button>
        )}
      </div>
      <p class="form-error" role="alert">
        {error}
      </p>
    </section>
  );
}

function BroadcastForm({ id }: { id: string }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <section class="card" aria-labelledby="broadcast-h">
      <h2 id="broadcast-h">Message to the class</h2>
      <form
        class="broadcast-form"
        aria-labelledby="broadcast-h"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!text.trim()) return;
          setBusy(true);
          try {
            await api('POST', sessionPath(id, '/broadcast'), { text: text.trim() });
            toast('Message sent to the session.');
            setText('');
          } catch (err) {
            toast(`Could not send: ${(err as Error).message}`, 'error');
          } finally {
            setBusy(false);
          }
        }}
      >
        <label for="broadcast-text">Message</label>
        <textarea id="broadcast-text" rows={2} maxLength={500} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" disabled={busy || !text.trim()}>
          Send to everyone
        </button>
      </form>
    </section>
  );
}

function LiveSection({ live }: { live: LiveView | null }) {
  const counts = { waiting: 0, negotiating: 0, done: 0 };
  for (const m of live?.members ?? []) counts[m.state] += 1;
  return (
    <section class="card wide" aria-labelledby="live-h">
      <h2 id="live-h">Live</h2>
      <ul class="live-counts plain" aria-label="Summary">
        <li data-count="waiting">Waiting: {counts.waiting}</li>
        <li data-count="negotiating">Negotiating: {counts.negotiating}</li>
        <li data-count="done">Done: {counts.done}</li>
        <li data-count="deals">Deals: {live?.deals ?? 0}</li>
        <li data-count="no-deals">No deals: {live?.no_deals ?? 0}</li>
      </ul>
      {!live?.members.length ? (
        <p class="muted">No student has joined yet.</p>
      ) : (
        <div class="table-wrap table-scroll" tabIndex={0} role="region" aria-label="Students in this session">
          <table class="live-table">
            <caption class="sr-only">Students in this session and where they are</caption>
            <thead>
              <tr>
                <th scope="col">Student</th>
                <th scope="col">State</th>
                <th scope="col">Role</th>
                <th scope="col">Partner</th>
                <th scope="col">
                  <span class="sr-only">Watch</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {live.members.map((m) => (
                <tr key={m.email} data-member={m.email} data-state={m.state}>
                  <td>{m.name || m.email}</td>
                  <td>
                    <span class={`badge badge-${m.state}`}>{STATE_LABELS[m.state]}</span>
                  </td>
                  <td>{m.role ?? '—'}</td>
                  <td>{m.partner || '—'}</td>
                  <td>
                    {m.negotiation_id ? (
                      <a href={`#/room/${encodeURIComponent(m.negotiation_id)}`} aria-label={`Watch ${m.name || m.email}'s negotiation`}>
                        Watch
                      </a>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
