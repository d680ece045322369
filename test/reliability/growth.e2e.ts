import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { DataPaths } from '@parley/store';
import { testConfig } from '../support/env';
import { addTeam, connect, emitAck, http, login, sleep } from '../support/harness';
import { BadInputRow, recordSuite, reliabilityMode } from '../support/reliability-report';
import { Tally, dropRedisPrefix } from '../support/attack';

/**
 * Growth must not slow everyone: a huge transcript synced ten times a second, and teams flooding
 * the order board, against another user's round trip and the lobby's load time.
 */
const BIG = 50_000;

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('growth', () => {
  const config = testConfig({ ACTIONS_PER_MINUTE: '100000' });
  const rows: BadInputRow[] = [];
  const sockets: Socket[] = [];
  let gw: RunningGateway;
  const tokens: Record<string, string> = {};
  const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'fay', 'gus'];

  beforeAll(async () => {
    for (const u of users) await addTeam(config, `${u}@uni.edu`);
    gw = await createGateway(config);
    for (const u of users) tokens[u] = await login(gw.url, `${u}@uni.edu`);
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await gw?.close();
    await dropRedisPrefix(config.redisUrl, config.redisPrefix).catch(() => undefined);
    config.cleanup();
    recordSuite({ suite: 'attack-growth', mode: reliabilityMode(), bad_inputs: rows });
  });

  const trade = async (owner: string, responder: string) => {
    const order = await http(gw.url, 'POST', '/api/orders', { side: 'buy', chemical: 'Q', price: 2, quantity: 3 }, tokens[owner]);
    return (await http(gw.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, tokens[responder])).body.negotiation_id as string;
  };

  /** Another user's round trip: a sync of their own small negotiation. */
  const roundTrips = async (s: Socket, id: string, ms: number) => {
    const out: number[] = [];
    const end = Date.now() + ms;
    while (Date.now() < end && out.length < 500) {
      const t0 = performance.now();
      await emitAck(s, 'sync-messages', { negotiation_id: id, after_seq: 0 });
      out.push(performance.now() - t0);
      await sleep(50);
    }
    return out;
  };

  it(`a ${BIG.toLocaleString('en')}-line transcript synced 10×/s barely moves another user's round trip`, async () => {
    const big = await trade('alice', 'bob');
    // a transcript from before the line cap: written straight into alice's messages file
    const file = join(new DataPaths(config.dataDir).negotiation('alice@uni.edu', big), 'alice_messages.jsonl');
    const lines: string[] = [];
    for (let seq = 1000; seq < 1000 + BIG; seq++)
      lines.push(
        JSON.stringify({
          id: `old-${seq}`,
          seq,
          negotiation_id: big,
          sender_type: 'user',
          sender: 'alice@uni.edu',
          content: `line ${seq} `.repeat(8),
          timestamp: new Date().toISOString(),
          read: false,
        }),
      );
    appendFileSync(file, lines.join('\n') + '\n');
    const small = await trade('carol', 'dave');
    const heavy = await connect(gw.url, tokens.alice);
    const other = await connect(gw.url, tokens.carol);
    sockets.push(heavy, other);
    await emitAck(other, 'send-message', { negotiation_id: small, content: 'hello' });
    const before = await roundTrips(other, small, 2000);
    let syncs = 0;
    let returned = 0;
    let running = true;
    const load = (async () => {
      for (let i = 0; i < 100 && running; i++) {
        const ack = await emitAck(heavy, 'sync-messages', { negotiation_id: big, after_seq: 0 }, 20_000);
        returned = ack.data.messages.length;
        syncs++;
        await sleep(100);
      }
    })();
    const during = await roundTrips(other, small, 5000);
    running = false;
    await load;
    const last = await emitAck(heavy, 'sync-messages', { negotiation_id: big, after_seq: 1000 + BIG - 11 });
    expect(last.data.messages.map((m: any) => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 1000 + BIG - 10 + i));
    expect(returned).toBe(500);
    const [b, d] = [p50(before), p50(during)];
    expect(d).toBeLessThan(Math.max(50, 5 * b));
    rows.push({
      input: `growth: a ${BIG.toLocaleString('en')}-line transcript synced by its owner every 100 ms for 5 s (${syncs} syncs of 500 lines) while another user syncs their own negotiation`,
      tried: syncs + before.length + during.length,
      answered: `the other user's round trip p50 ${b.toFixed(1)} ms before, ${d.toFixed(1)} ms during; all answered`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  }, 60_000);

  it('five teams flooding the board hold at most 50 orders each; 30 lobby loads at once stay fast', async () => {
    const flooders = ['bob', 'carol', 'dave', 'erin', 'fay'];
    const tally = new Tally();
    await Promise.all(
      flooders.map(async (u) => {
        for (let i = 0; i < 70; i++) {
          const res = await http(gw.url, 'POST', '/api/orders', { side: 'sell', chemical: 'C', price: 1 + i, quantity: 1 }, tokens[u]);
          tally.add(`${res.status}`);
        }
      }),
    );
    const t0 = performance.now();
    const loads = await Promise.all(Array.from({ length: 30 }, () => http(gw.url, 'GET', '/api/orders', undefined, tokens.gus)));
    const ms = performance.now() - t0;
    const counts = new Set(loads.map((l) => l.body.orders.length));
    expect(loads.every((l) => l.status === 200)).toBe(true);
    expect(counts.size).toBe(1);
    const total = [...counts][0];
    // 50 per flooder (their earlier trade orders included) plus alice's one
    expect(total).toBeLessThanOrEqual(flooders.length * 50 + 1);
    expect(ms).toBeLessThan(3000);
    rows.push({
      input: `growth: 5 teams post 70 orders each (limit 50 open per team), then 30 concurrent GET /api/orders`,
      tried: 350 + 30,
      answered: `${tally}; board ${total} orders; 30 loads in ${Math.round(ms)} ms`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  }, 60_000);
});
