import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { createAiWorker, RunningAiWorker } from '../../apps/ai-worker/src/ai-worker';
import { testConfig } from '../support/env';
import { FakeOpenAi } from '../support/fake-openai';
import { addTeam, connect, emitAck, http, login, sleep } from '../support/harness';
import { BadInputRow, recordSuite, reliabilityMode } from '../support/reliability-report';
import { Tally, dropRedisPrefix } from '../support/attack';
import { JobProducer } from '@parley/queues';

/**
 * What one user can make Parley spend: model calls (counted at a loopback OpenAI-compatible server
 * driven by the real SDK), transcript lines, open orders and negotiations, sockets.
 */
const MESSAGES = 10;
const LINES = 40;
const ORDERS = 5;
const NEGOTIATIONS = 4;
const SOCKETS = 3;

const modelReply = {
  message: 'We can offer 95,000 with two remote days and a start in three weeks.',
  reasoning: 'Anchor.',
  negotiation_state: 'opening',
  confidence: 0.7,
  offer: { salary: 95000, signing_bonus: 0, start_weeks: 3, remote_days: 2 },
  accept: false,
};

describe('cost per user is bounded', () => {
  const model = new FakeOpenAi();
  let config: ReturnType<typeof testConfig>;
  const rows: BadInputRow[] = [];
  const sockets: Socket[] = [];
  let gw: RunningGateway;
  let worker: RunningAiWorker;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const baseUrl = await model.start();
    model.script({ kind: 'json', content: modelReply, usage: { prompt_tokens: 100, completion_tokens: 20 } });
    config = testConfig({
      AI_ENGINE: 'openai',
      OPENAI_BASE_URL: baseUrl,
      OPENAI_API_KEY: 'sk-local',
      OPENAI_MODEL: 'local-model',
      MESSAGES_PER_MINUTE: String(MESSAGES),
      MAX_LINES_PER_NEGOTIATION: String(LINES),
      MAX_OPEN_ORDERS_PER_TEAM: String(ORDERS),
      MAX_OPEN_NEGOTIATIONS_PER_TEAM: String(NEGOTIATIONS),
      CONNECTIONS_PER_USER: String(SOCKETS),
    });
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin']) await addTeam(config, `${u}@uni.edu`);
    gw = await createGateway(config);
    worker = await createAiWorker(config, { handleSignals: false });
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin']) tokens[u] = await login(gw.url, `${u}@uni.edu`);
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await worker?.close();
    await gw?.close();
    await model.stop();
    await dropRedisPrefix(config.redisUrl, config.redisPrefix).catch(() => undefined);
    config.cleanup();
    recordSuite({ suite: 'attack-cost', mode: reliabilityMode(), bad_inputs: rows });
  });

  const open = async (who: string) => {
    const s = await connect(gw.url, tokens[who]);
    sockets.push(s);
    return s;
  };

  /** Until the AI queue is empty and the model has seen no new request for a second (bounded). */
  const aiSettled = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    while (Date.now() < deadline) {
      const counts = await gw.app.get(JobProducer).aiResponse.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      const busy = Object.values(counts as Record<string, number>).reduce((a, b) => a + b, 0);
      if (busy === 0 && model.requests.length === last) return;
      last = model.requests.length;
      await sleep(1000);
    }
    throw new Error('the AI queue did not drain');
  };

  it(`200 offers in 10 s and 30 chat messages to the AI make at most ${MESSAGES} model calls`, async () => {
    const created = await http(gw.url, 'POST', '/api/negotiations', { scenario_id: 'salary' }, tokens.alice);
    expect(created.status).toBe(201);
    const id = created.body.negotiation_id;
    const s = await open('alice');
    expect((await emitAck(s, 'join-negotiation', { negotiation_id: id })).ok).toBe(true);
    model.requests.length = 0;
    const offers = new Tally();
    const acks: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      const terms = { salary: 95000 + (i % 50) * 100, signing_bonus: 0, start_weeks: 3, remote_days: 2 };
      acks.push(emitAck(s, 'propose-offer', { negotiation_id: id, terms }, 20_000).then((a) => offers.add(a.ok ? 'ok' : a.error.code)));
      if (i % 20 === 19) await sleep(1000);
    }
    await Promise.all(acks);
    const messages = new Tally();
    for (let i = 0; i < 30; i++) {
      const ack = await emitAck(s, 'send-message', { negotiation_id: id, content: `message ${i}` });
      messages.add(ack.ok ? 'ok' : ack.error.code);
    }
    await aiSettled();
    const calls = model.requests.length;
    expect(offers.counts.get('ok') ?? 0).toBeLessThanOrEqual(MESSAGES);
    expect((offers.counts.get('ok') ?? 0) + (messages.counts.get('ok') ?? 0)).toBeLessThanOrEqual(MESSAGES);
    expect(offers.counts.get('RATE_LIMITED')).toBeGreaterThanOrEqual(200 - MESSAGES);
    expect(calls).toBeGreaterThan(0);
    // the student's budget, plus the AI's own opening line (once per negotiation, on the first join)
    expect(calls).toBeLessThanOrEqual(MESSAGES + 1);
    rows.push({
      input: `cost: 200 propose-offer in 10 s, then 30 chat messages, one student in one AI negotiation (AI_ENGINE=openai at a loopback fake; ${MESSAGES} messages/min)`,
      tried: 230,
      answered: `offers ${offers}; messages ${messages}; model calls ${calls} (≤ ${MESSAGES})`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  }, 120_000);

  it(`a negotiation holds at most ${LINES} lines: offers past it are refused with CONFLICT`, async () => {
    const order = await http(gw.url, 'POST', '/api/orders', { side: 'buy', chemical: 'C', price: 5, quantity: 10 }, tokens.bob);
    const id = (await http(gw.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, tokens.carol)).body.negotiation_id;
    const s = await open('carol');
    const tally = new Tally();
    for (let i = 0; i < LINES + 20; i++) {
      const ack = await emitAck(s, 'propose-offer', { negotiation_id: id, terms: { price: 5 + (i % 10), quantity: 10 } });
      tally.add(ack.ok ? 'ok' : ack.error.code);
    }
    const all = await emitAck(s, 'sync-messages', { negotiation_id: id, after_seq: 0 });
    expect(all.data.messages.length).toBe(LINES);
    expect(tally.counts.get('CONFLICT')).toBeGreaterThanOrEqual(20);
    // a full negotiation can still be ended
    const reject = await emitAck(s, 'reject-negotiation', { negotiation_id: id });
    expect(reject.ok).toBe(true);
    rows.push({
      input: `cost: ${LINES + 20} offers in one peer negotiation (limit ${LINES} lines), then a reject`,
      tried: LINES + 21,
      answered: `${tally}; transcript ${all.data.messages.length} lines; reject still ok`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
    s.close();
  });

  it(`open orders: 12 posted at once by one team → exactly ${ORDERS} open`, async () => {
    const res = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        http(gw.url, 'POST', '/api/orders', { side: 'sell', chemical: 'N', price: 10 + i, quantity: 1 }, tokens.dave),
      ),
    );
    const tally = new Tally();
    res.forEach((r) => tally.add(`${r.status} ${r.body.code ?? ''}`.trim()));
    expect(res.filter((r) => r.status === 201)).toHaveLength(ORDERS);
    expect(res.filter((r) => r.status === 409)).toHaveLength(12 - ORDERS);
    const board = await http(gw.url, 'GET', '/api/orders', undefined, tokens.erin);
    expect(board.body.orders.filter((o: any) => o.owner === 'dave@uni.edu')).toHaveLength(ORDERS);
    rows.push({
      input: `cost: 12 orders posted concurrently by one team (limit ${ORDERS} open)`,
      tried: 12,
      answered: `${tally}; the board shows ${ORDERS}`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  });

  it(`one order answered 10 times at once by one team → one negotiation; at most ${NEGOTIATIONS} open per team`, async () => {
    const order = await http(gw.url, 'POST', '/api/orders', { side: 'buy', chemical: 'D', price: 3, quantity: 5 }, tokens.bob);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => http(gw.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, tokens.erin)),
    );
    const tally = new Tally();
    answers.forEach((r) => tally.add(`${r.status} ${r.body.code ?? ''}`.trim()));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
    // answering again gives back the open negotiation, never a second one
    expect(answers.filter((r) => r.status === 200)).toHaveLength(9);
    expect(new Set(answers.map((r) => r.body.negotiation_id)).size).toBe(1);
    // erin now has 1 open negotiation; 8 AI practices at once fill the rest
    const practices = await Promise.all(
      Array.from({ length: 8 }, () => http(gw.url, 'POST', '/api/negotiations', { scenario_id: 'salary' }, tokens.erin)),
    );
    const p = new Tally();
    practices.forEach((r) => p.add(`${r.status} ${r.body.code ?? ''}`.trim()));
    expect(practices.filter((r) => r.status === 201)).toHaveLength(NEGOTIATIONS - 1);
    const list = await http(gw.url, 'GET', '/api/negotiations', undefined, tokens.erin);
    expect(list.body.negotiations.filter((n: any) => n.status === 'active')).toHaveLength(NEGOTIATIONS);
    rows.push({
      input: `cost: one order answered 10× concurrently by one team, then 8 AI practices at once (limit ${NEGOTIATIONS} open negotiations)`,
      tried: 18,
      answered: `respond ${tally}; practices ${p}; ${NEGOTIATIONS} open`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  });

  it(`sockets: at most ${SOCKETS} per user; another user is unaffected`, async () => {
    const outcomes = new Tally();
    const mine: Socket[] = [];
    for (let i = 0; i < SOCKETS + 2; i++) {
      await connect(gw.url, tokens.dave).then(
        (s) => (mine.push(s), outcomes.add('connected')),
        (e: Error) => outcomes.add(e.message),
      );
    }
    expect(outcomes.counts.get('connected')).toBe(SOCKETS);
    expect(outcomes.counts.get(`too many connections for this user (limit ${SOCKETS})`)).toBe(2);
    const other = await connect(gw.url, tokens.bob);
    other.close();
    mine.forEach((s) => s.close());
    rows.push({
      input: `cost: ${SOCKETS + 2} sockets by one user (limit ${SOCKETS}), then one by another user`,
      tried: SOCKETS + 3,
      answered: `${outcomes}; other user connected`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  });
});
