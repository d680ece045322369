import { ServerEvent } from '@parley/contracts/browser';
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { app } from '../app';
import { StatusBadge } from '../components/badge';
import { DownloadButton } from '../components/download';
import { ScrollTable } from '../components/table';
import { displayName, fmtNumber, fmtScoreOf, fmtTerms, fmtTime, plainReason, SCORE_KEYS } from '../format';
import { refreshOnPush } from '../push';
import { toast } from '../toast';
import type { InstructorNegotiation, InstructorTransaction, ScenarioInfo } from '../types';

type Loaded<T> = { list: T[] } | { error: string } | null;

const isLive = (n: InstructorNegotiation) => n.status === 'active' || n.status === 'settling';
const recentFirst = (a: InstructorNegotiation, b: InstructorNegotiation) => (b.last_activity ?? 0) - (a.last_activity ?? 0);

/** #/instructor: the class at a glance — live negotiations, outcomes and scores, transactions, the grade sheet and transcripts. */
export function Dashboard() {
  const [scenarios, setScenarios] = useState<ScenarioInfo[]>([]);
  const [negotiations, setNegotiations] = useState<Loaded<InstructorNegotiation>>(null);
  const [trades, setTrades] = useState<Loaded<InstructorTransaction>>(null);
  const [updated, setUpdated] = useState('');
  const [version, setVersion] = useState(0);

  useEffect(() => void app.scenarioList().then(setScenarios, () => undefined), []);
  useEffect(() => {
    let stopped = false;
    const refresh = async () => {
      const [negs, txs] = await Promise.allSettled([
        api<{ negotiations: InstructorNegotiation[] }>('GET', '/api/instructor/negotiations'),
        api<{ transactions: InstructorTransaction[] }>('GET', '/api/instructor/transactions'),
      ]);
      if (stopped) return;
      setNegotiations(negs.status === 'fulfilled' ? { list: negs.value.negotiations } : { error: (negs.reason as Error).message });
      setTrades(txs.status === 'fulfilled' ? { list: txs.value.transactions } : { error: (txs.reason as Error).message });
      setUpdated(`Updated ${new Date().toLocaleTimeString()}`);
    };
    // no timer: refreshed on a reconnect, when the tab is shown again, on Refresh, and on any update pushed to it
    const stop = refreshOnPush(refresh, [ServerEvent.NegotiationUpdate]);
    return () => {
      stopped = true;
      stop();
    };
  }, [version]);

  const scenarioOf = (n: InstructorNegotiation) => (n.kind === 'peer' ? undefined : scenarios.find((s) => s.id === n.scenario_id));
  const subject = (n: InstructorNegotiation) =>
    n.kind === 'peer' ? `Trade of ${n.chemical ?? '?'}` : (scenarioOf(n)?.title ?? n.scenario_id ?? 'AI practice');
  const partiesText = (n: InstructorNegotiation) => n.parties.map((p) => `${displayName(p.user, p.name)} (${p.role})`).join(' vs ');
  const roomLink = (n: InstructorNegotiation) => `#/room/${encodeURIComponent(n.negotiation_id)}`;

  async function openQueues(button: HTMLButtonElement): Promise<void> {
    // the dashboard takes a session cookie set here, so the token never goes into its URL
    button.disabled = true;
    try {
      await api('POST', '/admin/queues/session');
      location.assign('/admin/queues');
    } catch (e) {
      toast(`Could not open the job queues: ${(e as Error).message}`, 'error');
      button.disabled = false;
    }
  }

  const body = <T,>(loaded: Loaded<T>, empty: string, draw: (list: T[]) => JSX.Element) =>
    !loaded ? (
      <p class="muted">Loading…</p>
    ) : 'error' in loaded ? (
      <p class="form-error">Could not load: {loaded.error}</p>
    ) : loaded.list.length === 0 ? (
      <p class="muted">{empty}</p>
    ) : (
      draw(loaded.list)
    );
  const negs = (pick: (n: InstructorNegotiation) => boolean): Loaded<InstructorNegotiation> =>
    negotiations && 'list' in negotiations ? { list: negotiations.list.filter(pick).sort(recentFirst) } : negotiations;

  return (
    <>
      <div class="page-head">
        <h1 class="page-title">Instructor dashboard</h1>
        <div class="buttons">
          <button type="button" onClick={() => setVersion((v) => v + 1)}>
            Refresh
          </button>
          <button type="button" onClick={(e) => void openQueues(e.currentTarget)}>
            Job queues
          </button>
          <DownloadButton path="/api/instructor/grades.csv" file="parley-grades.csv" primary>
            Download CSV for grading
          </DownloadButton>
          <DownloadButton path="/api/instructor/transcripts.csv" file="parley-transcripts.csv">
            Download transcripts (CSV)
          </DownloadButton>
        </div>
        <p class="muted small">
          The grade sheet has one row per student per negotiation: name, e-mail, role, scenario, outcome, terms and each score. Each class
          session has its own: <a href="#/sessions">Sessions</a>.
        </p>
        <p class="muted small" aria-live="polite">
          {updated}
        </p>
      </div>
      <section class="card wide" aria-labelledby="live-h">
        <h2 id="live-h">Live negotiations</h2>
        {body(negs(isLive), 'No negotiation is running.', (list) => (
          <ScrollTable
            caption="Live negotiations, most recent activity first"
            head={['Negotiation', 'Parties', 'Status', 'Messages', 'Last activity', '']}
            numeric={[3]}
          >
            {list.map((n) => (
              <tr key={n.negotiation_id} data-negotiation={n.negotiation_id}>
                <td>{subject(n)}</td>
                <td>{partiesText(n)}</td>
                <td>
                  <StatusBadge status={n.status} />
                </td>
                <td class="num">{n.message_count}</td>
                <td>{fmtTime(n.last_activity)}</td>
                <td>
                  <a href={roomLink(n)} aria-label={`Watch ${subject(n)}: ${partiesText(n)}`}>
                    Watch
                  </a>
                </td>
              </tr>
            ))}
          </ScrollTable>
        ))}
      </section>
      <section class="card wide" aria-labelledby="done-h">
        <h2 id="done-h">Outcomes and scores</h2>
        {body(
          negs((n) => !isLive(n)),
          'No finished negotiation yet.',
          (list) => (
            <ScrollTable
              caption="Finished negotiations with outcome and scores"
              head={['Negotiation', 'Parties', 'Outcome', 'Terms', 'Claiming', 'Creating', 'Relationships', 'Overall', 'Ended']}
              numeric={[4, 5, 6, 7]}
            >
              {list.map((n) => {
                const terms = n.outcome?.deal_terms?.terms;
                const scenario = scenarioOf(n);
                // a role-play scores each student from their own brief: both, in the parties' order
                const scoreOf = (key: (typeof SCORE_KEYS)[number]) =>
                  n.outcome?.scores
                    ? n.parties
                        .map((p) =>
                          fmtScoreOf(n.outcome?.scores?.[p.user]?.final_score, n.outcome?.scores?.[p.user]?.score_explanations, key),
                        )
                        .join(' / ')
                    : fmtScoreOf(n.outcome?.final_score, n.outcome?.score_explanations, key);
                return (
                  <tr key={n.negotiation_id} data-negotiation={n.negotiation_id}>
                    <td>
                      <a href={roomLink(n)}>{subject(n)}</a>
                    </td>
                    <td>{partiesText(n)}</td>
                    <td>
                      <StatusBadge status={n.status} />
                      {n.outcome?.reason ? <span class="small muted"> {plainReason(n.outcome.reason, undefined, n.parties)}</span> : null}
                    </td>
                    <td>{terms ? fmtTerms(terms, scenario, n.chemical) : '—'}</td>
                    <td class="num">{scoreOf('claiming_value')}</td>
                    <td class="num">{scoreOf('creating_value')}</td>
                    <td class="num">{scoreOf('managing_relationships')}</td>
                    <td class="num strong">{scoreOf('overall')}</td>
                    <td>{fmtTime(n.outcome?.settled_at ?? n.last_activity)}</td>
                  </tr>
                );
              })}
            </ScrollTable>
          ),
        )}
      </section>
      <section class="card wide" aria-labelledby="tx-h">
        <h2 id="tx-h">Transactions</h2>
        {body(
          // each trade is two files (buyer and seller): show the buyer's side once
          trades && 'list' in trades
            ? { list: trades.list.filter((t) => t.type === 'buy').sort((a, b) => b.timestamp - a.timestamp) }
            : trades,
          'No trades yet.',
          (list) => (
            <ScrollTable
              caption="Trades, newest first"
              head={['When', 'Buyer', 'Seller', 'Chemical', 'Price', 'Quantity', 'Value']}
              numeric={[4, 5, 6]}
            >
              {list.map((t) => (
                <tr key={t.file}>
                  <td>{fmtTime(t.timestamp)}</td>
                  <td>{displayName(t.team, t.team_name)}</td>
                  <td>{displayName(t.counterparty, t.counterparty_name)}</td>
                  <td>{t.chemical}</td>
                  <td class="num">{fmtNumber(t.price)}</td>
                  <td class="num">{fmtNumber(t.quantity)}</td>
                  <td class="num">{fmtNumber(t.price * t.quantity)}</td>
                </tr>
              ))}
            </ScrollTable>
          ),
        )}
      </section>
    </>
  );
}
