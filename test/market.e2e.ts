import type { RunningGateway } from '../apps/gateway/src/gateway';
import { DataPaths, teamHoldings } from '@parley/store';
import { LiveStack } from './support/live-stack';
import { emitAck, http, waitFor } from './support/harness';
import { until } from './support/agreement-worker';
import { FOUR_TEAMS } from './support/market-designs';

/**
 * A class market over HTTP and sockets with the real gateway and agreement worker: designs uploaded
 * with line-numbered errors, teams seated on private schedules, checks at the time of the act, trades
 * accepted as posted, profits, leaderboard and efficiency as computed by hand.
 */
describe('markets with induced values', () => {
  const stack = new LiveStack();
  const config = stack.config;
  const paths = new DataPaths(config.dataDir);
  const emails = ['alice@uni.edu', 'bob@uni.edu', 'carol@uni.edu', 'dave@uni.edu'];
  const token: Record<string, string> = {};
  let prof = '';
  let gw: RunningGateway;

  beforeAll(async () => {
    const names = { 'alice@uni.edu': 'Alice Smith', 'bob@uni.edu': 'Bob Jones', 'carol@uni.edu': 'Carol Diaz', 'dave@uni.edu': 'Dave Lee' };
    await stack.start(emails, { instructors: ['prof@uni.edu'], names });
    gw = stack.gw;
    prof = stack.token['prof@uni.edu'];
    Object.assign(token, stack.token);
  });
  afterAll(() => stack.close());

  const postOrder = (email: string, order: Record<string, unknown>) => http(gw.url, 'POST', '/api/orders', order, token[email]);

  const totals = async () => {
    const all = await Promise.all(emails.map((e) => teamHoldings(paths, e)));
    return { cash_cents: all.reduce((n, h) => n + Math.round(h.cash * 100), 0), C: all.reduce((n, h) => n + h.C, 0) };
  };

  describe('on the free trading board', () => {
    it('refuses at once an order or a proposal the team could not honour, counting its other open orders', async () => {
      const huge = await postOrder('bob@uni.edu', { side: 'sell', chemical: 'C', price: 5, quantity: 999_999 });
      expect(huge.status).toBe(409);
      expect(huge.body.code).toBe('NOT_ENOUGH_GOODS');
      expect(huge.body.message).toMatch(/you hold 2000/);
      const rich = await postOrder('bob@uni.edu', { side: 'buy', chemical: 'N', price: 100, quantity: 501 });
      expect(rich.body.code).toBe('NOT_ENOUGH_CASH');
      const first = await postOrder('bob@uni.edu', { side: 'sell', chemical: 'Q', price: 2, quantity: 1500 });
      expect(first.status).toBe(201);
      const second = await postOrder('bob@uni.edu', { side: 'sell', chemical: 'Q', price: 2, quantity: 600 });
      expect(second.body).toMatchObject({ code: 'NOT_ENOUGH_GOODS' });
      expect(second.body.message).toMatch(/1500 are promised/);

      // a proposal in a negotiation counts the same way: alice answers bob's Q order and proposes more than bob can pay for
      const opened = await http(gw.url, 'POST', `/api/orders/${first.body.id}/respond`, undefined, token['alice@uni.edu']);
      expect(opened.status).toBe(201);
      const a = await stack.socket('alice@uni.edu');
      await emitAck(a, 'join-negotiation', { negotiation_id: opened.body.negotiation_id });
      const tooMuch = await emitAck(a, 'propose-offer', {
        negotiation_id: opened.body.negotiation_id,
        terms: { price: 30, quantity: 1700 },
      });
      expect(tooMuch.error.code).toBe('NOT_ENOUGH_CASH');
      const tiny = await emitAck(a, 'propose-offer', { negotiation_id: opened.body.negotiation_id, terms: { price: 5e-7, quantity: 1 } });
      expect(tiny.error).toMatchObject({ code: 'INVALID_OFFER' });
      expect(tiny.error.message).toMatch(/more than two decimals/);
      await http(gw.url, 'DELETE', `/api/orders/${first.body.id}`, undefined, token['bob@uni.edu']);
      await emitAck(a, 'reject-negotiation', { negotiation_id: opened.body.negotiation_id });
    });

    it('answering an order twice gives back the same negotiation; the owner is told at once and sees "waiting for you"', async () => {
      const owner = await stack.socket('carol@uni.edu');
      const order = await postOrder('carol@uni.edu', { side: 'buy', chemical: 'D', price: 3.1, quantity: 50 });
      const told = waitFor(owner, 'order-response', (p: any) => p.order_id === order.body.id);
      const one = await http(gw.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, token['dave@uni.edu']);
      const two = await http(gw.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, token['dave@uni.edu']);
      expect([one.status, two.status]).toEqual([201, 200]);
      expect(two.body.negotiation_id).toBe(one.body.negotiation_id);
      expect(await told).toMatchObject({
        from: 'dave@uni.edu',
        from_name: 'Dave Lee',
        negotiation_id: one.body.negotiation_id,
        accepted: false,
      });
      const list = await http(gw.url, 'GET', '/api/negotiations', undefined, token['carol@uni.edu']);
      expect(list.body.negotiations.find((n: any) => n.negotiation_id === one.body.negotiation_id).waiting_for).toBe('you');
      const theirs = await http(gw.url, 'GET', '/api/negotiations', undefined, token['dave@uni.edu']);
      expect(theirs.body.negotiations.find((n: any) => n.negotiation_id === one.body.negotiation_id).waiting_for).toBe('them');
    });

    it('accepts an order as posted in one step: settled, the order filled once, the rest still posted; cash and goods conserved to the cent', async () => {
      const before = await totals();
      const owner = await stack.socket('alice@uni.edu');
      const order = await postOrder('alice@uni.edu', { side: 'sell', chemical: 'C', price: 4.35, quantity: 100 });
      const told = waitFor(owner, 'order-response', (p: any) => p.order_id === order.body.id);
      const taken = await http(gw.url, 'POST', `/api/orders/${order.body.id}/accept`, { quantity: 30 }, token['bob@uni.edu']);
      expect(taken.status).toBe(201);
      expect(await told).toMatchObject({ from_name: 'Bob Jones', accepted: true, terms: { price: 4.35, quantity: 30 } });
      const again = await http(gw.url, 'POST', `/api/orders/${order.body.id}/accept`, {}, token['carol@uni.edu']);
      expect(again.body.code).toBe('ORDER_GONE');
      await until('settled', async () => (await teamHoldings(paths, 'bob@uni.edu')).C === 2030);
      expect(await teamHoldings(paths, 'alice@uni.edu')).toMatchObject({ C: 1970, cash: 50000 + 130.5 });
      const board = await http(gw.url, 'GET', '/api/orders?chemical=C', undefined, token['bob@uni.edu']);
      expect(board.body.orders.filter((o: any) => o.owner === 'alice@uni.edu')).toEqual([
        expect.objectContaining({ side: 'sell', price: 4.35, quantity: 70 }),
      ]);
      expect(await totals()).toEqual(before);
    });
  });

  describe('in a market session', () => {
    let marketId = '';
    const design = FOUR_TEAMS;

    it('refuses a design upload with every problem and its CSV line; stores a valid one', async () => {
      const upload = (rows: string[]) =>
        http(gw.url, 'POST', '/api/market/designs', { csv: rows.join('\n'), id: 'bad', title: 'Bad', round_seconds: 600 }, prof);
      const header = 'team,type,chemical,quantity,amount';
      const bad = await upload([header, 'T01,buy,C,10,12.00', 'T02,sell,C,1.5,4', 'T02,sell,C,10,3.999', 'T03,lend,C,1,1']);
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('INVALID_DESIGN');
      expect(bad.body.problems.map((p: any) => `line ${p.line}: ${p.message}`)).toEqual([
        'line 3: quantity must be a whole number of at least 1 (got "1.5")',
        'line 4: cost has more than two decimals (got 3.999)',
        expect.stringMatching(/^line 5: type must be/),
      ]);
      expect(bad.body.message).toMatch(/^the design has 3 problems; first: line 3: quantity/);
      const rising = await upload([header, 'T01,buy,C,10,12.00', 'T01,buy,C,10,13.00', 'T02,sell,C,20,4']);
      expect(rising.body.problems).toEqual([
        expect.objectContaining({ line: 3, message: "value 13.00 is above the previous step's 12.00: a buyer's values must not rise" }),
      ]);
      expect((await http(gw.url, 'POST', '/api/market/designs', { design }, token['alice@uni.edu'])).status).toBe(403);
      const ok = await http(gw.url, 'POST', '/api/market/designs', { design }, prof);
      expect(ok.body).toEqual({ id: 'four-teams', title: design.title, teams: 4 });
      const listed = await http(gw.url, 'GET', '/api/market/designs', undefined, prof);
      expect(listed.body.uploaded.map((d: any) => d.id)).toEqual(['four-teams']);
      expect(listed.body.builtin.map((d: any) => d.id)).toEqual(['builtin-symmetric', 'builtin-asymmetric']);
    });

    it('seats the teams; each sees only its own schedule', async () => {
      const created = await http(gw.url, 'POST', '/api/markets', { design_id: 'four-teams', teams: emails, anonymise: true }, prof);
      expect(created.status).toBe(201);
      marketId = created.body.id;
      const me = await http(gw.url, 'GET', `/api/markets/${marketId}/me`, undefined, token['alice@uni.edu']);
      expect(me.body).toMatchObject({
        team: 'T01',
        cash_cents: 20000,
        profit_cents: 0,
        schedules: [
          {
            chemical: 'C',
            side: 'buy',
            units: 20,
            steps: [
              { quantity: 10, value_cents: 1200 },
              { quantity: 10, value_cents: 800 },
            ],
          },
        ],
      });
      const text = JSON.stringify(me.body);
      for (const other of ['T02', 'T03', 'T04', 'cost', 'bob@']) expect(text).not.toContain(other);
      // no other team's value or cost (10.00, 4.00, 6.00, 9.00) anywhere in what she receives
      expect(text).not.toMatch(/[:[,](1000|400|600|900)[,}\]]/);
      expect((await http(gw.url, 'GET', `/api/markets/${marketId}/analytics`, undefined, token['alice@uni.edu'])).status).toBe(403);
    });

    it('refuses what a team could not honour in the market: cash, its cost schedule, a chemical it only buys', async () => {
      const post = (who: string, o: object) =>
        http(gw.url, 'POST', '/api/orders', { market_id: marketId, chemical: 'C', ...o }, token[who]);
      expect((await post('alice@uni.edu', { side: 'buy', price: 7, quantity: 30 })).body.code).toBe('NOT_ENOUGH_CASH');
      expect((await post('bob@uni.edu', { side: 'sell', price: 7, quantity: 25 })).body.code).toBe('BEYOND_SCHEDULE');
      expect((await post('carol@uni.edu', { side: 'sell', price: 7, quantity: 1 })).body.code).toBe('BEYOND_SCHEDULE');
      const outsider = await http(gw.url, 'GET', '/api/orders', undefined, token['alice@uni.edu']);
      expect(outsider.body.orders.some((o: any) => o.market_id === marketId)).toBe(false);
    });

    it('trades by accepting as posted; profit, leaderboard and efficiency as computed by hand; conserved to the cent', async () => {
      const before = await totals();
      const post = (who: string, o: object) =>
        http(gw.url, 'POST', '/api/orders', { market_id: marketId, chemical: 'C', ...o }, token[who]);
      const bobs = await post('bob@uni.edu', { side: 'sell', price: 7, quantity: 10 });
      expect((await http(gw.url, 'POST', `/api/orders/${bobs.body.id}/accept`, {}, token['alice@uni.edu'])).status).toBe(201);
      const daves = await post('dave@uni.edu', { side: 'sell', price: 7.5, quantity: 10 });
      expect((await http(gw.url, 'POST', `/api/orders/${daves.body.id}/accept`, { quantity: 5 }, token['alice@uni.edu'])).status).toBe(201);
      const rest = (await http(gw.url, 'GET', `/api/orders?market_id=${marketId}`, undefined, token['alice@uni.edu'])).body.orders;
      expect(rest).toEqual([expect.objectContaining({ owner: 'dave@uni.edu', quantity: 5, price: 7.5 })]);
      expect((await http(gw.url, 'POST', `/api/orders/${rest[0].id}/accept`, {}, token['alice@uni.edu'])).status).toBe(201);
      await until(
        'three trades',
        async () => (await http(gw.url, 'GET', `/api/markets/${marketId}/me`, undefined, token['alice@uni.edu'])).body.trades.length === 3,
      );

      // alice: 10 × (12 − 7) + 10 × (8 − 7.5) = 55.00; bob 10 × (7 − 4) = 30.00; dave 10 × (7.5 − 6) = 15.00
      const board = await http(gw.url, 'GET', `/api/markets/${marketId}/leaderboard`, undefined, token['bob@uni.edu']);
      expect(board.body.rows).toEqual([
        { rank: 1, team: 'T01', name: 'Team T01', profit_cents: 5500 },
        { rank: 2, team: 'T02', name: 'Bob Jones', profit_cents: 3000, you: true },
        { rank: 3, team: 'T04', name: 'Team T04', profit_cents: 1500 },
        { rank: 4, team: 'T03', name: 'Team T03', profit_cents: 0 },
      ]);
      const named = await http(gw.url, 'GET', `/api/markets/${marketId}/leaderboard`, undefined, prof);
      expect(named.body.rows.map((r: any) => r.name)).toEqual(['Alice Smith', 'Bob Jones', 'Dave Lee', 'Carol Diaz']);

      // demand 12,10,8 and supply 4,6,9 (10 units each): Q* = 20, band 8.00–9.00, max surplus 120.00; realised 100.00
      const a = await http(gw.url, 'GET', `/api/markets/${marketId}/analytics`, undefined, prof);
      expect(a.body.chemicals[0]).toMatchObject({
        chemical: 'C',
        equilibrium: { price_low_cents: 800, price_high_cents: 900, quantity_min: 20, quantity_max: 20, max_surplus_cents: 12000 },
        volume: 20,
        realised_surplus_cents: 10000,
      });
      expect(a.body.chemicals[0].trades.map((t: any) => [t.price_cents, t.quantity])).toEqual([
        [700, 10],
        [750, 5],
        [750, 5],
      ]);
      expect(a.body.efficiency).toBeCloseTo(100 / 120, 10);
      expect(a.body.chemicals[0].demand).toEqual([
        { from: 0, to: 10, cents: 1200 },
        { from: 10, to: 20, cents: 1000 },
        { from: 20, to: 30, cents: 800 },
      ]);
      const me = await http(gw.url, 'GET', `/api/markets/${marketId}/me`, undefined, token['alice@uni.edu']);
      expect(me.body).toMatchObject({ cash_cents: 20000 - 7000 - 7500, goods: { C: 20 }, profit_cents: 5500 });
      expect(await totals()).toEqual(before);
    });

    it('closes when the instructor ends it: new orders are refused', async () => {
      expect((await http(gw.url, 'POST', `/api/markets/${marketId}/end`, undefined, prof)).body.running).toBe(false);
      const late = await postOrder('carol@uni.edu', { market_id: marketId, chemical: 'C', side: 'buy', price: 1, quantity: 1 });
      expect(late.body.code).toBe('MARKET_CLOSED');
    });

    it('a class session in market mode opens one market per round for its members and closes it with the round', async () => {
      const session = await http(
        gw.url,
        'POST',
        '/api/sessions',
        { title: 'Market day', mode: 'market', scenario_ids: [], market_design_id: 'four-teams', round_seconds: 600, pairing: 'random' },
        prof,
      );
      expect(session.status).toBe(201);
      for (const e of emails)
        expect((await http(gw.url, 'POST', '/api/sessions/join', { code: session.body.code }, token[e])).status).toBe(200);
      expect((await http(gw.url, 'POST', `/api/sessions/${session.body.id}/rounds`, {}, prof)).status).toBe(201);
      const mine = await http(gw.url, 'GET', '/api/markets', undefined, token['carol@uni.edu']);
      const market = mine.body.markets.find((m: any) => m.id === `${session.body.id}-r1`);
      expect(market).toMatchObject({ title: 'Market day, round 1', teams: 4, running: true, anonymise: true });
      const me = await http(gw.url, 'GET', `/api/markets/${market.id}/me`, undefined, token['carol@uni.edu']);
      expect(me.body.schedules).toHaveLength(1);
      await http(gw.url, 'POST', `/api/sessions/${session.body.id}/rounds/current/end`, undefined, prof);
      const late = await postOrder('carol@uni.edu', {
        market_id: market.id,
        chemical: 'C',
        side: me.body.schedules[0].side,
        price: 1,
        quantity: 1,
      });
      expect(late.body.code).toBe('MARKET_CLOSED');
    });
  });
});
