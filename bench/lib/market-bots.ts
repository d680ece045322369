import { ChildProcess, spawn } from 'node:child_process';
import { io, Socket } from 'socket.io-client';
import type { Chemical } from '@parley/contracts';
import type { ParleyConfig } from '@parley/config';
import { DataPaths, TeamStore, hashPassword, readTransactions, teamHoldings } from '@parley/store';
import {
  MarketAnalytics,
  MarketDesign,
  MechanismSummary,
  ZiTrader,
  acceptable,
  designToJson,
  doubleAuctionRound,
  formatCents,
  summariseRounds,
  ziMarket,
  ziPrice,
} from '@parley/negotiation';
import { seededRandom } from '@parley/negotiation/rng';

/**
 * Scripted bot teams for the market bench and the conservation test: budget-constrained zero-intelligence
 * traders (Gode & Sunder 1993) that trade through Parley's real order board, "accept as posted" and
 * socket proposals, against a running gateway and agreement workers. Every loop is bounded in count
 * and time.
 */

export interface Bot {
  email: string;
  token: string;
  socket: Socket;
}

/** Adds `count` teams (default holdings) and signs each in with a socket. */
export async function addBots(config: ParleyConfig, url: string, tag: string, count: number, holdings?: object): Promise<Bot[]> {
  const teams = new TeamStore(new DataPaths(config.dataDir));
  const hash = await hashPassword('password1');
  const bots: Bot[] = [];
  for (let i = 0; i < count; i++) {
    const email = `${tag}${String(i + 1).padStart(3, '0')}@bots.test`;
    await teams.create({
      email,
      name: `${tag} ${i + 1}`,
      role: 'student',
      password_hash: hash,
      ...(holdings ? { holdings } : {}),
    } as never);
    const token = (await call(url, 'POST', '/auth/login', { email, password: 'password1' })).body.accessToken as string;
    bots.push({ email, token, socket: await connectBot(url, token) });
  }
  return bots;
}

export async function addInstructor(config: ParleyConfig, url: string, email: string): Promise<string> {
  const teams = new TeamStore(new DataPaths(config.dataDir));
  await teams.create({ email, name: 'Instructor', role: 'instructor', password_hash: await hashPassword('password1') } as never);
  return (await call(url, 'POST', '/auth/login', { email, password: 'password1' })).body.accessToken as string;
}

export async function call(url: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  }).catch(() => null);
  if (!res) return { status: 0, body: { code: 'NO_ANSWER' } as any };
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
}

function connectBot(url: string, token: string): Promise<Socket> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timeout')), 10_000);
    socket.once('connect', () => (clearTimeout(timer), resolve(socket)));
    socket.once('connect_error', (e) => (clearTimeout(timer), reject(e)));
  });
}

/** An acknowledged socket event; a lost ack (a slow moment) is answered as an error, not thrown. */
const ack = (s: Socket, event: string, payload: unknown): Promise<any> =>
  s
    .timeout(30_000)
    .emitWithAck(event, payload)
    .catch(() => ({ error: { code: 'NO_ACK' } }));

/** An agreement worker in its own process (a script that prints {"event":"started"} once it consumes jobs). */
export async function startWorker(script: string[], env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, script, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('agreement worker did not start within 30 s')), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (!d.toString().includes('"started"')) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`agreement worker exited with ${code}`))));
  });
  child.removeAllListeners('exit');
  return child;
}

/** Environment for a worker process sharing the gateway's DATA_DIR and Redis prefix. */
export const workerEnv = (config: ParleyConfig): Record<string, string> => ({
  DATA_DIR: config.dataDir,
  REDIS_URL: config.redisUrl,
  REDIS_PREFIX: config.redisPrefix,
  JWT_SECRET: config.jwtSecret,
  LOG_LEVEL: 'silent',
  NODE_ENV: 'test',
  SWEEP_INTERVAL_MS: '2000',
});

/** Σ over teams of cash (exact cents) and of each chemical: what conservation compares. */
export async function totals(config: ParleyConfig, emails: string[]): Promise<{ cash_cents: number; goods: Record<Chemical, number> }> {
  const paths = new DataPaths(config.dataDir);
  const out = { cash_cents: 0, goods: { C: 0, N: 0, D: 0, Q: 0 } as Record<Chemical, number> };
  for (const e of emails) {
    const h = await teamHoldings(paths, e);
    out.cash_cents += Math.round(h.cash * 100);
    for (const c of ['C', 'N', 'D', 'Q'] as const) out.goods[c] += h[c];
  }
  return out;
}

export interface ZiRoundResult {
  /** Parley's own analytics endpoint after the round: per chemical equilibrium, volume, mean price, efficiency */
  parley: MarketAnalytics;
  /** the same design in the plain simulated double auction, `daRounds` rounds (seeds `<seed>:double-auction:<r>`) */
  double_auction: MechanismSummary;
  da_rounds: number;
  refused: Record<string, number>;
  elapsed_s: number;
}

/**
 * One round of a market: the design uploaded, the bots seated in order (T01 → bots[0], …), `ticks` ZI
 * actions through Parley, then the same design as a plain simulated double auction with the same
 * traders (`daRounds` rounds, each with its own seed). Parley's figures come from its own analytics endpoint.
 */
