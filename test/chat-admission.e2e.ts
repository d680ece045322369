import IORedis from 'ioredis';
import type { Socket } from 'socket.io-client';
import type { ChatMessage } from '@parley/contracts';
import { DataPaths, MessageLog, NegotiationStore } from '@parley/store';
import { createGateway, RunningGateway } from '../apps/gateway/src/gateway';
import { testConfig } from './support/env';
import { addTeam, collect, connect, emitAck, http, login, sleep } from './support/harness';

/**
 * The chat path's shortcuts against what they must never break: the admissions of one tick go to
 * Redis together, the seq floor is remembered instead of read from the files, a client id is found
 * in the sender's file. Lines sent all at once, the same client id at once, and a Redis that lost
 * or rolled back a counter while another writer (another gateway, the AI) put lines on disk.
 */
describe('chat admission: lines of one tick, remembered seq floors', () => {
  const config = testConfig();
  const redis = new IORedis(config.redisUrl);
  const log = new MessageLog();
  const store = new NegotiationStore(new DataPaths(config.dataDir));
  let gw: RunningGateway;
  let alice: string, bob: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    await addTeam(config, 'alice@uni.edu');
    await addTeam(config, 'bob@uni.edu');
    gw = await createGateway(config);
    [alice, bob] = await Promise.all(['alice', 'bob'].map((u) => login(gw.url, `${u}@uni.edu`)));
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await gw.close();
    await log.close();
    await redis.quit();
    config.cleanup();
  });

  async function room() {
    const order = await http(gw.url, 'POST', '/api/orders', { side: 'buy', chemical: 'C', price: 5, quantity: 10 }, alice);
    const res = await http(gw.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, bob);
    const id: string = res.body.negotiation_id;
    const [a, b] = [await connect(gw.url, alice), await connect(gw.url, bob)];
    sockets.push(a, b);
    for (const s of [a, b]) await emitAck(s, 'join-negotiation', { negotiation_id: id });
    const dir = (await store.locate('alice@uni.edu', id))!.dir;
    return { id, a, b, dir };
  }

  const send = (s: Socket, id: string, content: string, cmid?: string) =>
    emitAck(s, 'send-message', { negotiation_id: id, content, ...(cmid ? { client_message_id: cmid } : {}) });
  const onDisk = async (dir: string) => [...(await log.readParty(dir, 'alice')), ...(await log.readParty(dir, 'bob'))];
  /** What another gateway or the AI worker would do: a line on disk with the next seq Redis handed out. */
  async function foreignLine(id: string, dir: string, seq: number): Promise<void> {
    const line: ChatMessage = {
      id: `foreign-${seq}`,
      seq,
      negotiation_id: id,
      sender_type: 'user',
      sender: 'bob@uni.edu',
      timestamp: new Date().toISOString(),
      read: false,
      content: 'from elsewhere',
      kind: 'chat',
    };
    await log.append(dir, 'bob', [line]);
  }

  it('acknowledges a burst from both parties only once every line is on disk, each with its own seq', async () => {
    const { id, a, b, dir } = await room();
    const acks = await Promise.all(
      Array.from({ length: 40 }, (_, i) => send(i % 2 ? b : a, id, `burst ${i}`, `burst-${i}`).then((ack) => ({ ack, disk: onDisk(dir) }))),
    );
    for (const { ack, disk } of acks) {
      expect(ack.ok).toBe(true);
      expect((await disk).map((m) => m.id)).toContain(ack.data.id);
    }
    const seqs = (await onDisk(dir)).map((m) => m.seq);
    expect(seqs).toHaveLength(40);
    expect(new Set(seqs).size).toBe(40);
  });

  it('saves the same client id sent three times at once exactly once', async () => {
    const { id, a, b, dir } = await room();
    const atB = collect(b, 'message-received');
    const acks = await Promise.all([1, 2, 3].map(() => send(a, id, 'only once', 'same-tick')));
    const saved = acks.filter((x) => x.ok);
    expect(saved.length).toBeGreaterThanOrEqual(1);
    expect(new Set(saved.map((x) => x.data.id)).size).toBe(1);
    for (const x of acks.filter((x) => !x.ok)) expect(x.error.code).toBe('DUPLICATE_IN_FLIGHT');
    // once acknowledged, a re-send answers with the saved line
    expect((await send(a, id, 'only once', 'same-tick')).data.id).toBe(saved[0].data.id);
    await sleep(200);
    expect((await onDisk(dir)).filter((m) => m.client_message_id === 'same-tick')).toHaveLength(1);
    expect(atB.filter((m) => m.client_message_id === 'same-tick')).toHaveLength(1);
  });

  it('numbers a line above what others wrote when Redis lost the counter', async () => {
    const { id, a, dir } = await room();
    const first = await send(a, id, 'before');
    await foreignLine(id, dir, first.data.seq + 5);
    await redis.del(`${config.redisPrefix}:seq:${id}`);
    const after = await send(a, id, 'after the loss');
    expect(after.data.seq).toBeGreaterThan(first.data.seq + 5);
  });

  it('numbers a line above what others wrote when Redis came back rolled back', async () => {
    const { id, a, dir } = await room();
    const first = await send(a, id, 'before');
    await foreignLine(id, dir, first.data.seq + 5);
    // Redis restarted from an older snapshot: the counter is behind the files, and the connection dropped
    await redis.set(`${config.redisPrefix}:seq:${id}`, String(first.data.seq));
    const clients = (await redis.client('LIST')) as string;
    const admission = clients.split('\n').find((l) => l.includes(` name=${config.redisPrefix}:chat-admission `));
    expect(admission).toBeDefined();
    await redis.client('KILL', 'ID', admission!.match(/id=(\d+)/)![1]);
    await sleep(300);
    const after = await send(a, id, 'after the rollback');
    expect(after.data.seq).toBeGreaterThan(first.data.seq + 5);
  });
});
