import { ServerEvent } from '@parley/contracts/browser';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { app } from '../app';
import { StatusBadge } from '../components/badge';
import { Field } from '../components/field';
import { displayName, fmtNumber, fmtScore, fmtTerms, fmtTime } from '../format';
import { useSession, useSocketEvent } from '../hooks';
import { applyBoardChange, type BoardChange } from '../board';
import { refreshOnPush } from '../push';
import { go } from '../router';
import { toast } from '../toast';
import type { BoardOrder, Holdings, NegotiationSummary, ScenarioInfo, TeamView } from '../types';
import { ClassSessionsCard } from './join';

const CHEMICALS = ['C', 'N', 'D', 'Q'] as const;
type Loaded<T> = { value: T } | { error: string } | null;

const errorLine = (error: string) => <p class="form-error">Could not load: {error}</p>;
const loading = <p class="muted">Loading…</p>;

/** #/lobby: class sessions, AI practice, my negotiations, the order board and my team, refreshed by push. */
export function Lobby() {
  const me = useSession()!.user;
  const [scenarios, setScenarios] = useState<Loaded<ScenarioInfo[]>>(null);
  const [negotiations, setNegotiations] = useState<Loaded<NegotiationSummary[]>>(null);
  const [orders, setOrders] = useState<Loaded<BoardOrder[]>>(null);
  const [team, setTeam] = useState<Loaded<TeamView>>(null);
  const [filter, setFilter] = useState('');
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);

  useEffect(() => {
    let stopped = false;
    const settle = <T,>(r: PromiseSettledResult<T>): Loaded<T> =>
      r.status === 'fulfilled' ? { value: r.value } : { error: (r.reason as Error)?.message ?? 'unknown error' };
    const refresh = async () => {
      const [scen, negs, board, mine] = await Promise.allSettled([
        app.scenarioList(),
        api<{ negotiations: NegotiationSummary[] }>('GET', '/api/negotiations').then((r) => r.negotiations),
        api<{ orders: BoardOrder[] }>('GET', `/api/orders${filter ? `?chemical=${filter}` : ''}`).then((r) => r.orders),
        api<TeamView>('GET', '/api/teams/me'),
      ]);
      if (stopped) return;
      setScenarios(settle(scen));
      setNegotiations(settle(negs));
      setOrders(settle(board));
      setTeam(settle(mine));
    };
    // pushed: a negotiation of mine opened or changed; the board's own changes are applied as they come (below)
    const stop = refreshOnPush(refresh, [ServerEvent.NegotiationUpdate, ServerEvent.OrderResponse]);
    return () => {
      stopped = true;
      stop();
    };
  }, [filter, version]);
  useSocketEvent(
    ServerEvent.OrderBoard,
    (change: BoardChange) =>
      setOrders((o) => (o && 'value' in o ? { value: applyBoardChange(o.value, change, { marketId: null, chemical: filter }) } : o)),
    [filter],
  );

  const scenarioList = scenarios && 'value' in scenarios ? scenarios.value : [];
  return (
    <>
      <h1 class="page-title">Lobby</h1>
      <div class="grid">
        {me.role === 'instructor' ? null : (
          <section class="card wide" id="lobby-sessions" aria-labelledby="sessions-h">
            <ClassSessionsCard />
          </section>
        )}
        <section class="card" aria-labelledby="practice-h">
          <h2 id="practice-h">Practise with the AI</h2>
          <div class="scenario-list">
            {!scenarios ? (
              <p class="muted">Loading scenarios…</p>
            ) : 'error' in scenarios ? (
              errorLine(scenarios.error)
            ) : scenarios.value.length === 0 ? (
              <p class="muted">No scenarios yet. Your instructor adds them.</p>
            ) : (
              scenarios.value.map((s) => <ScenarioCard key={s.id} s={s} />)
            )}
          </div>
        </section>
        <section class="card" aria-labelledby="mine-h">
          <h2 id="mine-h">My negotiations</h2>
          <div>
            {!negotiations ? (
              loading
            ) : 'error' in negotiations ? (
              errorLine(negotiations.error)
            ) : (
              <Negotiations list={negotiations.value} me={me.email} scenarios={scenarioList} />
            )}
          </div>
        </section>
        <section class="card wide" aria-labelledby="board-h">
          <div class="section-head">
            <h2 id="board-h">Order board</h2>
            <div class="inline-field">
              <label for="order-filter">Show</label>
              <select id="order-filter" value={filter} onChange={(e) => setFilter(e.currentTarget.value)}>
                <option value="">All chemicals</option>
                {CHEMICALS.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <OrderForm onPosted={reload} />
          <div>
            {!orders ? (
              loading
            ) : 'error' in orders ? (
              errorLine(orders.error)
            ) : (
              <OrderBoard orders={orders.value} me={me.email} onChange={reload} />
            )}
          </div>
        </section>
        <section class="card wide" aria-labelledby="team-h">
          <h2 id="team-h">My team</h2>
          <div>{!team ? loading : 'error' in team ? errorLine(team.error) : <Team t={team.value} />}</div>
        </section>
      </div>
    </>
  );
}

