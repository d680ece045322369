import { api, ApiError } from '../api';
import { go } from '../app';
import { ServerEvent } from '@parley/contracts/browser';
import { field, h, replace } from '../dom';
import { refreshOnPush } from '../push';
import { fmtNumber, fmtScore, fmtTerms, fmtTime, holdingsList, shortName, statusBadge } from '../format';
import { toast } from '../toast';
import type { View } from '../legacy';
import type { NegotiationSummary, Order, ScenarioInfo, TeamView } from '../types';


export const lobbyView: View = (main, app) => {
  const me = app.session!.user.email;
  const practice = h('div', { class: 'scenario-list' }, h('p', { class: 'muted' }, 'Loading scenarios…'));
  const mine = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const board = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const team = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const chemFilter = h(
    'select',
    { id: 'order-filter' },
    h('option', { value: '' }, 'All chemicals'),
    ['C', 'N', 'D', 'Q'].map((c) => h('option', { value: c }, c)),
  );
  let scenarios: ScenarioInfo[] = [];
  let stopped = false;

  replace(
    main,
    h('h1', { class: 'page-title' }, 'Lobby'),
    h(
      'div',
      { class: 'grid' },
      // the class sessions card (a component: screens/lobby.tsx) goes here
      app.session!.user.role === 'instructor'
        ? null
        : h('section', { class: 'card wide', id: 'lobby-sessions', 'aria-labelledby': 'sessions-h' }),
      h('section', { class: 'card', 'aria-labelledby': 'practice-h' }, h('h2', { id: 'practice-h' }, 'Practise with the AI'), practice),
      h('section', { class: 'card', 'aria-labelledby': 'mine-h' }, h('h2', { id: 'mine-h' }, 'My negotiations'), mine),
      h(
        'section',
        { class: 'card wide', 'aria-labelledby': 'board-h' },
        h(
          'div',
          { class: 'section-head' },
          h('h2', { id: 'board-h' }, 'Order board'),
          h('div', { class: 'inline-field' }, h('label', { for: 'order-filter' }, 'Show'), chemFilter),
        ),
        orderForm(() => void refresh()),
        board,
      ),
      h('section', { class: 'card wide', 'aria-labelledby': 'team-h' }, h('h2', { id: 'team-h' }, 'My team'), team),
    ),
  );
  chemFilter.addEventListener('change', () => void refresh());

  async function refresh(): Promise<void> {
    const filter = chemFilter.value;
    const [scen, negs, orders, me2] = await Promise.allSettled([
      app.scenarioList(),
      api<{ negotiations: NegotiationSummary[] }>('GET', '/api/negotiations'),
      api<{ orders: Order[] }>('GET', `/api/orders${filter ? `?chemical=${filter}` : ''}`),
      api<TeamView>('GET', '/api/teams/me'),
    ]);
    if (stopped) return;
    if (scen.status === 'fulfilled') {
      if (scenarios.length === 0) renderScenarios((scenarios = scen.value));
    } else replace(practice, errorLine(scen.reason));
    if (negs.status === 'fulfilled') renderNegotiations(negs.value.negotiations);
    else replace(mine, errorLine(negs.reason));
    if (orders.status === 'fulfilled') renderOrders(orders.value.orders);
    else replace(board, errorLine(orders.reason));
    if (me2.status === 'fulfilled') renderTeam(me2.value);
    else replace(team, errorLine(me2.reason));
  }

  function renderScenarios(list: ScenarioInfo[]): void {
    if (list.length === 0) return replace(practice, h('p', { class: 'muted' }, 'No scenarios yet. Your instructor adds them.'));
    replace(
      practice,
      list.map((s) => {
        const button = h('button', { type: 'button', class: 'primary', 'aria-label': `Start practice: ${s.title}` }, 'Start practice');
        button.addEventListener('click', async () => {
          button.disabled = true;
          try {
            const created = await api<NegotiationSummary>('POST', '/api/negotiations', { scenario_id: s.id });
            go(`#/room/${encodeURIComponent(created.negotiation_id)}`);
          } catch (e) {
            toast(`Could not start the practice: ${(e as Error).message}`, 'error');
            button.disabled = false;
          }
        });
        return h(
          'article',
          { class: 'scenario' },
          h('h3', null, s.title),
          h('p', null, s.summary),
          h('p', { class: 'muted small' }, `You play the ${s.student_role}; the AI plays the ${s.ai_role}.`),
          button,
        );
      }),
    );
  }

  function title(n: NegotiationSummary): string {
    if (n.kind === 'ai') return scenarios.find((s) => s.id === n.scenario_id)?.title ?? `Practice: ${n.scenario_id ?? 'scenario'}`;
    const other = n.parties.find((p) => p.user !== me);
    const myRole = n.parties.find((p) => p.user === me)?.role;
    return `${myRole === 'buyer' ? 'Buy' : 'Sell'} ${n.chemical ?? ''} ${myRole === 'buyer' ? 'from' : 'to'} ${shortName(other?.user ?? '?')}`;
  }

  function renderNegotiations(list: NegotiationSummary[]): void {
    const active = list.filter((n) => n.status === 'active' || n.status === 'settling');
    const past = list.filter((n) => !active.includes(n));
    const item = (n: NegotiationSummary) => {
      const score = n.outcome?.final_score;
      return h(
        'li',
        { class: 'neg-item', 'data-negotiation': n.negotiation_id },
        h('a', { href: `#/room/${encodeURIComponent(n.negotiation_id)}` }, title(n)),
        ' ',
        statusBadge(n.status),
        n.waiting_for ? h('span', { class: 'small' }, n.waiting_for === 'you' ? ' waiting for you' : ' waiting for them') : '',
        h(
          'span',
          { class: 'muted small' },
          ` ${fmtTime(n.created_at)}`,
          score ? ` · overall score ${fmtScore(score.overall)}` : '',
          n.outcome?.deal_terms.terms && n.kind === 'peer' ? ` · ${fmtTerms(n.outcome.deal_terms.terms, undefined, n.chemical)}` : '',
        ),
      );
    };
    replace(
      mine,
      h('h3', { class: 'sub' }, `Active (${active.length})`),
      active.length
        ? h('ul', { class: 'plain' }, active.map(item))
        : h('p', { class: 'muted' }, 'None. Start a practice or respond to an order.'),
      h('h3', { class: 'sub' }, `Past (${past.length})`),
      past.length ? h('ul', { class: 'plain' }, past.map(item)) : h('p', { class: 'muted' }, 'None yet.'),
    );
  }

  function renderOrders(orders: Order[]): void {
    if (orders.length === 0) return replace(board, h('p', { class: 'muted' }, 'No open orders.'));
    const rows = orders.map((o) => {
      let action: HTMLElement;
      if (o.owner === me) {
        action = h('button', { type: 'button', 'aria-label': `Cancel my ${o.side} order for ${o.quantity} ${o.chemical}` }, 'Cancel');
        action.addEventListener('click', async () => {
          (action as HTMLButtonElement).disabled = true;
          try {
            await api('DELETE', `/api/orders/${encodeURIComponent(o.id)}`);
            toast('Order cancelled.');
          } catch (e) {
            toast(`Could not cancel: ${(e as Error).message}`, 'error');
          }
          void refresh();
        });
      } else {
        const negotiate = h(
          'button',
          {
            type: 'button',
            class: 'primary',
            'aria-label': `Negotiate with ${shortName(o.owner)}: ${o.side} ${o.quantity} ${o.chemical} at ${o.price}`,
          },
          'Negotiate',
        );
        negotiate.addEventListener('click', async () => {
          (negotiate as HTMLButtonElement).disabled = true;
          try {
            const r = await api<{ negotiation_id: string }>('POST', `/api/orders/${encodeURIComponent(o.id)}/respond`);
            go(`#/room/${encodeURIComponent(r.negotiation_id)}`);
          } catch (e) {
            toast(`Could not open the negotiation: ${(e as Error).message}`, 'error');
            (negotiate as HTMLButtonElement).disabled = false;
          }
        });
        // the order's terms as they stand: agreed by both in one step, settled at once
        const take = h(
          'button',
          { type: 'button', 'aria-label': `Accept as posted: ${o.side} ${o.quantity} ${o.chemical} at ${o.price} from ${shortName(o.owner)}` },
          'Accept as posted',
        );
        take.addEventListener('click', async () => {
          (take as HTMLButtonElement).disabled = true;
          try {
            await api('POST', `/api/orders/${encodeURIComponent(o.id)}/accept`, {});
            toast('Accepted as posted: the trade is being settled.');
          } catch (e) {
            toast(`Could not accept: ${(e as Error).message}`, 'error');
          }
          void refresh();
        });
        action = h('span', { class: 'actions' }, take, ' ', negotiate);
      }
      return h(
        'tr',
        { 'data-order': o.id },
        h('td', { class: 'strong' }, o.side === 'buy' ? 'Buys' : 'Sells', ' ', o.chemical),
        h('td', { class: 'num', 'data-label': 'Price' }, fmtNumber(o.price)),
        h('td', { class: 'num', 'data-label': 'Qty' }, fmtNumber(o.quantity)),
        h('td', { 'data-label': 'Team' }, o.owner === me ? 'You' : shortName(o.owner)),
        h('td', { class: 'action' }, action),
      );
    });
    replace(
      board,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'stack' },
          h('caption', { class: 'sr-only' }, 'Open orders'),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Order', 'Price', 'Qty', 'Team', ''].map((t, i) =>
                h('th', { scope: 'col', class: i === 1 || i === 2 ? 'num' : null }, t || h('span', { class: 'sr-only' }, 'Action')),
              ),
            ),
          ),
          h('tbody', null, rows),
        ),
      ),
    );
  }

  function renderTeam(t: TeamView): void {
    const txs = t.transactions.slice(0, 50);
    replace(
      team,
      holdingsList(t.holdings, 'Holdings'),
      h('h3', { class: 'sub' }, `Transactions (${t.transactions.length})`),
      txs.length
        ? h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'transactions stack' },
              h('caption', { class: 'sr-only' }, 'Transactions, newest first'),
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  ['Trade', 'Price', 'Qty', 'With', 'When'].map((x, i) =>
                    h('th', { scope: 'col', class: i === 1 || i === 2 ? 'num' : null }, x),
                  ),
                ),
              ),
              h(
                'tbody',
                null,
                txs.map((x) =>
                  h(
                    'tr',
                    null,
                    h('td', { class: 'strong' }, x.type === 'buy' ? 'Bought' : 'Sold', ' ', x.chemical),
                    h('td', { class: 'num', 'data-label': 'Price' }, fmtNumber(x.price)),
                    h('td', { class: 'num', 'data-label': 'Qty' }, fmtNumber(x.quantity)),
                    h('td', { 'data-label': x.type === 'buy' ? 'From' : 'To' }, shortName(x.counterparty)),
                    h('td', { class: 'muted' }, fmtTime(x.timestamp)),
                  ),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'No trades yet.'),
    );
  }

  // pushed: a negotiation of mine changed, someone responded to my order (others' new orders show on the next visit)
  const stopRefreshing = refreshOnPush(refresh, [ServerEvent.NegotiationUpdate, ServerEvent.OrderResponse]);
  return () => {
    stopped = true;
    stopRefreshing();
  };
};

