import type { FinalScore, Terms, NegotiationUpdate, ScoreExplanations } from '@parley/contracts/browser';
import type { BriefView, Debrief } from '@parley/negotiation/debrief';
import { NOT_APPLICABLE } from '@parley/negotiation/walk-away';
import { api } from '../api';
import { dealChart } from '../chart';
import { h, replace, uid } from '../dom';
import { fmtNumber, fmtScoreOf, fmtTerm, plainReason, SCORE_KEYS, SCORE_LABELS, scoreApplies } from '../format';
import { getSession } from '../session';
import type { Holdings, Issue } from '../types';

const HEADLINES: Record<string, string> = {
  completed: 'Deal reached',
  rejected: 'No deal: the negotiation was rejected',
  expired: 'No deal: the negotiation expired',
  failed: 'The negotiation could not be settled',
};

/**
 * The results view: deal terms, the scores with their explanations, (trades) new holdings, and for a
 * scored negotiation the debrief: what to try next time, the moves with their lines, the other side's
 * brief revealed and the deal on a chart.
 */
export function resultsView(update: NegotiationUpdate, issues: Issue[], holdings?: Holdings | null): HTMLElement {
  const headingId = uid('results-h');
  const terms = update.deal_terms?.agreed ? update.deal_terms.terms : null;
  // a role-play scores each student from their own brief
  const own = (
    update as NegotiationUpdate & { scores?: Record<string, { final_score: FinalScore; score_explanations?: ScoreExplanations }> }
  ).scores?.[getSession()?.user.email ?? ''];
  const score = own?.final_score ?? update.final_score;
  const explanations = own?.score_explanations ?? update.score_explanations;
  const debriefSlot = h('div', { class: 'debrief-slot' });
  if (score) void loadDebrief(update.negotiation_id, debriefSlot);
  return h(
    'section',
    { class: `card results results-${update.status}`, 'aria-labelledby': headingId, 'data-status': update.status },
    h('h2', { id: headingId, tabindex: '-1' }, HEADLINES[update.status] ?? `Negotiation ${update.status}`),
    update.reason ? h('p', { class: 'reason' }, plainReason(update.reason, getSession()?.user.email)) : null,
    terms ? termsList(terms, issues) : null,
    score ? scoreCards(score, explanations) : null,
    debriefSlot,
    holdings
      ? h(
          'div',
          { class: 'new-holdings' },
          h('h3', null, 'Your holdings now'),
          h(
            'p',
            null,
            `Cash ${fmtNumber(holdings.cash)} · C ${fmtNumber(holdings.C)} · N ${fmtNumber(holdings.N)} · D ${fmtNumber(holdings.D)} · Q ${fmtNumber(holdings.Q)}`,
          ),
        )
      : null,
    h('p', null, h('a', { href: '#/lobby' }, 'Back to the lobby')),
  );
}

function termsList(terms: Terms, issues: Issue[]): HTMLElement {
  const known = issues.filter((i) => i.name in terms);
  const extra = Object.keys(terms).filter((k) => !issues.some((i) => i.name === k));
  return h(
    'div',
    { class: 'deal-terms' },
    h('h3', null, 'Agreed terms'),
    h(
      'dl',
      { class: 'terms-list' },
      known.map((i) => h('div', null, h('dt', null, i.label), h('dd', null, fmtTerm(i, terms[i.name])))),
      extra.map((k) => h('div', null, h('dt', null, k.replace(/_/g, ' ')), h('dd', null, fmtNumber(terms[k])))),
    ),
  );
}

function scoreCards(score: FinalScore, explanations?: Partial<Record<keyof FinalScore, string>>): HTMLElement {
  return h(
    'div',
    { class: 'scores' },
    h('h3', null, 'Your scores (out of 100)'),
    h(
      'ul',
      { class: 'score-list' },
      SCORE_KEYS.map((k) => {
        const why = explanations?.[k];
        const applies = scoreApplies(explanations, k);
        return h(
          'li',
          { class: `score score-${k}`, 'data-score': k, 'data-applies': applies ? null : 'no' },
          h('span', { class: 'score-label' }, SCORE_LABELS[k]),
          h('span', { class: applies ? 'score-value' : 'score-value score-na' }, fmtScoreOf(score, explanations, k)),
          why
            ? h(
                'p',
                { class: 'score-explanation' },
                applies
                  ? why
                  : why
                      .slice(NOT_APPLICABLE.length)
                      .trim()
                      .replace(/^./, (c) => c.toUpperCase()),
              )
            : null,
        );
      }),
    ),
  );
}

async function loadDebrief(id: string, slot: HTMLElement): Promise<void> {
  let d: Debrief;
  try {
    d = await api<Debrief>('GET', `/api/negotiations/${encodeURIComponent(id)}/debrief`);
  } catch {
    return; // no debrief (a trade, or a scenario since removed): the scores stand alone
  }
  replace(slot, debriefView(d));
}

function debriefView(d: Debrief): HTMLElement {
  const feedbackId = uid('feedback-h');
  const revealId = uid('reveal-h');
  return h(
    'div',
    { class: 'debrief' },
    h(
      'section',
      { class: 'feedback', 'aria-labelledby': feedbackId },
      h('h3', { id: feedbackId }, 'Feedback'),
      h('p', { class: 'next-time' }, h('strong', null, 'Try next time: '), d.feedback.next_time),
      h(
        'ul',
        { class: 'feedback-list' },
        d.feedback.items.map((item) =>
          h(
            'li',
            { class: `feedback-item feedback-${item.kind}`, 'data-topic': item.topic },
            h('span', { class: 'feedback-kind' }, item.kind === 'good' ? 'Good move' : item.kind === 'mistake' ? 'To improve' : 'Note'),
            ' ',
            item.text,
            item.line ? h('q', { class: 'evidence', cite: `#msg-${item.line.seq}` }, item.line.quote) : null,
          ),
        ),
      ),
      d.relationships.length
        ? h(
            'details',
            { class: 'relationship-dims' },
            h('summary', null, 'How you managed the relationship'),
            h(
              'ul',
              null,
              d.relationships.map((r) =>
                h(
                  'li',
                  { 'data-dimension': r.key },
                  h('strong', null, `${r.label}: `),
                  r.summary,
                  r.evidence.map((e) => h('q', { class: 'evidence' }, e.quote)),
                ),
              ),
            ),
          )
        : null,
    ),
    h(
      'section',
      { class: 'reveal', 'aria-labelledby': revealId },
      h('h3', { id: revealId }, 'What the other side knew'),
      h('p', null, d.ended),
      h('div', { class: 'briefs' }, briefCard(`You (${d.you.role})`, d.you), briefCard(them(d.them), d.them)),
      d.chart ? dealChart(d.chart) : null,
    ),
  );
}

const them = (b: BriefView) => `${b.name ? `${b.name}, the ` : 'The '}${b.role}`;

function briefCard(title: string, b: BriefView): HTMLElement {
  return h(
    'div',
    { class: 'brief-card', 'data-brief': title.startsWith('You') ? 'you' : 'them' },
    h('h4', null, title),
    h('p', null, h('strong', null, 'Walk-away: '), b.walk_away.join('; ')),
    h('p', null, h('strong', null, 'Priorities: '), b.priorities.map((p) => `${p.label} ${p.points}`).join(', '), ' (of 100)'),
    b.facts.length
      ? h(
          'ul',
          { class: 'facts small' },
          b.facts.map((f) => h('li', null, f)),
        )
      : null,
  );
}