function ScenarioCard({ s }: { s: ScenarioInfo }) {
  const [busy, setBusy] = useState(false);
  return (
    <article class="scenario">
      <h3>{s.title}</h3>
      <p>{s.summary}</p>
      <p class="muted small">
        You play the {s.student_role}; the AI plays the {s.ai_role}.
      </p>
      <button
        type="button"
        class="primary"
        aria-label={`Start practice: ${s.title}`}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            const created = await api<NegotiationSummary>('POST', '/api/negotiations', { scenario_id: s.id });
            go(`#/room/${encodeURIComponent(created.negotiation_id)}`);
          } catch (e) {
            toast(`Could not start the practice: ${(e as Error).message}`, 'error');
            setBusy(false);
          }
        }}
      >
        Start practice
      </button>
    </article>
  );
}

function Negotiations({ list, me, scenarios }: { list: NegotiationSummary[]; me: string; scenarios: ScenarioInfo[] }) {
  const title = (n: NegotiationSummary) => {
    if (n.kind !== 'peer') return scenarios.find((s) => s.id === n.scenario_id)?.title ?? `Practice: ${n.scenario_id ?? 'scenario'}`;
    const other = n.parties.find((p) => p.user !== me);
    const myRole = n.parties.find((p) => p.user === me)?.role;
    return `${myRole === 'buyer' ? 'Buy' : 'Sell'} ${n.chemical ?? ''} ${myRole === 'buyer' ? 'from' : 'to'} ${displayName(other?.user ?? '?', other?.name)}`;
  };
  const active = list.filter((n) => n.status === 'active' || n.status === 'settling');
  const past = list.filter((n) => !active.includes(n));
  const item = (n: NegotiationSummary) => {
    const score = n.outcome?.final_score;
    return (
      <li key={n.negotiation_id} class="neg-item" data-negotiation={n.negotiation_id}>
        <a href={`#/room/${encodeURIComponent(n.negotiation_id)}`}>{title(n)}</a> <StatusBadge status={n.status} />
        {n.waiting_for ? <span class="small">{n.waiting_for === 'you' ? ' waiting for you' : ' waiting for them'}</span> : null}
        <span class="muted small">
          {` ${fmtTime(n.created_at)}`}
          {score ? ` · overall score ${fmtScore(score.overall)}` : ''}
          {n.outcome?.deal_terms.terms && n.kind === 'peer' ? ` · ${fmtTerms(n.outcome.deal_terms.terms, undefined, n.chemical)}` : ''}
        </span>
      </li>
    );
  };
  return (
    <>
      <h3 class="sub">Active ({active.length})</h3>
      {active.length ? <ul class="plain">{active.map(item)}</ul> : <p class="muted">None. Start a practice or respond to an order.</p>}
      <h3 class="sub">Past ({past.length})</h3>
      {past.length ? <ul class="plain">{past.map(item)}</ul> : <p class="muted">None yet.</p>}
    </>
  );
}

function OrderBoard({ orders, me, onChange }: { orders: BoardOrder[]; me: string; onChange(): void }) {
  if (orders.length === 0) return <p class="muted">No open orders.</p>;
  return (
    <div class="table-wrap">
      <table class="stack">
        <caption class="sr-only">Open orders</caption>
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col" class="num">
              Price
            </th>
            <th scope="col" class="num">
              Qty
            </th>
            <th scope="col">Team</th>
            <th scope="col">
              <span class="sr-only">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => (
            <tr key={o.id} data-order={o.id}>
              <td class="strong">
                {o.side === 'buy' ? 'Buys' : 'Sells'} {o.chemical}
              </td>
              <td class="num" data-label="Price">
                {fmtNumber(o.price)}
              </td>
              <td class="num" data-label="Qty">
                {fmtNumber(o.quantity)}
              </td>
              <td data-label="Team">{o.owner === me ? 'You' : displayName(o.owner, o.owner_name)}</td>
              <td class="action">
                <OrderAction o={o} mine={o.owner === me} onChange={onChange} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OrderAction({ o, mine, onChange }: { o: BoardOrder; mine: boolean; onChange(): void }) {
  const [busy, setBusy] = useState(false);
  if (mine) {
    return (
      <button
        type="button"
        aria-label={`Cancel my ${o.side} order for ${o.quantity} ${o.chemical}`}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await api('DELETE', `/api/orders/${encodeURIComponent(o.id)}`);
            toast('Order cancelled.');
          } catch (e) {
            toast(`Could not cancel: ${(e as Error).message}`, 'error');
          }
          onChange();
        }}
      >
        Cancel
      </button>
    );
  }
  return (
    <span class="actions">
      {/* the order's terms as they stand: agreed by both in one step, settled at once */}
      <button
        type="button"
        aria-label={`Accept as posted: ${o.side} ${o.quantity} ${o.chemical} at ${o.price} from ${displayName(o.owner, o.owner_name)}`}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await api('POST', `/api/orders/${encodeURIComponent(o.id)}/accept`, {});
            toast('Accepted as posted: the trade is being settled.');
          } catch (e) {
            toast(`Could not accept: ${(e as Error).message}`, 'error');
          }
          setBusy(false);
          onChange();
        }}
      >
        Accept as posted
      </button>{' '}
      <button
        type="button"
        class="primary"
        aria-label={`Negotiate with ${displayName(o.owner, o.owner_name)}: ${o.side} ${o.quantity} ${o.chemical} at ${o.price}`}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            const r = await api<{ negotiation_id: string }>('POST', `/api/orders/${encodeURIComponent(o.id)}/respond`);
            go(`#/room/${encodeURIComponent(r.negotiation_id)}`);
          } catch (e) {
            toast(`Could not open the negotiation: ${(e as Error).message}`, 'error');
            setBusy(false);
          }
        }}
      >
        Negotiate
      </button>
    </span>
  );
}