export async function ziRound(args: {
  url: string;
  instructor: string;
  bots: Bot[];
  design: MarketDesign;
  seed: string;
  ticks: number;
  daRounds: number;
  timeLimitMs: number;
}): Promise<ZiRoundResult> {
  const { url, instructor, bots, design } = args;
  const started = Date.now();
  const rng = seededRandom(`${args.seed}:parley`);
  const up = await call(url, 'POST', '/api/market/designs', { design: designToJson(design) }, instructor);
  if (up.status !== 201) throw new Error(`design upload: ${JSON.stringify(up.body)}`);
  const created = await call(
    url,
    'POST',
    '/api/markets',
    { design_id: design.id, teams: bots.map((b) => b.email), round_seconds: 86_400 },
    instructor,
  );
  if (created.status !== 201) throw new Error(`market: ${JSON.stringify(created.body)}`);
  const marketId = created.body.id as string;
  const market = ziMarket(design);
  const botOf = (slot: string) => bots[Number(slot.slice(1)) - 1];
  const traderOf = (slot: string, chemical: Chemical) => market.traders.find((t) => t.team === slot && t.chemical === chemical)!;
  const refused: Record<string, number> = {};
  const refuse = (code: string) => (refused[code] = (refused[code] ?? 0) + 1);

  const sync = async (slot: string) => {
    const me = (await call(url, 'GET', `/api/markets/${marketId}/me`, undefined, botOf(slot).token)).body;
    for (const s of me.schedules as { chemical: Chemical; traded: number }[]) traderOf(slot, s.chemical).traded = s.traded;
  };
  const ownOrders = async (t: ZiTrader) =>
    ((await call(url, 'GET', `/api/orders?market_id=${marketId}&chemical=${t.chemical}`, undefined, botOf(t.team).token)).body.orders as {
      id: string;
      owner: string;
      side: string;
      price: number;
      quantity: number;
    }[]) ?? [];

  for (let tick = 0; tick < args.ticks && Date.now() - started < args.timeLimitMs; tick++) {
    const trader = market.traders[Math.floor(rng() * market.traders.length)];
    await sync(trader.team);
    const price = ziPrice(market, trader, rng);
    if (price === null) continue;
    const me = botOf(trader.team);
    const board = await ownOrders(trader);
    const facing = board.filter((o) => o.owner !== me.email && o.side !== trader.side);
    const mine = board.filter((o) => o.owner === me.email);
    if (facing.length > 0 && rng() < 0.5) {
      const order = facing[Math.floor(rng() * facing.length)];
      for (const o of mine) await call(url, 'DELETE', `/api/orders/${o.id}`, undefined, me.token);
      const orderCents = Math.round(order.price * 100);
      const asPosted = trader.side === 'buy' ? price >= orderCents : price <= orderCents;
      if (asPosted) {
        const r = await call(url, 'POST', `/api/orders/${order.id}/accept`, { quantity: market.lot }, me.token);
        if (r.status !== 201) refuse(r.body?.code ?? String(r.status));
        continue;
      }
      const opened = await call(url, 'POST', `/api/orders/${order.id}/respond`, undefined, me.token);
      if (opened.status >= 300) {
        refuse(opened.body?.code ?? String(opened.status));
        continue;
      }
      const id = opened.body.negotiation_id as string;
      const terms = { price: price / 100, quantity: market.lot };
      const proposed = await ack(me.socket, 'propose-offer', { negotiation_id: id, terms });
      const ownerSlot = slotOfEmail(bots, order.owner);
      const owner = botOf(ownerSlot);
      await sync(ownerSlot);
      if (proposed?.error || !acceptable(traderOf(ownerSlot, trader.chemical), price)) {
        if (proposed?.error) refuse(proposed.error.code);
        await ack(me.socket, 'reject-negotiation', { negotiation_id: id });
        continue;
      }
      const agreed = await ack(owner.socket, 'agree-offer', { negotiation_id: id, terms });
      if (agreed?.error) {
        refuse(agreed.error.code);
        await ack(me.socket, 'reject-negotiation', { negotiation_id: id });
        continue;
      }
      const closed = await ack(me.socket, 'agree-offer', { negotiation_id: id, terms });
      if (closed?.error) refuse(closed.error.code);
      continue;
    }
    for (const o of mine) await call(url, 'DELETE', `/api/orders/${o.id}`, undefined, me.token);
    const posted = await call(
      url,
      'POST',
      '/api/orders',
      { market_id: marketId, side: trader.side, chemical: trader.chemical, price: price / 100, quantity: market.lot },
      me.token,
    );
    if (posted.status !== 201) refuse(posted.body?.code ?? String(posted.status));
  }
  const analytics = await settledAnalytics(url, instructor, marketId);
  await call(url, 'POST', `/api/markets/${marketId}/end`, undefined, instructor);
  const da = Array.from({ length: args.daRounds }, (_, r) => doubleAuctionRound(design, seededRandom(`${args.seed}:double-auction:${r}`)));
  return {
    parley: analytics,
    double_auction: summariseRounds(design, da),
    da_rounds: args.daRounds,
    refused,
    elapsed_s: (Date.now() - started) / 1000,
  };
}

