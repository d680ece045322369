import type { FinalScore, Terms, NegotiationUpdate } from '@parley/contracts/browser';
import { h, uid } from '../dom';
import { fmtNumber, fmtScore, SCORE_KEYS, SCORE_LABELS } from '../format';
import type { Holdings, Issue } from '../types';

const HEADLINES: Record<string, string> = {
  completed: 'Deal reached',
  rejected: 'No deal: the negotiation was rejected',
  expired: 'No deal: the negotiation expired',
  failed: 'The negotiation could not be settled',
};

/** The results view: deal terms, the four scores with their explanations, and (trades) new holdings. */
export function resultsView(update: NegotiationUpdate, issues: Issue[], holdings?: Holdings | null): HTMLElement {
  const headingId = uid('results-h');
  const terms = update.deal_terms?.agreed ? update.deal_terms.terms : null;
  const score = update.final_score;
  return h(
    'section',
    { class: `card results results-${update.status}`, 'aria-labelledby': headingId, 'data-status': update.status },
    h('h2', { id: headingId, tabindex: '-1' }, HEADLINES[update.status] ?? `Negotiation ${update.status}`),
    update.reason ? h('p', { class: 'reason' }, update.reason) : null,
    terms ? termsList(terms, issues) : null,
    score ? scoreCards(score, update.score_explanations) : null,
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
      known.map((i) => h('div', null, h('dt', null, i.label), h('dd', null, `${fmtNumber(terms[i.name])}${i.unit ? ` ${i.unit}` : ''}`))),
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
      SCORE_KEYS.map((k) =>
        h(
          'li',
          { class: `score score-${k}`, 'data-score': k },
          h('span', { class: 'score-label' }, SCORE_LABELS[k]),
          h('span', { class: 'score-value' }, fmtScore(score[k])),
          explanations?.[k] ? h('p', { class: 'score-explanation' }, explanations[k]) : null,
        ),
      ),
    ),
  );
}
