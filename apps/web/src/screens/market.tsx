import { useEffect, useMemo, useState } from 'preact/hooks';
import { ServerEvent, type ServerPayloads } from '@parley/contracts/browser';
import { api, ApiError } from '../api';
import { ChartCanvas } from '../components/chart';
import { Field } from '../components/field';
import { useSession, useSocketEvent } from '../hooks';
import { applyBoardChange, type BoardChange } from '../board';
import { toast } from '../toast';
import { usePushed, type Watch } from '../push';
import { curvesChart, priceChart } from '../market/charts';
import { Analytics, BoardOrder, ChemicalAnalytics, Leaderboard, MyMarket, money, percent } from '../market/types';
import type { ScreenProps } from '../screens';

/** A pushed `market-update` about this market: a trade of it settled, or its trading ended (with `offers`: or an offer in one of its negotiations). */
const marketChanged = (id: string, offers = false): Watch => ({
  [ServerEvent.MarketUpdate]: (p: ServerPayloads['market-update']) => p.market_id === id && (offers || p.change !== 'offer'),
});

/** One market: the instructor's live analytics, or a team's own trading page. */
export function MarketScreen({ param }: ScreenProps) {
  const session = useSession();
  if (!param)
    return (
      <p>
        No market chosen. <a href="#/markets">All markets</a>
      </p>
    );
  return session?.user.role === 'instructor' ? <InstructorMarket id={param} /> : <TeamMarket id={param} />;
}

/** Runs `fn` once when trading closes by the clock (nobody pushes that moment): one timer, not a poll. */
function useAtEnd(endsAt: number | undefined, fn: () => void): void {
  useEffect(() => {
    const wait = endsAt === undefined ? -1 : endsAt * 1000 - Date.now() + 500;
    if (wait < 0 || wait > 2 ** 31 - 1) return;
    const timer = setTimeout(fn, wait);
    return () => clearTimeout(timer);
  }, [endsAt]);
}

function InstructorMarket({ id }: { id: string }) {
  const { data: a, error, reload } = usePushed(() => api<Analytics>('GET', `/api/markets/${id}/analytics`), marketChanged(id), [id]);
  const { data: board } = usePushed(() => api<Leaderboard>('GET', `/api/markets/${id}/leaderboard`), marketChanged(id), [id]);
  useAtEnd(a?.market.running ? a.market.ends_at : undefined, reload);
  if (!a) return <p class="muted">{error || 'Loading…'}</p>;
  return (
    <>
      <h1 class="page-title">{a.market.title}</h1>
      <p>
        {a.market.running ? 'Trading' : 'Closed'} · {a.market.teams} teams{' '}
        {a.market.running ? (
          <button
            type="button"
            onClick={() =>
              api('POST', `/api/markets/${id}/end`)
                .then(reload)
                .catch((e: Error) => toast(e.message, 'error'))
            }
          >
            End trading
          </button>
        ) : null}
      </p>
      <section class="card" aria-labelledby="summary-h">
        <h2 id="summary-h">How efficient was the market?</h2>
        <dl class="market-figures">
          <dt>Allocative efficiency</dt>
          <dd data-testid="efficiency">{percent(a.efficiency)}</dd>
          <dt>Realised surplus</dt>
          <dd>
            {money(a.realised_surplus_cents)} of {money(a.max_surplus_cents)} possible
          </dd>
          <dt>Volume</dt>
          <dd data-testid="volume">
            {a.volume} units in {a.trade_count} trades
          </dd>
        </dl>
      </section>
      {a.chemicals.map((c) => (
        <ChemicalCard key={c.chemical} c={c} start={a.market.created_at} />
      ))}
      <LeaderboardCard board={board} title="Profit per team" />
    </>
  );
}

function ChemicalCard({ c, start }: { c: ChemicalAnalytics; start: number }) {
  const prices = useMemo(() => priceChart(c, start), [JSON.stringify(c.trades), c.equilibrium.price_low_cents]);
  const curves = useMemo(() => curvesChart(c), [c.chemical, c.demand.length, c.supply.length]);
  const band = `${money(c.equilibrium.price_low_cents)}–${money(c.equilibrium.price_high_cents)}`;
  return (
    <section class="card" aria-labelledby={`chem-${c.chemical}`}>
      <h2 id={`chem-${c.chemical}`}>Chemical {c.chemical}</h2>
      <p>
        Equilibrium price band {band}, quantity {c.equilibrium.quantity_min}
        {c.equilibrium.quantity_max !== c.equilibrium.quantity_min ? `–${c.equilibrium.quantity_max}` : ''} units. Traded {c.volume} units
        at a mean {money(c.mean_price_cents)}; efficiency {percent(c.efficiency)}.
      </p>
      <div class="grid">
        <ChartCanvas
          config={prices}
          label={`Prices of ${c.trades.length} trades of ${c.chemical} over time against the equilibrium band ${band}`}
        />
        <ChartCanvas config={curves} label={`Supply and demand of ${c.chemical}: the induced values and costs as steps`} />
      </div>
    </section>
  );
}

