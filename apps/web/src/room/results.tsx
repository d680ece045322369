import type { FinalScore, NegotiationUpdate, ScoreExplanations, Terms } from '@parley/contracts/browser';
import type { BriefView, Debrief } from '@parley/negotiation/debrief';
import { NOT_APPLICABLE } from '@parley/negotiation/walk-away';
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { dealChartConfig, describeDealChart } from '../chart';
import { ChartCanvas } from '../components/chart';
import { fmtNumber, fmtScoreOf, fmtTerm, plainReason, SCORE_KEYS, SCORE_LABELS, scoreApplies } from '../format';
import { getSession } from '../session';
import type { Holdings, Issue } from '../types';

const HEADLINES: Record<string, string> = {
  completed: 'Deal reached',
  rejected: 'No deal: the negotiation was rejected',
  expired: 'No deal: the negotiation expired',
  failed: 'The negotiation could not be settled',
};

type Scored = NegotiationUpdate & { scores?: Record<string, { final_score: FinalScore; score_explanations?: ScoreExplanations }> };

/**
 * The results: deal terms, the scores with their explanations, (trades) new holdings, and for a scored
 * negotiation the debrief: what to try next time, the moves with their lines, the other side's brief
 * revealed and the deal on a chart. Shown first, it scrolls into view and takes focus.
 */
export function Results({
  update,
  issues,
  holdings,
  parties,
}: {
  update: NegotiationUpdate;
  issues: Issue[];
  holdings?: Holdings | null;
  parties: { user: string; name?: string }[];
}) {
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const me = getSession()?.user.email;
  const terms = update.deal_terms?.agreed ? update.deal_terms.terms : null;
  // a role-play scores each student from their own brief
  const own = (update as Scored).scores?.[me ?? ''];
  const score = own?.final_score ?? update.final_score;
  const explanations = own?.score_explanations ?? update.score_explanations;
  useLayoutEffect(() => {
    heading.current!.closest('section')!.scrollIntoView({ block: 'start' });
    heading.current!.focus({ preventScroll: true });
  }, []);
  return (
    <section class={`card results results-${update.status}`} aria-labelledby={headingId} data-status={update.status}>
      <h2 ref={heading} id={headingId} tabIndex={-1}>
        {HEADLINES[update.status] ?? `Negotiation ${update.status}`}
      </h2>
      {update.reason ? <p class="reason">{plainReason(update.reason, me, parties)}</p> : null}
      {terms ? <TermsList terms={terms} issues={issues} /> : null}
      {score ? <ScoreCards score={score} explanations={explanations} /> : null}
      <div class="debrief-slot">{score ? <DebriefOf id={update.negotiation_id} /> : null}</div>
      {holdings ? (
        <div class="new-holdings">
          <h3>Your holdings now</h3>
          <p>
            {`Cash ${fmtNumber(holdings.cash)} · C ${fmtNumber(holdings.C)} · N ${fmtNumber(holdings.N)} · D ${fmtNumber(holdings.D)} · Q ${fmtNumber(holdings.Q)}`}
          </p>
        </div>
      ) : null}
      <p>
        <a href="#/lobby">Back to the lobby</a>
      </p>
    </section>
  );
}

