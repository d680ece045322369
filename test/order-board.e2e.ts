import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../apps/gateway/src/gateway';
import { testConfig } from './support/env';
import { addTeam, collect, connect, http, login, waitFor } from './support/harness';
import { FOUR_TEAMS } from './support/market-designs';

/**
 * A board's changes are pushed to the other teams at once (`order-board`) over real socket.io clients:
 * on the free board to every signed-in team, in a market to its members only. Posted orders come as
 * the board lists them; withdrawn and taken ones by id; a partial fill's rest is posted anew. A refused
 * request pushes nothing.
 */
describe('order board push', () => {
  const config = testConfig();
  const emails = ['alice@uni.edu', 'bob@uni.edu', 'carol@uni.edu', 'dave@uni.edu', 'eve@uni.edu'];
  let gw: RunningGateway;
  const token: Record<string, string> = {};
  const socket: Record<string, Socket> = {};

  beforeAll(async () => {
    for (const e of emails) await addTeam(config, e, { name: `${e[0].toUpperCase()}${e.slice(1, e.indexOf('@'))} Smith` });
    await addTeam(config, 'prof@uni.edu', { role: 'instructor' });
    gw = await createGateway(config);
    for (const e of [...emails, 'prof@uni.edu']) {
      token[e] = await login(gw.url, e);
      socket[e] = await connect(gw.url, token[e]);
    }
  });
  afterAll(async () => {
    Object.values(socket).forEach((s) => s.close());
    await gw?.close();
    config.cleanup();
  });

  const api = (who: string, method: string, path: string, body?: unknown) => http(gw.url, method, path, body, token[who]);
  const pushed = (who: string, match: (p: any) => boolean) => waitFor(socket[who], 'order-board', match);

  it('on the free board: every other team hears of a posted, partly taken and withdrawn order at once', async () => {
    const heard = { bob: collect(socket['bob@uni.edu'], 'order-board'), carol: collect(socket['carol@uni.edu'], 'order-board') };
    // refused requests push nothing: the first event anyone hears is the good order's
    expect((await api('alice@uni.edu', 'POST', '/api/orders', { side: 'sell', chemical: 'C', price: -1, quantity: 5 })).status).toBe(400);
    const posting = Promise.all(['bob@uni.edu', 'carol@uni.edu', 'prof@uni.edu'].map((e) => pushed(e, (p) => p.change === 'posted')));
    const order = (await api('alice@uni.edu', 'POST', '/api/orders', { side: 'sell', chemical: 'C', price: 4.5, quantity: 100 })).body;
    const [toBob] = await posting;
    const listed = (await api('bob@uni.edu', 'GET', '/api/orders')).body.orders.find((o: any) => o.id === order.id);
    expect(toBob).toEqual({ change: 'posted', order_id: order.id, market_id: null, order: listed });
    expect(listed).toMatchObject({ owner: 'alice@uni.edu', owner_name: 'Alice Smith' });
    expect(heard.carol).toHaveLength(1);

    // carol may not withdraw alice's order: nothing moves; bob takes 40 of the 100, and the 60 left are posted anew
    expect((await api('carol@uni.edu', 'DELETE', `/api/orders/${order.id}`)).status).toBe(403);
    const rest = pushed('carol@uni.edu', (p) => p.change === 'posted' && p.order_id !== order.id);
    expect((await api('bob@uni.edu', 'POST', `/api/orders/${order.id}/accept`, { quantity: 40 })).status).toBe(201);
    const restOrder = (await rest).order;
    expect(restOrder).toMatchObject({ owner: 'alice@uni.edu', side: 'sell', chemical: 'C', price: 4.5, quantity: 60 });
    expect(heard.carol.slice(1).map((p) => [p.change, p.order_id])).toEqual([
      ['taken', order.id],
      ['posted', restOrder.id],
    ]);

    const gone = pushed('carol@uni.edu', (p) => p.change === 'withdrawn');
    expect((await api('alice@uni.edu', 'DELETE', `/api/orders/${restOrder.id}`)).status).toBe(204);
    expect(await gone).toEqual({ change: 'withdrawn', order_id: restOrder.id, market_id: null });
    // withdrawing it again is a 404 and pushes nothing more
    expect((await api('alice@uni.edu', 'DELETE', `/api/orders/${restOrder.id}`)).status).toBe(404);
    const last = pushed('carol@uni.edu', (p) => p.change === 'posted');
    await api('dave@uni.edu', 'POST', '/api/orders', { side: 'buy', chemical: 'N', price: 2, quantity: 1 });
    await last;
    expect(heard.carol.map((p) => p.change)).toEqual(['posted', 'taken', 'posted', 'withdrawn', 'posted']);
    expect(heard.bob.map((p) => p.change)).toEqual(['posted', 'taken', 'posted', 'withdrawn', 'posted']);

    // renamed by the instructor: the board shows the new name at once
    expect((await api('prof@uni.edu', 'PATCH', '/api/users/dave@uni.edu', { name: 'David Jones' })).status).toBe(200);
    const board = (await api('bob@uni.edu', 'GET', '/api/orders')).body.orders;
    expect(board.filter((o: any) => o.owner === 'dave@uni.edu').map((o: any) => o.owner_name)).toEqual(['David Jones']);
  });

  it("in a market: only the market's members hear of its orders, posted and taken", async () => {
    expect((await api('prof@uni.edu', 'POST', '/api/market/designs', { design: FOUR_TEAMS })).status).toBe(201);
    const members = emails.slice(0, 4);
    const market = (await api('prof@uni.edu', 'POST', '/api/markets', { design_id: 'four-teams', teams: members })).body;
    const outsider = collect(socket['eve@uni.edu'], 'order-board');
    const posting = Promise.all(members.slice(1).map((e) => pushed(e, (p) => p.market_id === market.id && p.change === 'posted')));
    // alice buys C in this market; bob sells it
    const order = await api('alice@uni.edu', 'POST', '/api/orders', {
      market_id: market.id,
      side: 'buy',
      chemical: 'C',
      price: 7,
      quantity: 5,
    });
    expect(order.status).toBe(201);
    for (const p of await posting) expect(p).toMatchObject({ order_id: order.body.id, order: { market_id: market.id, quantity: 5 } });
    // a market's board shows no owner's name: its teams may be anonymised
    for (const p of await posting) expect(p.order).not.toHaveProperty('owner_name');
    const taking = Promise.all(members.map((e) => pushed(e, (p) => p.change === 'taken' && p.order_id === order.body.id)));
    expect((await api('bob@uni.edu', 'POST', `/api/orders/${order.body.id}/accept`, {})).status).toBe(201);
    for (const p of await taking) expect(p).toEqual({ change: 'taken', order_id: order.body.id, market_id: market.id });
    // eve, outside the market, heard nothing of it: the next free-board order is the first thing she hears since
    const next = pushed('eve@uni.edu', (p) => p.market_id === null);
    await api('dave@uni.edu', 'POST', '/api/orders', { side: 'buy', chemical: 'Q', price: 1, quantity: 1 });
    await next;
    expect(outsider.map((p) => p.market_id)).toEqual([null]);
  });
});