function LeaderboardCard({ board, title }: { board: Leaderboard | null; title: string }) {
  return (
    <section class="card" aria-labelledby="leaderboard-h">
      <h2 id="leaderboard-h">{title}</h2>
      {board ? (
        <table class="table" aria-label="Leaderboard">
          <thead>
            <tr>
              <th scope="col">Rank</th>
              <th scope="col">Team</th>
              <th scope="col">Profit</th>
            </tr>
          </thead>
          <tbody>
            {board.rows.map((r) => (
              <tr key={r.team} class={r.you ? 'you' : undefined}>
                <td>{r.rank}</td>
                <td>
                  {r.name}
                  {r.you ? ' (you)' : ''}
                </td>
                <td>{money(r.profit_cents)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">Loading…</p>
      )}
    </section>
  );
}

interface MarketNegotiation {
  negotiation_id: string;
  market_id?: string;
  status: string;
  chemical?: string;
  waiting_for?: string;
}

function TeamMarket({ id }: { id: string }) {
  const session = useSession();
  const { data: me, error, reload: reloadMe } = usePushed(() => api<MyMarket>('GET', `/api/markets/${id}/me`), marketChanged(id), [id]);
  const {
    data: orders,
    reload: reloadOrders,
    setData: setOrders,
  } = usePushed(() => api<{ orders: BoardOrder[] }>('GET', `/api/orders?market_id=${encodeURIComponent(id)}`), {}, [id]);
  // another team's order posted, withdrawn or taken: applied as pushed, without a request
  useSocketEvent(
    ServerEvent.OrderBoard,
    (change: BoardChange) => setOrders((o) => (o ? { orders: applyBoardChange(o.orders, change, { marketId: id }) } : o)),
    [id],
  );
  const { data: board } = usePushed(() => api<Leaderboard>('GET', `/api/markets/${id}/leaderboard`), marketChanged(id), [id]);
  // own negotiations: one of them settled or had an offer, a team answered an order, or a trade of this market
  const { data: mine, reload: reloadMine } = usePushed(
    () => api<{ negotiations: MarketNegotiation[] }>('GET', '/api/negotiations'),
    { ...marketChanged(id, true), [ServerEvent.NegotiationUpdate]: () => true, [ServerEvent.OrderResponse]: () => true },
    [id],
  );
  useSocketEvent(ServerEvent.OrderResponse, (p: ServerPayloads['order-response']) =>
    toast(p.accepted ? `${p.from_name} took your ${p.chemical} order as posted.` : `${p.from_name} answered your ${p.chemical} order.`),
  );
  useAtEnd(me?.market.running ? me.market.ends_at : undefined, reloadMe);
  if (!me) return <p class="muted">{error || 'Loading…'}</p>;
  // after the team's own act: what it changed at once (a trade it makes is pushed when it settles)
  const reload = () => (reloadMe(), reloadOrders(), reloadMine());
  const act = (p: Promise<unknown>, done: string) =>
    p.then(() => (toast(done), reload())).catch((e: ApiError) => toast(e.message, 'error'));
  const open = (mine?.negotiations ?? []).filter((n) => n.market_id === id && n.status === 'active');
  return (
    <>
      <h1 class="page-title">{me.market.title}</h1>
      <p>
        You are team <strong>{me.team}</strong> · {me.market.running ? 'trading is open' : 'trading has ended'} ·{' '}
        <a href="#/market-rules">Rules</a>
      </p>
      <div class="grid">
        <section class="card" aria-labelledby="mine-h">
          <h2 id="mine-h">Your schedule (private)</h2>
          {me.schedules.map((s) => (
            <div key={s.chemical}>
              <h3>
                {s.side === 'buy' ? 'You buy' : 'You sell'} {s.chemical}: {s.traded} of {s.units} units traded
              </h3>
              <table class="table" aria-label={`Your ${s.side === 'buy' ? 'values' : 'costs'} for ${s.chemical}`}>
                <thead>
                  <tr>
                    <th scope="col">Units</th>
                    <th scope="col">{s.side === 'buy' ? 'Worth to you, each' : 'Costs you, each'}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.steps.map((st, i) => (
                    <tr key={i}>
                      <td>{st.quantity}</td>
                      <td>{money(st.value_cents ?? st.cost_cents)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
          <p>
            Cash {money(me.cash_cents)} · Profit <strong data-testid="profit">{money(me.profit_cents)}</strong>
          </p>
        </section>
        <section class="card" aria-labelledby="board-h">
          <h2 id="board-h">Orders</h2>
          <table class="table" aria-label="Market orders">
            <thead>
              <tr>
                <th scope="col">Side</th>
                <th scope="col">Chemical</th>
                <th scope="col">Price</th>
                <th scope="col">Units</th>
                <th scope="col">Act</th>
              </tr>
            </thead>
            <tbody>
              {(orders?.orders ?? []).map((o) => (
                <tr key={o.id}>
                  <td>{o.side === 'buy' ? 'Buying' : 'Selling'}</td>
                  <td>{o.chemical}</td>
                  <td>{money(Math.round(o.price * 100))}</td>
                  <td>{o.quantity}</td>
                  <td>
                    {o.owner === session?.user.email ? (
                      <button type="button" onClick={() => act(api('DELETE', `/api/orders/${o.id}`), 'Order withdrawn.')}>
                        Withdraw
                      </button>
                    ) : (
                      <>
                        <button type="button" onClick={() => act(api('POST', `/api/orders/${o.id}/accept`, {}), 'Accepted as posted.')}>
                          Accept as posted
                        </button>{' '}
                        <button
                          type="button"
                          onClick={() =>
                            api<{ negotiation_id: string }>('POST', `/api/orders/${o.id}/respond`)
                              .then((r) => (location.hash = `#/room/${r.negotiation_id}`))
                              .catch((e: ApiError) => toast(e.message, 'error'))
                          }
                        >
                          Negotiate
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {me.market.running ? <PostOrder marketId={id} me={me} posted={reload} /> : null}
          {open.length ? (
            <>
              <h3>Your open negotiations</h3>
              <ul class="plain">
                {open.map((n) => (
                  <li key={n.negotiation_id}>
                    <a href={`#/room/${n.negotiation_id}`}>{n.chemical}</a>{' '}
                    <span class="small">{n.waiting_for === 'you' ? 'waiting for you' : 'waiting for them'}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
        <LeaderboardCard board={board} title="Leaderboard" />
      </div>
    </>
  );
}

function PostOrder({ marketId, me, posted }: { marketId: string; me: MyMarket; posted: () => void }) {
  const [choice, setChoice] = useState(`${me.schedules[0]?.side}:${me.schedules[0]?.chemical}`);
  const [price, setPrice] = useState('');
  const [quantity, setQuantity] = useState('');
  const [error, setError] = useState('');
  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    const [side, chemical] = choice.split(':');
    try {
      await api('POST', '/api/orders', { market_id: marketId, side, chemical, price: Number(price), quantity: Number(quantity) });
      setPrice('');
      setQuantity('');
      posted();
    } catch (err) {
      setError((err as ApiError).message);
    }
  }
  return (
    <form aria-label="Post an order" noValidate onSubmit={submit}>
      <h3>Post an order</h3>
      <Field label="What">
        <select value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
          {me.schedules.map((s) => (
            <option key={s.chemical} value={`${s.side}:${s.chemical}`}>
              {s.side === 'buy' ? 'Buy' : 'Sell'} {s.chemical}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Price per unit">
        <input type="text" inputMode="decimal" value={price} onInput={(e) => setPrice(e.currentTarget.value)} />
      </Field>
      <Field label="Units">
        <input type="text" inputMode="numeric" value={quantity} onInput={(e) => setQuantity(e.currentTarget.value)} />
      </Field>
      {error ? (
        <p class="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit">Post</button>
    </form>
  );
}

/** The rules page, in plain words (the same text the server serves). */
export function MarketRules() {
  const [rules, setRules] = useState<{ title: string; text: string }[]>([]);
  useEffect(() => {
    api<{ rules: { title: string; text: string }[] }>('GET', '/api/market/rules')
      .then((r) => setRules(r.rules))
      .catch(() => undefined);
  }, []);
  return (
    <>
      <h1 class="page-title">How a market works</h1>
      <section class="card">
        {rules.map((r) => (
          <div key={r.title}>
            <h2>{r.title}</h2>
            <p>{r.text}</p>
          </div>
        ))}
      </section>
    </>
  );
}