function TermsList({ terms, issues }: { terms: Terms; issues: Issue[] }) {
  const known = issues.filter((i) => i.name in terms);
  const extra = Object.keys(terms).filter((k) => !issues.some((i) => i.name === k));
  return (
    <div class="deal-terms">
      <h3>Agreed terms</h3>
      <dl class="terms-list">
        {known.map((i) => (
          <div key={i.name}>
            <dt>{i.label}</dt>
            <dd>{fmtTerm(i, terms[i.name])}</dd>
          </div>
        ))}
        {extra.map((k) => (
          <div key={k}>
            <dt>{k.replace(/_/g, ' ')}</dt>
            <dd>{fmtNumber(terms[k])}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function ScoreCards({ score, explanations }: { score: FinalScore; explanations?: Partial<ScoreExplanations> }) {
  return (
    <div class="scores">
      <h3>Your scores (out of 100)</h3>
      <ul class="score-list">
        {SCORE_KEYS.map((k) => {
          const why = explanations?.[k];
          const applies = scoreApplies(explanations, k);
          return (
            <li key={k} class={`score score-${k}`} data-score={k} data-applies={applies ? undefined : 'no'}>
              <span class="score-label">{SCORE_LABELS[k]}</span>
              <span class={applies ? 'score-value' : 'score-value score-na'}>{fmtScoreOf(score, explanations, k)}</span>
              {why ? (
                <p class="score-explanation">
                  {applies
                    ? why
                    : why
                        .slice(NOT_APPLICABLE.length)
                        .trim()
                        .replace(/^./, (c) => c.toUpperCase())}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** The debrief, when there is one (none for a trade, or a scenario since removed: the scores stand alone). */
function DebriefOf({ id }: { id: string }) {
  const [d, setD] = useState<Debrief | null>(null);
  useEffect(() => {
    let live = true;
    api<Debrief>('GET', `/api/negotiations/${encodeURIComponent(id)}/debrief`)
      .then((x) => live && setD(x))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [id]);
  const feedbackId = useId();
  const revealId = useId();
  const chart = useMemo(
    () => (d?.chart ? { config: dealChartConfig(d.chart), label: describeDealChart(d.chart), kind: d.chart.kind } : null),
    [d],
  );
  if (!d) return null;
  return (
    <div class="debrief">
      <section class="feedback" aria-labelledby={feedbackId}>
        <h3 id={feedbackId}>Feedback</h3>
        <p class="next-time">
          <strong>Try next time: </strong>
          {d.feedback.next_time}
        </p>
        <ul class="feedback-list">
          {d.feedback.items.map((item, i) => (
            <li key={i} class={`feedback-item feedback-${item.kind}`} data-topic={item.topic}>
              <span class="feedback-kind">{item.kind === 'good' ? 'Good move' : item.kind === 'mistake' ? 'To improve' : 'Note'}</span>{' '}
              {item.text}
              {item.line ? (
                <q class="evidence" cite={`#msg-${item.line.seq}`}>
                  {item.line.quote}
                </q>
              ) : null}
            </li>
          ))}
        </ul>
        {d.relationships.length ? (
          <details class="relationship-dims">
            <summary>How you managed the relationship</summary>
            <ul>
              {d.relationships.map((r) => (
                <li key={r.key} data-dimension={r.key}>
                  <strong>{`${r.label}: `}</strong>
                  {r.summary}
                  {r.evidence.map((e, i) => (
                    <q key={i} class="evidence">
                      {e.quote}
                    </q>
                  ))}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </section>
      <section class="reveal" aria-labelledby={revealId}>
        <h3 id={revealId}>What the other side knew</h3>
        <p>{d.ended}</p>
        <div class="briefs">
          <BriefCard title={`You (${d.you.role})`} side="you" b={d.you} />
          <BriefCard title={`${d.them.name ? `${d.them.name}, the ` : 'The '}${d.them.role}`} side="them" b={d.them} />
        </div>
        {chart ? <ChartCanvas {...chart} /> : null}
      </section>
    </div>
  );
}

function BriefCard({ title, side, b }: { title: string; side: 'you' | 'them'; b: BriefView }) {
  return (
    <div class="brief-card" data-brief={side}>
      <h4>{title}</h4>
      <p>
        <strong>Walk-away: </strong>
        {b.walk_away.join('; ')}
      </p>
      <p>
        <strong>Priorities: </strong>
        {b.priorities.map((p) => `${p.label} ${p.points}`).join(', ')} (of 100)
      </p>
      {b.facts.length ? (
        <ul class="facts small">
          {b.facts.map((f, i) => (
            <li key={i}>{f}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
