import type { Socket } from 'socket.io-client';
import { LiveStack } from './support/live-stack';
import { collect, emitAck, http, waitFor } from './support/harness';
import { TWO_TEAMS } from './support/market-designs';

/**
 * A market's pages are pushed, not polled: when the agreement worker settles a trade of a market, and
 * when its instructor ends trading, both teams and the instructor hear `market-update` at once over
 * real socket.io clients (through the Redis emitter); an offer in one of its negotiations reaches that
 * negotiation's two parties only; a team outside the market and another instructor hear nothing of it.
 */
describe('market push', () => {
  const stack = new LiveStack();
  const [alice, bob, carol, prof, other] = ['alice@uni.edu', 'bob@uni.edu', 'carol@uni.edu', 'prof@uni.edu', 'other@uni.edu'];
  const socket: Record<string, Socket> = {};

  beforeAll(async () => {
    await stack.start([alice, bob, carol], { instructors: [prof, other] });
    for (const e of [alice, bob, carol, prof, other]) socket[e] = await stack.socket(e);
  });
  afterAll(() => stack.close());

  const api = (who: string, method: string, path: string, body?: unknown) => http(stack.url, method, path, body, stack.token[who]);

  it('a settled trade and the end of trading reach both teams and the instructor, an offer its two parties, and nobody outside', async () => {
    expect((await api(prof, 'POST', '/api/market/designs', { design: TWO_TEAMS })).status).toBe(201);
    const market = (await api(prof, 'POST', '/api/markets', { design_id: 'two-teams', teams: [alice, bob] })).body;
    const outsiders = [carol, other].map((e) => collect(socket[e], 'market-update'));
    const instructor = collect(socket[prof], 'market-update');
    const heard = (change: string) =>
      Promise.all([alice, bob, prof].map((e) => waitFor(socket[e], 'market-update', (p: any) => p.change === change)));

    // alice buys C; bob takes her order as posted; the agreement worker settles the trade
    const order = await api(alice, 'POST', '/api/orders', { market_id: market.id, side: 'buy', chemical: 'C', price: 7, quantity: 5 });
    expect(order.status).toBe(201);
    const traded = heard('trade');
    expect((await api(bob, 'POST', `/api/orders/${order.body.id}/accept`, {})).status).toBe(201);
    for (const p of await traded) expect(p).toEqual({ market_id: market.id, change: 'trade' });
    // what the pages then read shows the trade
    expect((await api(prof, 'GET', `/api/markets/${market.id}/analytics`)).body).toMatchObject({ volume: 5, trade_count: 1 });
    expect((await api(alice, 'GET', `/api/markets/${market.id}/me`)).body.profit_cents).toBe(5 * (1200 - 700));

    // an offer in a negotiation of the market: its two parties' pages hear of it (their "waiting for …"), nobody else
    const ask = await api(bob, 'POST', '/api/orders', { market_id: market.id, side: 'sell', chemical: 'C', price: 9.5, quantity: 2 });
    const opened = (await api(alice, 'POST', `/api/orders/${ask.body.id}/respond`)).body;
    await emitAck(socket[alice], 'join-negotiation', { negotiation_id: opened.negotiation_id });
    const offered = Promise.all([alice, bob].map((e) => waitFor(socket[e], 'market-update', (p: any) => p.change === 'offer')));
    const proposed = await emitAck(socket[alice], 'propose-offer', {
      negotiation_id: opened.negotiation_id,
      terms: { price: 9, quantity: 2 },
    });
    expect(proposed.ok).toBe(true);
    for (const p of await offered) expect(p).toEqual({ market_id: market.id, change: 'offer' });

    const ended = heard('ended');
    expect((await api(prof, 'POST', `/api/markets/${market.id}/end`)).status).toBe(201);
    for (const p of await ended) expect(p).toEqual({ market_id: market.id, change: 'ended' });

    // carol (no member) and the other instructor heard nothing: a free-board trade between carol and alice is no market's change
    const free = await api(carol, 'POST', '/api/orders', { side: 'sell', chemical: 'C', price: 1, quantity: 1 });
    const freeTrade = waitFor(socket[carol], 'negotiation-update', (p: any) => p.status === 'completed');
    expect((await api(alice, 'POST', `/api/orders/${free.body.id}/accept`, {})).status).toBe(201);
    await freeTrade;
    expect(outsiders).toEqual([[], []]);
    expect(instructor.map((p) => p.change)).toEqual(['trade', 'ended']);
  });
});