function OrderForm({ onPosted }: { onPosted(): void }) {
  const [side, setSide] = useState('buy');
  const [chemical, setChemical] = useState<string>('C');
  const [price, setPrice] = useState('');
  const [quantity, setQuantity] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="order-form"
      aria-label="Post an order"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setError('');
        const form = e.currentTarget;
        const p = Number(price);
        const q = Number(quantity);
        if (!(price !== '' && p > 0)) {
          setError('Enter a price above 0.');
          return form.querySelector<HTMLInputElement>('[name=price]')?.focus();
        }
        if (!(quantity !== '' && Number.isInteger(q) && q > 0)) {
          setError('Enter a whole quantity above 0.');
          return form.querySelector<HTMLInputElement>('[name=quantity]')?.focus();
        }
        setBusy(true);
        try {
          await api('POST', '/api/orders', { side, chemical, price: p, quantity: q });
          toast(`Order posted: ${side} ${q} ${chemical} at ${p}.`);
          setPrice('');
          setQuantity('');
          onPosted();
        } catch (err) {
          setError((err as ApiError).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      <Field label="Side">
        <select name="side" value={side} onChange={(e) => setSide(e.currentTarget.value)}>
          <option value="buy">Buy</option>
          <option value="sell">Sell</option>
        </select>
      </Field>
      <Field label="Chemical">
        <select name="chemical" value={chemical} onChange={(e) => setChemical(e.currentTarget.value)}>
          {CHEMICALS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Price per unit">
        <input
          type="number"
          name="price"
          min="0.01"
          step="0.01"
          required
          inputMode="decimal"
          value={price}
          onInput={(e) => setPrice(e.currentTarget.value)}
        />
      </Field>
      <Field label="Quantity">
        <input
          type="number"
          name="quantity"
          min="1"
          step="1"
          required
          inputMode="numeric"
          value={quantity}
          onInput={(e) => setQuantity(e.currentTarget.value)}
        />
      </Field>
      <div class="field field-submit">
        <button type="submit" class="primary" disabled={busy}>
          Post order
        </button>
      </div>
      <p class="form-error" role="alert">
        {error}
      </p>
    </form>
  );
}

export function HoldingsList({ holdings, label }: { holdings: Holdings; label: string }) {
  return (
    <dl class="holdings" aria-label={label}>
      <div>
        <dt>Cash</dt>
        <dd data-holding="cash">{fmtNumber(holdings.cash)}</dd>
      </div>
      {CHEMICALS.map((c) => (
        <div key={c}>
          <dt>{c}</dt>
          <dd data-holding={c}>{fmtNumber(holdings[c])}</dd>
        </div>
      ))}
    </dl>
  );
}

function Team({ t }: { t: TeamView }) {
  const txs = t.transactions.slice(0, 50);
  return (
    <>
      <HoldingsList holdings={t.holdings} label="Holdings" />
      <h3 class="sub">Transactions ({t.transactions.length})</h3>
      {txs.length ? (
        <div class="table-wrap">
          <table class="transactions stack">
            <caption class="sr-only">Transactions, newest first</caption>
            <thead>
              <tr>
                {['Trade', 'Price', 'Qty', 'With', 'When'].map((x, i) => (
                  <th key={x} scope="col" class={i === 1 || i === 2 ? 'num' : undefined}>
                    {x}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {txs.map((x) => (
                <tr key={x.file}>
                  <td class="strong">
                    {x.type === 'buy' ? 'Bought' : 'Sold'} {x.chemical}
                  </td>
                  <td class="num" data-label="Price">
                    {fmtNumber(x.price)}
                  </td>
                  <td class="num" data-label="Qty">
                    {fmtNumber(x.quantity)}
                  </td>
                  <td data-label={x.type === 'buy' ? 'From' : 'To'}>{displayName(x.counterparty, x.counterparty_name)}</td>
                  <td class="muted">{fmtTime(x.timestamp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">No trades yet.</p>
      )}
    </>
  );
}
