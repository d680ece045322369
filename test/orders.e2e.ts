import { readdirSync, readlinkSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { createGateway, RunningGateway } from '../apps/gateway/src/gateway';
import { testConfig } from './support/env';
import { addTeam, http, login } from './support/harness';

/** The order board and seed 000's user-pair namespaces, over HTTP with real files. */
describe('orders and peer negotiation namespaces', () => {
  const config = testConfig();
  let gw: RunningGateway;
  let alice: string, bob: string;

  beforeAll(async () => {
    await addTeam(config, 'alice@uni.edu', { name: 'Alice Smith' });
    await addTeam(config, 'bob@uni.edu', { name: 'Bob Jones' });
    gw = await createGateway(config);
    [alice, bob] = await Promise.all([login(gw.url, 'alice@uni.edu'), login(gw.url, 'bob@uni.edu')]);
  });
  afterAll(async () => {
    await gw.close();
    config.cleanup();
  });

  it('refuses bad orders with clear 4xx messages', async () => {
    const bad: [unknown, RegExp][] = [
      [{ side: 'buy', chemical: 'C', price: -1, quantity: 10 }, /price must not be negative/],
      [{ side: 'buy', chemical: 'C', price: 0, quantity: 10 }, /price must be at least 0.01/],
      [{ side: 'buy', chemical: 'C', price: 5e-7, quantity: 10 }, /price has more than two decimals \(got 5e-7\)/],
      [{ side: 'buy', chemical: 'C', price: 0.1 + 0.2, quantity: 10 }, /more than two decimals/],
      [{ side: 'buy', chemical: 'C', price: 1e300, quantity: 10 }, /price must be at most/],
      [{ side: 'buy', chemical: 'C', price: 5, quantity: 1.5 }, /whole number/],
      [{ side: 'buy', chemical: 'X', price: 5, quantity: 10 }, /chemical must be one of C, N, D, Q/],
      [{ side: 'hold', chemical: 'C', price: 5, quantity: 10 }, /side must be/],
      [{ side: 'buy', chemical: 'C', price: '5', quantity: 10 }, /price must be a number/],
      [[], /body/],
    ];
    for (const [body, message] of bad) {
      const res = await http(gw.url, 'POST', '/api/orders', body, alice);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_PAYLOAD');
      expect(res.body.message).toMatch(message);
    }
  });

  it('posts, lists with a filter, cancels only its own, refuses responding to its own', async () => {
    const c = await http(gw.url, 'POST', '/api/orders', { side: 'buy', chemical: 'C', price: 5.5, quantity: 1000 }, alice);
    const n = await http(gw.url, 'POST', '/api/orders', { side: 'sell', chemical: 'N', price: 2, quantity: 50 }, bob);
    expect(c.status).toBe(201);
    expect(readdirSync(join(config.dataDir, 'teams', 'alice@uni.edu', 'orders'))).toEqual([`${c.body.id}.json`]);
    const onlyC = await http(gw.url, 'GET', '/api/orders?chemical=C', undefined, bob);
    expect(onlyC.body.orders.map((o: any) => o.id)).toEqual([c.body.id]);
    // the board names the team that posted it (the file keeps only the owner's e-mail)
    expect(onlyC.body.orders[0]).toMatchObject({ owner: 'alice@uni.edu', owner_name: 'Alice Smith' });
    const all = await http(gw.url, 'GET', '/api/orders', undefined, bob);
    expect(all.body.orders.map((o: any) => o.id).sort()).toEqual([c.body.id, n.body.id].sort());
    expect((await http(gw.url, 'DELETE', `/api/orders/${c.body.id}`, undefined, bob)).status).toBe(403);
    expect((await http(gw.url, 'POST', `/api/orders/${c.body.id}/respond`, undefined, alice)).status).toBe(409);
    expect((await http(gw.url, 'DELETE', `/api/orders/${c.body.id}`, undefined, alice)).status).toBe(204);
    expect((await http(gw.url, 'DELETE', `/api/orders/${c.body.id}`, undefined, alice)).status).toBe(404);
    expect((await http(gw.url, 'POST', '/api/orders/not-an-id/respond', undefined, alice)).status).toBe(404);
  });

  it('creates {initiator}_{responder}_{chemical}_{ts} under the initiator and a relative symlink for the responder, unique within a second', async () => {
    // three orders (a team has at most one open negotiation per order), answered within a second
    const orders = [];
    for (let i = 0; i < 3; i++)
      orders.push(await http(gw.url, 'POST', '/api/orders', { side: 'sell', chemical: 'D', price: 3.25 + i, quantity: 10 }, alice));
    const ids: string[] = [];
    for (const order of orders)
      ids.push((await http(gw.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, bob)).body.negotiation_id);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) {
      expect(id).toMatch(/^alice_bob_D_\d{10}(-\d+)?$/);
      const link = join(config.dataDir, 'teams', 'bob@uni.edu', 'negotiations', id);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readlinkSync(link)).toBe(`../../alice@uni.edu/negotiations/${id}`);
      expect(lstatSync(join(config.dataDir, 'teams', 'alice@uni.edu', 'negotiations', id)).isDirectory()).toBe(true);
    }
    const listed = await http(gw.url, 'GET', '/api/negotiations', undefined, bob);
    const mine = listed.body.negotiations.find((n: any) => n.negotiation_id === ids[0]);
    expect(mine).toMatchObject({ kind: 'peer', chemical: 'D', status: 'active', opening_terms: { price: 3.25, quantity: 10 } });
    expect(mine.parties).toEqual([
      { user: 'alice@uni.edu', role: 'seller', name: 'Alice Smith' },
      { user: 'bob@uni.edu', role: 'buyer', name: 'Bob Jones' },
    ]);
  });

  it('shows a team its holdings, transactions and open orders', async () => {
    const me = await http(gw.url, 'GET', '/api/teams/me', undefined, alice);
    expect(me.status).toBe(200);
    expect(me.body.holdings).toEqual({ cash: 50000, C: 2000, N: 2000, D: 2000, Q: 2000 });
    expect(me.body.transactions).toEqual([]);
    expect(me.body.orders.every((o: any) => o.owner === 'alice@uni.edu')).toBe(true);
  });
});
