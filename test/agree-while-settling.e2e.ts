import type { PartyState } from '@parley/contracts';
import { DataPaths, NegotiationStore, teamHoldings } from '@parley/store';
import { collect, emitAck, http } from './support/harness';
import { LiveStack } from './support/live-stack';

/**
 * The sweep (or a second worker) may claim a negotiation the moment the last agreement is on disk,
 * before the gateway has written that agreement's line to the transcript. The agreement stands — the
 * settler read it — so its author is answered with success, never INTERNAL or "being settled, try
 * again", and an order accepted as posted leaves the board. The window is opened here on purpose: the
 * agreement worker settles the negotiation right after the agreeing state file is written.
 */
describe('an agreement settled before its transcript line is written', () => {
  const stack = new LiveStack();
  const paths = new DataPaths(stack.config.dataDir);
  const [seller, buyer] = ['alice@uni.edu', 'bob@uni.edu'];
  /** The next agreed state file of this user is settled right after it is written. */
  let settleAfterAgreementOf: string | null = null;
  const settled: string[] = [];

  beforeAll(async () => {
    await stack.start([seller, buyer]);
    const store = stack.gw.app.get(NegotiationStore);
    const write = store.writeState.bind(store);
    jest.spyOn(store, 'writeState').mockImplementation(async (located, prefix, state: PartyState) => {
      await write(located, prefix, state);
      if (state.status !== 'agreed' || state.user !== settleAfterAgreementOf) return;
      settleAfterAgreementOf = null;
      const result = await stack.worker.settlement.check(located.meta.initiator, located.id);
      settled.push(`${located.id}:${result.action}`);
    });
  });
  afterAll(() => stack.close());

  const held = async () => [await teamHoldings(paths, seller), await teamHoldings(paths, buyer)];

  it('over sockets: the last agree-offer is answered ok and the trade settles once', async () => {
    const [s0, b0] = await held();
    const order = await http(
      stack.url,
      'POST',
      '/api/orders',
      { side: 'sell', chemical: 'C', price: 4.5, quantity: 10 },
      stack.token[seller],
    );
    const opened = await http(stack.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, stack.token[buyer]);
    const id = opened.body.negotiation_id as string;
    const [a, b] = [await stack.socket(seller), await stack.socket(buyer)];
    const errors = collect(b, 'error');
    const terms = { price: 4.25, quantity: 10 };
    expect((await emitAck(b, 'propose-offer', { negotiation_id: id, terms })).ok).toBe(true);
    expect((await emitAck(a, 'agree-offer', { negotiation_id: id, terms })).ok).toBe(true);
    settleAfterAgreementOf = buyer;
    const last = await emitAck(b, 'agree-offer', { negotiation_id: id, terms });
    expect(settled).toEqual([`${id}:settled`]);
    expect(last).toMatchObject({ ok: true, data: { status: 'agreed' } });
    expect(errors).toEqual([]);
    const [s1, b1] = await held();
    expect([s1.C, b1.C]).toEqual([s0.C - 10, b0.C + 10]);
    expect([s1.cash, b1.cash]).toEqual([s0.cash + 42.5, b0.cash - 42.5]);
  });

  it('over HTTP: accept as posted answers 201, the order leaves the board and cannot be taken twice', async () => {
    const [s0, b0] = await held();
    const order = await http(
      stack.url,
      'POST',
      '/api/orders',
      { side: 'sell', chemical: 'N', price: 3.1, quantity: 7 },
      stack.token[seller],
    );
    settled.length = 0;
    settleAfterAgreementOf = buyer;
    const taken = await http(stack.url, 'POST', `/api/orders/${order.body.id}/accept`, {}, stack.token[buyer]);
    expect(settled).toEqual([`${taken.body.negotiation_id}:settled`]);
    expect(taken.status).toBe(201);
    const board = await http(stack.url, 'GET', '/api/orders', undefined, stack.token[buyer]);
    expect(board.body.orders.map((o: { id: string }) => o.id)).not.toContain(order.body.id);
    const again = await http(stack.url, 'POST', `/api/orders/${order.body.id}/accept`, {}, stack.token[buyer]);
    expect(again.body.code).toBe('ORDER_GONE');
    const [s1, b1] = await held();
    expect([s1.N, b1.N]).toEqual([s0.N - 7, b0.N + 7]);
    expect([s1.cash, b1.cash]).toEqual([s0.cash + 21.7, b0.cash - 21.7]);
  });
});