function orderForm(onPosted: () => void): HTMLElement {
  const side = h('select', { name: 'side' }, h('option', { value: 'buy' }, 'Buy'), h('option', { value: 'sell' }, 'Sell'));
  const chemical = h(
    'select',
    { name: 'chemical' },
    ['C', 'N', 'D', 'Q'].map((c) => h('option', { value: c }, c)),
  );
  const price = h('input', { type: 'number', name: 'price', min: '0.01', step: '0.01', required: true, inputmode: 'decimal' });
  const quantity = h('input', { type: 'number', name: 'quantity', min: '1', step: '1', required: true, inputmode: 'numeric' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Post order');
  const form = h(
    'form',
    { class: 'order-form', 'aria-label': 'Post an order', novalidate: true },
    field('Side', side),
    field('Chemical', chemical),
    field('Price per unit', price),
    field('Quantity', quantity),
    h('div', { class: 'field field-submit' }, submit),
    error,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    replace(error);
    const p = price.valueAsNumber;
    const q = quantity.valueAsNumber;
    if (!(p > 0)) return void (replace(error, 'Enter a price above 0.'), price.focus());
    if (!(Number.isInteger(q) && q > 0)) return void (replace(error, 'Enter a whole quantity above 0.'), quantity.focus());
    submit.disabled = true;
    try {
      await api('POST', '/api/orders', { side: side.value, chemical: chemical.value, price: p, quantity: q });
      toast(`Order posted: ${side.value} ${q} ${chemical.value} at ${p}.`);
      price.value = '';
      quantity.value = '';
      onPosted();
    } catch (err) {
      replace(error, (err as ApiError).message);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function errorLine(e: unknown): HTMLElement {
  return h('p', { class: 'form-error' }, `Could not load: ${(e as Error)?.message ?? 'unknown error'}`);
}