function slotOfEmail(bots: Bot[], email: string): string {
  return `T${String(bots.findIndex((b) => b.email === email) + 1).padStart(2, '0')}`;
}

/** The analytics once the trade count has stopped moving (settlement is asynchronous). */
async function settledAnalytics(url: string, instructor: string, marketId: string): Promise<MarketAnalytics> {
  let last = -1;
  for (let i = 0; i < 200; i++) {
    const a = (await call(url, 'GET', `/api/markets/${marketId}/analytics`, undefined, instructor)).body;
    if (a.trade_count === last) return a;
    last = a.trade_count;
    await new Promise((r) => setTimeout(r, 500));
  }
  return (await call(url, 'GET', `/api/markets/${marketId}/analytics`, undefined, instructor)).body;
}

export interface ConservationResult {
  trades: number;
  attempts: number;
  refused: Record<string, number>;
  killed_at_trade: number;
  before: { cash_cents: number; goods: Record<Chemical, number> };
  after: { cash_cents: number; goods: Record<Chemical, number> };
  transactions: number;
  elapsed_s: number;
}

/**
 * Free-board trading by bots until `trades` agreements were made (accepted as posted, or proposed and
 * agreed over sockets), with `kill()` called once half of them are in. Waits for every agreement to be
 * settled, then compares the sums of cash and goods over all teams with the sums before.
 */
export async function conservationRun(args: {
  url: string;
  config: ParleyConfig;
  bots: Bot[];
  trades: number;
  seed: string;
  kill: () => void;
  timeLimitMs: number;
  progress?: (line: string) => void;
}): Promise<ConservationResult> {
  const { url, bots } = args;
  const rng = seededRandom(args.seed);
  const emails = bots.map((b) => b.email);
  const before = await totals(args.config, emails);
  const started = Date.now();
  const refused: Record<string, number> = {};
  const refuse = (code: string) => (refused[code] = (refused[code] ?? 0) + 1);
  let made = 0;
  let attempts = 0;
  let killedAt = -1;
  let reported = 0;
  const chemicals: Chemical[] = ['C', 'N', 'D', 'Q'];
  const one = async () => {
    const seller = bots[Math.floor(rng() * bots.length)];
    let buyer = bots[Math.floor(rng() * bots.length)];
    if (buyer === seller) buyer = bots[(bots.indexOf(seller) + 1) % bots.length];
    const chemical = chemicals[Math.floor(rng() * 4)];
    const price = (100 + Math.floor(rng() * 1900)) / 100;
    const quantity = 1 + Math.floor(rng() * 20);
    const order = await call(url, 'POST', '/api/orders', { side: 'sell', chemical, price, quantity }, seller.token);
    if (order.status !== 201) return refuse(order.body?.code ?? String(order.status));
    if (rng() < 0.8) {
      const r = await call(url, 'POST', `/api/orders/${order.body.id}/accept`, {}, buyer.token);
      if (r.status !== 201) return refuse(r.body?.code ?? String(r.status));
      made++;
      return;
    }
    const opened = await call(url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, buyer.token);
    if (opened.status >= 300) return refuse(opened.body?.code ?? String(opened.status));
    const id = opened.body.negotiation_id;
    const terms = { price: Math.max(0.01, Math.round(price * 90) / 100), quantity };
    for (const [who, event] of [
      [buyer, 'propose-offer'],
      [seller, 'agree-offer'],
      [buyer, 'agree-offer'],
    ] as const) {
      const r = await ack(who.socket, event, { negotiation_id: id, terms });
      if (r?.error) {
        refuse(r.error.code);
        await ack(buyer.socket, 'reject-negotiation', { negotiation_id: id });
        return;
      }
    }
    made++;
  };
  // a few teams act at once, as a class does
  const lanes = 4;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (made < args.trades && attempts < args.trades * 3 && Date.now() - started < args.timeLimitMs) {
        attempts++;
        await one();
        if (made - reported >= 500) {
          reported = made;
          args.progress?.(`${made} trades agreed, ${((Date.now() - started) / 1000).toFixed(0)} s, refused ${JSON.stringify(refused)}`);
        }
        if (killedAt < 0 && made >= args.trades / 2) {
          killedAt = made;
          args.kill();
        }
      }
    }),
  );
  // every agreement settled: the buy-side transaction files stop growing
  const paths = new DataPaths(args.config.dataDir);
  let transactions = -1;
  for (let i = 0, last = -2; i < 240; i++) {
    const counts = await Promise.all(
      emails.map(async (e) => (await readTransactions(paths, e)).filter((t) => t.transaction.type === 'buy').length),
    );
    transactions = counts.reduce((a, b) => a + b, 0);
    if (transactions === last && transactions >= made) break;
    last = transactions;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return {
    trades: made,
    attempts,
    refused,
    killed_at_trade: killedAt,
    before,
    after: await totals(args.config, emails),
    transactions,
    elapsed_s: (Date.now() - started) / 1000,
  };
}

export const money = (cents: number) => formatCents(cents);
