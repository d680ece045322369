import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import type { RunningGateway } from '../apps/gateway/src/gateway';
import { LiveStack } from './support/live-stack';
import { addTeam, connect, emitAck, http, login, waitFor } from './support/harness';

/** Two teams trade over sockets to transaction files and changed holdings (gateway + agreement-worker). */
describe('peer trading end to end', () => {
  const stack = new LiveStack();
  const config = stack.config;
  const sockets = stack.sockets;
  let alice: string, bob: string;
  let gw: RunningGateway;

  beforeAll(async () => {
    await stack.start(['alice@uni.edu', 'bob@uni.edu'], { names: { 'alice@uni.edu': 'Alice Smith', 'bob@uni.edu': 'Bob Jones' } });
    gw = stack.gw;
    [alice, bob] = [stack.token['alice@uni.edu'], stack.token['bob@uni.edu']];
  });
  afterAll(() => stack.close());

  let orderId = '';
  async function room(): Promise<{ id: string; a: Socket; b: Socket }> {
    const order = await http(gw.url, 'POST', '/api/orders', { side: 'buy', chemical: 'C', price: 5.5, quantity: 1000 }, alice);
    orderId = order.body.id;
    const { negotiation_id: id } = (await http(gw.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, bob)).body;
    const [a, b] = [await connect(gw.url, alice), await connect(gw.url, bob)];
    sockets.push(a, b);
    await emitAck(a, 'join-negotiation', { negotiation_id: id });
    await emitAck(b, 'join-negotiation', { negotiation_id: id });
    return { id, a, b };
  }

  it('settles matching agreements into two transaction files and changes both holdings', async () => {
    const { id, a, b } = await room();
    const offerSeen = waitFor(b, 'offer-updated', (o) => o.user === 'alice@uni.edu');
    const lineSeen = waitFor(b, 'message-received', (m) => m.kind === 'offer' && m.sender === 'alice@uni.edu');
    await emitAck(a, 'propose-offer', { negotiation_id: id, terms: { price: 5.0, quantity: 1000 } });
    expect((await offerSeen).offer).toMatchObject({ price: 5.0, quantity: 1000 });
    // the chat line reads in plain words (issue 13)
    expect((await lineSeen).content).toMatch(/^Proposed 1,000 units of [CNDQ] at \$5 each\.$/);
    await emitAck(b, 'propose-offer', { negotiation_id: id, terms: { price: 5.25, quantity: 1000 } });
    await emitAck(a, 'agree-offer', { negotiation_id: id, terms: { quantity: 1000, price: 5.25 } });

    const atA = waitFor(a, 'negotiation-update', (u) => u.status === 'completed');
    const atB = waitFor(b, 'negotiation-update', (u) => u.status === 'completed');
    const t0 = Date.now();
    await emitAck(b, 'agree-offer', { negotiation_id: id, terms: { price: 5.25, quantity: 1000 } });
    const [ua, ub] = await Promise.all([atA, atB]);
    console.log(`second agree-offer → negotiation-update at both clients: ${Date.now() - t0} ms`);
    expect(ua.deal_terms).toEqual({ agreed: true, terms: { price: 5.25, quantity: 1000 } });
    expect(ub.status).toBe('completed');

    const aliceTx = readdirSync(join(config.dataDir, 'teams', 'alice@uni.edu', 'transactions'));
    const bobTx = readdirSync(join(config.dataDir, 'teams', 'bob@uni.edu', 'transactions'));
    expect(aliceTx).toEqual([expect.stringMatching(/^\d+_buy_C_from_bob_\d+(-\d+)?\.json$/)]);
    expect(bobTx).toEqual([expect.stringMatching(/^\d+_sell_C_to_alice_\d+(-\d+)?\.json$/)]);
    const buy = JSON.parse(readFileSync(join(config.dataDir, 'teams', 'alice@uni.edu', 'transactions', aliceTx[0]), 'utf8'));
    expect(Object.keys(buy).sort()).toEqual([
      'chemical',
      'counterparty',
      'negotiation_id',
      'price',
      'quantity',
      'settled',
      'timestamp',
      'type',
    ]);
    expect(buy).toMatchObject({
      type: 'buy',
      chemical: 'C',
      price: 5.25,
      quantity: 1000,
      counterparty: 'bob@uni.edu',
      negotiation_id: id,
      settled: false,
    });

    const meA = await http(gw.url, 'GET', '/api/teams/me', undefined, alice);
    const meB = await http(gw.url, 'GET', '/api/teams/me', undefined, bob);
    expect(meA.body.holdings).toMatchObject({ cash: 50000 - 5250, C: 3000 });
    expect(meB.body.holdings).toMatchObject({ cash: 50000 + 5250, C: 1000 });
    // the files keep seed 000's fields; what a team reads names the other side
    expect(meA.body.transactions[0]).toMatchObject({
      type: 'buy',
      negotiation_id: id,
      counterparty: 'bob@uni.edu',
      counterparty_name: 'Bob Jones',
    });
    expect(meB.body.transactions[0]).toMatchObject({ type: 'sell', counterparty: 'alice@uni.edu', counterparty_name: 'Alice Smith' });

    // the order it was opened on is filled and leaves the board
    const board = await http(gw.url, 'GET', '/api/orders', undefined, bob);
    expect(board.body.orders.map((o: any) => o.id)).not.toContain(orderId);

    // archived for both, and closed to further offers
    expect(readdirSync(join(config.dataDir, 'teams', 'bob@uni.edu', 'negotiations_archive'))).toContain(id);
    expect((await emitAck(a, 'propose-offer', { negotiation_id: id, terms: { price: 6, quantity: 1 } })).error.code).toBe(
      'NEGOTIATION_CLOSED',
    );
  });

  it('audits each settlement for instructors and counts it in /metrics', async () => {
    await addTeam(config, 'prof@uni.edu', { role: 'instructor' });
    const prof = await login(gw.url, 'prof@uni.edu');
    let entries: any[] = [];
    for (let i = 0; i < 40 && !entries.some((e) => e.what === 'settle'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      entries = (await http(gw.url, 'GET', '/api/admin/audit', undefined, prof)).body.entries;
    }
    expect(entries).toEqual(
      expect.arrayContaining([expect.objectContaining({ service: 'agreement-worker', who: 'system', what: 'settle', result: 'settled' })]),
    );
    let metrics = '';
    for (let i = 0; i < 40 && !/parley_settlements_total\{[^}]*status="settled"/.test(metrics); i++) {
      await new Promise((r) => setTimeout(r, 250));
      metrics = (await http<string>(gw.url, 'GET', '/metrics')).body;
    }
    expect(metrics).toMatch(/parley_settlements_total\{[^}]*status="settled"[^}]*\} [1-9]/);
    // the grade sheet: one row per team of the trade, by name, with the deal's terms
    const csv = (await http<string>(gw.url, 'GET', '/api/instructor/grades.csv', undefined, prof)).body;
    const id = entries.find((e) => e.what === 'settle' && e.result === 'settled').negotiation_id;
    const lines = csv.split('\r\n').filter((l) => l.includes(id));
    expect(lines).toEqual([
      expect.stringMatching(/^Alice Smith,alice@uni\.edu,buyer,trade of C,0,Bob Jones,deal,"1,000 units of C at \$5\.25 each",/),
      expect.stringMatching(/^Bob Jones,bob@uni\.edu,seller,trade of C,0,Alice Smith,deal,"1,000 units of C at \$5\.25 each",/),
    ]);
  });

  it('does nothing while the agreed terms differ', async () => {
    const { id, a, b } = await room();
    await emitAck(a, 'agree-offer', { negotiation_id: id, terms: { price: 5.25, quantity: 1000 } });
    await emitAck(b, 'agree-offer', { negotiation_id: id, terms: { price: 5.3, quantity: 1000 } });
    await new Promise((r) => setTimeout(r, 500));
    const state = await emitAck(a, 'join-negotiation', { negotiation_id: id });
    expect(state.data.state.status).toBe('active');
    expect(state.data.state.offers.map((o: any) => o.status)).toEqual(['agreed', 'agreed']);
  });

  it('ends the negotiation for both when one side rejects', async () => {
    const { id, a, b } = await room();
    const atA = waitFor(a, 'negotiation-update', (u) => u.status === 'rejected');
    await emitAck(b, 'reject-negotiation', { negotiation_id: id });
    expect((await atA).negotiation_id).toBe(id);
    expect((await emitAck(a, 'send-message', { negotiation_id: id, content: 'wait!' })).error.code).toBe('NEGOTIATION_CLOSED');
  });

  it('refuses trade offers that are not a positive price and whole quantity', async () => {
    const { id, a } = await room();
    for (const terms of [{ price: -1, quantity: 10 }, { price: 5, quantity: 0.5 }, { price: 5 }, { price: 5, quantity: 10, bonus: 1 }]) {
      const r = await emitAck(a, 'propose-offer', { negotiation_id: id, terms });
      expect(r.error.code).toBe('INVALID_OFFER');
    }
  });
});
