import { api, download } from '../api';
import { ServerEvent } from '@parley/contracts/browser';
import { h, replace } from '../dom';
import { refreshOnPush } from '../push';
import { fmtNumber, fmtScoreOf, fmtTerms, fmtTime, plainReason, shortName, statusBadge } from '../format';
import { toast } from '../toast';
import type { View } from '../legacy';
import type { InstructorNegotiation, InstructorTransaction, ScenarioInfo } from '../types';

/** The class at a glance: live negotiations, outcomes and scores, transactions, and the CSV export. */
export const instructorView: View = (main, app) => {
  const live = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const finished = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const trades = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const updated = h('p', { class: 'muted small', 'aria-live': 'polite' });
  const exportBtn = h('button', { type: 'button', class: 'primary' }, 'Download CSV for grading');
  const refreshBtn = h('button', { type: 'button' }, 'Refresh');
  const queuesBtn = h('button', { type: 'button' }, 'Job queues');
  let scenarios: ScenarioInfo[] = [];
  let stopped = false;

  replace(
    main,
    h(
      'div',
      { class: 'page-head' },
      h('h1', { class: 'page-title' }, 'Instructor dashboard'),
      h('div', { class: 'buttons' }, refreshBtn, queuesBtn, exportBtn),
      h(
        'p',
        { class: 'muted small' },
        'The CSV holds every transcript line, every outcome with its scores, and every transaction (column row_type tells them apart).',
      ),
      updated,
    ),
    h('section', { class: 'card wide', 'aria-labelledby': 'live-h' }, h('h2', { id: 'live-h' }, 'Live negotiations'), live),
    h('section', { class: 'card wide', 'aria-labelledby': 'done-h' }, h('h2', { id: 'done-h' }, 'Outcomes and scores'), finished),
    h('section', { class: 'card wide', 'aria-labelledby': 'tx-h' }, h('h2', { id: 'tx-h' }, 'Transactions'), trades),
  );

  exportBtn.addEventListener('click', async () => {
    exportBtn.disabled = true;
    try {
      await download('/api/instructor/export.csv', 'parley-export.csv');
    } catch (e) {
      toast(`Export failed: ${(e as Error).message}`, 'error');
    } finally {
      exportBtn.disabled = false;
    }
  });
  refreshBtn.addEventListener('click', () => void refresh());
  // the dashboard takes a session cookie set here, so the token never goes into its URL
  queuesBtn.addEventListener('click', async () => {
    queuesBtn.disabled = true;
    try {
      await api('POST', '/admin/queues/session');
      location.assign('/admin/queues');
    } catch (e) {
      toast(`Could not open the job queues: ${(e as Error).message}`, 'error');
      queuesBtn.disabled = false;
    }
  });

  const subject = (n: InstructorNegotiation) =>
    n.kind === 'ai'
      ? (scenarios.find((s) => s.id === n.scenario_id)?.title ?? n.scenario_id ?? 'AI practice')
      : `Trade of ${n.chemical ?? '?'}`;
  const partiesText = (n: InstructorNegotiation) => n.parties.map((p) => `${shortName(p.user)} (${p.role})`).join(' vs ');

  async function refresh(): Promise<void> {
    if (scenarios.length === 0) scenarios = await app.scenarioList().catch(() => []);
    const [negs, txs] = await Promise.allSettled([
      api<{ negotiations: InstructorNegotiation[] }>('GET', '/api/instructor/negotiations'),
      api<{ transactions: InstructorTransaction[] }>('GET', '/api/instructor/transactions'),
    ]);
    if (stopped) return;
    if (negs.status === 'fulfilled') {
      const list = negs.value.negotiations;
      renderLive(list.filter((n) => n.status === 'active' || n.status === 'settling'));
      renderFinished(list.filter((n) => n.status !== 'active' && n.status !== 'settling'));
    } else {
      replace(live, h('p', { class: 'form-error' }, `Could not load: ${(negs.reason as Error).message}`));
      replace(finished);
    }
    if (txs.status === 'fulfilled') renderTrades(txs.value.transactions);
    else replace(trades, h('p', { class: 'form-error' }, `Could not load: ${(txs.reason as Error).message}`));
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  }

  function table(caption: string, head: string[], rows: HTMLElement[], numeric: number[] = []): HTMLElement {
    // focusable so a keyboard can scroll it; the hint shows on narrow screens where the columns overflow
    const wrap = h(
      'div',
      { class: 'table-wrap table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
      h(
        'table',
        null,
        h('caption', { class: 'sr-only' }, caption),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            head.map((t, i) => h('th', { scope: 'col', class: numeric.includes(i) ? 'num' : null }, t)),
          ),
        ),
        h('tbody', null, rows),
      ),
    );
    return h('div', null, wrap, h('p', { class: 'scroll-hint', 'aria-hidden': 'true' }, 'Scroll sideways for more →'));
  }

  function renderLive(list: InstructorNegotiation[]): void {
    if (list.length === 0) return replace(live, h('p', { class: 'muted' }, 'No negotiation is running.'));
    list.sort((a, b) => (b.last_activity ?? 0) - (a.last_activity ?? 0));
    replace(
      live,
      table(
        'Live negotiations, most recent activity first',
        ['Negotiation', 'Parties', 'Status', 'Messages', 'Last activity', ''],
        list.map((n) =>
          h(
            'tr',
            { 'data-negotiation': n.negotiation_id },
            h('td', null, subject(n)),
            h('td', null, partiesText(n)),
            h('td', null, statusBadge(n.status)),
            h('td', { class: 'num' }, String(n.message_count)),
            h('td', null, fmtTime(n.last_activity)),
            h(
              'td',
              null,
              h(
                'a',
                { href: `#/room/${encodeURIComponent(n.negotiation_id)}`, 'aria-label': `Watch ${subject(n)}: ${partiesText(n)}` },
                'Watch',
              ),
            ),
          ),
        ),
        [3],
      ),
    );
  }

  function renderFinished(list: InstructorNegotiation[]): void {
    if (list.length === 0) return replace(finished, h('p', { class: 'muted' }, 'No finished negotiation yet.'));
    list.sort((a, b) => (b.last_activity ?? 0) - (a.last_activity ?? 0));
    replace(
      finished,
      table(
        'Finished negotiations with outcome and scores',
        ['Negotiation', 'Parties', 'Outcome', 'Terms', 'Claiming', 'Creating', 'Relationships', 'Overall', 'Ended'],
        list.map((n) => {
          const s = n.outcome?.final_score;
          const why = n.outcome?.score_explanations;
          const terms = n.outcome?.deal_terms?.terms;
          const scenario = n.kind === 'ai' ? scenarios.find((x) => x.id === n.scenario_id) : undefined;
          return h(
            'tr',
            { 'data-negotiation': n.negotiation_id },
            h('td', null, h('a', { href: `#/room/${encodeURIComponent(n.negotiation_id)}` }, subject(n))),
            h('td', null, partiesText(n)),
            h(
              'td',
              null,
              statusBadge(n.status),
              n.outcome?.reason ? h('span', { class: 'small muted' }, ` ${plainReason(n.outcome.reason, undefined)}`) : null,
            ),
            h('td', null, terms ? fmtTerms(terms, scenario, n.chemical) : '—'),
            h('td', { class: 'num' }, fmtScoreOf(s, why, 'claiming_value')),
            h('td', { class: 'num' }, fmtScoreOf(s, why, 'creating_value')),
            h('td', { class: 'num' }, fmtScoreOf(s, why, 'managing_relationships')),
            h('td', { class: 'num strong' }, fmtScoreOf(s, why, 'overall')),
            h('td', null, fmtTime(n.outcome?.settled_at ?? n.last_activity)),
          );
        }),
        [4, 5, 6, 7],
      ),
    );
  }

  function renderTrades(list: InstructorTransaction[]): void {
    // each trade is two files (buyer and seller): show the buyer's side once
    const buys = list.filter((t) => t.type === 'buy').sort((a, b) => b.timestamp - a.timestamp);
    if (buys.length === 0) return replace(trades, h('p', { class: 'muted' }, 'No trades yet.'));
    replace(
      trades,
      table(
        'Trades, newest first',
        ['When', 'Buyer', 'Seller', 'Chemical', 'Price', 'Quantity', 'Value'],
        buys.map((t) =>
          h(
            'tr',
            null,
            h('td', null, fmtTime(t.timestamp)),
            h('td', null, shortName(t.team)),
            h('td', null, shortName(t.counterparty)),
            h('td', null, t.chemical),
            h('td', { class: 'num' }, fmtNumber(t.price)),
            h('td', { class: 'num' }, fmtNumber(t.quantity)),
            h('td', { class: 'num' }, fmtNumber(t.price * t.quantity)),
          ),
        ),
        [4, 5, 6],
      ),
    );
  }

  // no timer: refreshed on a reconnect, when the tab is shown again, on Refresh, and on any update pushed to it
  const stopRefreshing = refreshOnPush(refresh, [ServerEvent.NegotiationUpdate]);
  return () => {
    stopped = true;
    stopRefreshing();
  };
};
