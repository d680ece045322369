import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue as BullQueue, QueueEvents } from 'bullmq';
import type IORedis from 'ioredis';
import { createAgreementWorker, RunningAgreementWorker } from '../apps/agreement-worker/src/agreement-worker';
import { JobProducer, Queue, bullPrefix, createRedis } from '@parley/queues';
import { DataPaths, NegotiationStore, teamHoldings } from '@parley/store';
import { testConfig } from './support/env';
import { addTeams, agreed, openPeer, pending, percentile, startRoomServer, until, writeState } from './support/agreement-worker';

const alice = 'alice@x.edu';
const bob = 'bob@x.edu';
const carol = 'carol@x.edu';
const T = Math.floor(Date.now() / 1000);

describe('agreement-worker (in process): real Redis, real files, a real socket.io client in the room', () => {
  const config = testConfig();
  const paths = new DataPaths(config.dataDir);
  let offsetMs = 0;
  /** What happens between the worker's look at the states and its claim (the race window). */
  let beforeClaim: (owner: string, id: string) => Promise<void> = async () => undefined;
  let worker: RunningAgreementWorker;
  let room: Awaited<ReturnType<typeof startRoomServer>>;
  let redis: IORedis;
  let producer: JobProducer;
  let queue: BullQueue;
  let queueEvents: QueueEvents;

  beforeAll(async () => {
    await addTeams(paths, [alice, bob, carol]);
    room = await startRoomServer(config);
    worker = await createAgreementWorker(config, {
      now: () => Date.now() + offsetMs,
      handleSignals: false,
      hooks: { beforeClaim: (owner, id) => beforeClaim(owner, id) },
    });
    redis = createRedis(config.redisUrl);
    producer = new JobProducer(redis, config.redisPrefix);
    queue = new BullQueue(Queue.AgreementCheck, { connection: redis, prefix: bullPrefix(config.redisPrefix) });
    queueEvents = new QueueEvents(Queue.AgreementCheck, { connection: { url: config.redisUrl }, prefix: bullPrefix(config.redisPrefix) });
    await queueEvents.waitUntilReady();
  });

  afterAll(async () => {
    await worker?.close();
    await room?.close();
    await queueEvents?.close();
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await producer?.close();
    await redis?.quit();
    config.cleanup();
  });

  const transactionsCount = () =>
    [alice, bob, carol].reduce((n, t) => n + (existsSync(paths.transactionsDir(t)) ? readdirSync(paths.transactionsDir(t)).length : 0), 0);

  /** A `check` job whose result we wait for. */
  async function checkNow(owner: string, id: string): Promise<{ action: string; reason?: string }> {
    const job = await queue.add('check', { negotiation_id: id, owner }, { jobId: `test-${id}-${Date.now()}` });
    return job.waitUntilFinished(queueEvents, 10_000);
  }

  it('two matching agreements become two transaction files with exactly the seed fields, and the room hears it', async () => {
    const meta = await openPeer(paths, alice, bob, 'buyer');
    await room.join(meta.id);
    await writeState(paths, alice, meta.id, agreed(alice, 'buyer', { price: 5.5, quantity: 1000 }, T));
    await writeState(paths, alice, meta.id, agreed(bob, 'seller', { price: 5.5, quantity: 1000 }, T + 3));
    await producer.enqueueAgreementCheck({ negotiation_id: meta.id, owner: alice });

    const update = await room.nextUpdate(meta.id);
    expect(update).toEqual({
      negotiation_id: meta.id,
      status: 'completed',
      deal_terms: { agreed: true, terms: { price: 5.5, quantity: 1000 } },
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const part = meta.id.slice(meta.id.lastIndexOf('_') + 1);
    expect(readdirSync(paths.transactionsDir(alice))).toEqual([`${T + 3}_buy_C_from_bob_${part}.json`]);
    expect(readdirSync(paths.transactionsDir(bob))).toEqual([`${T + 3}_sell_C_to_alice_${part}.json`]);
    const sell = JSON.parse(readFileSync(join(paths.transactionsDir(bob), `${T + 3}_sell_C_to_alice_${part}.json`), 'utf8'));
    expect(sell).toEqual({
      type: 'sell',
      chemical: 'C',
      price: 5.5,
      quantity: 1000,
      counterparty: alice,
      negotiation_id: meta.id,
      timestamp: T + 3,
      settled: false,
    });
    expect(await teamHoldings(paths, alice)).toMatchObject({ cash: 1_000_000 - 5500, C: 11_000 });
    expect(await teamHoldings(paths, bob)).toMatchObject({ cash: 1_000_000 + 5500, C: 9_000 });
    expect(existsSync(join(paths.archivedNegotiation(alice, meta.id), 'outcome.json'))).toBe(true);
    expect(existsSync(join(paths.archivedNegotiation(bob, meta.id), 'outcome.json'))).toBe(true);
  });

  it('different terms: the check leaves the negotiation untouched and says nothing to the room', async () => {
    const meta = await openPeer(paths, alice, carol, 'buyer');
    await room.join(meta.id);
    await writeState(paths, alice, meta.id, agreed(alice, 'buyer', { price: 5, quantity: 10 }, T));
    await writeState(paths, alice, meta.id, agreed(carol, 'seller', { price: 6, quantity: 10 }, T));
    expect(await checkNow(alice, meta.id)).toEqual({ action: 'untouched' });
    expect(existsSync(join(paths.negotiation(alice, meta.id), 'negotiation.json'))).toBe(true);
    expect(existsSync(paths.transactionsDir(carol))).toBe(false);
    expect(room.updates.find((u) => u.negotiation_id === meta.id)).toBeUndefined();
  });

  it('a rejection is archived as rejected and announced', async () => {
    const meta = await openPeer(paths, bob, carol, 'seller');
    await room.join(meta.id);
    await writeState(paths, bob, meta.id, pending(bob, 'seller', { price: 9, quantity: 10 }, T));
    await writeState(paths, bob, meta.id, { ...pending(carol, 'buyer', { price: 4, quantity: 10 }, T), status: 'rejected' });
    await producer.enqueueAgreementCheck({ negotiation_id: meta.id, owner: bob });
    expect(await room.nextUpdate(meta.id)).toMatchObject({
      status: 'rejected',
      deal_terms: { agreed: false, terms: null },
      reason: `${carol} walked away`,
    });
    expect(JSON.parse(readFileSync(join(paths.archivedNegotiation(bob, meta.id), 'outcome.json'), 'utf8'))).toMatchObject({
      status: 'rejected',
    });
  });

  it('a withdrawal that races the worker (pending written right before the claim) is never settled against', async () => {
    const meta = await openPeer(paths, alice, bob, 'buyer');
    await room.join(meta.id);
    const negotiations = new NegotiationStore(paths);
    let raced = false;
    // set before the agreement exists, so that any pass (this check, or a scheduled sweep) meets the race
    beforeClaim = async (_owner, id) => {
      if (id !== meta.id) return;
      // bob withdraws through his own namespace (the symlink), as the gateway writes it
      await negotiations.writeState(
        (await negotiations.locate(bob, meta.id))!,
        'bob',
        pending(bob, 'seller', { price: 8, quantity: 10 }, T + 1),
      );
      raced = true;
    };
    try {
      await writeState(paths, alice, meta.id, agreed(alice, 'buyer', { price: 7, quantity: 10 }, T));
      await writeState(paths, alice, meta.id, agreed(bob, 'seller', { price: 7, quantity: 10 }, T));
      expect(await checkNow(alice, meta.id)).toEqual({ action: 'untouched' });
    } finally {
      beforeClaim = async () => undefined;
    }
    expect(raced).toBe(true);
    const before = transactionsCount();
    const states = await negotiations.readStates(paths.negotiation(alice, meta.id));
    expect(states.find((x) => x.user === bob)).toMatchObject({ status: 'pending', offer: { price: 8 } });
    expect(existsSync(paths.archivedNegotiation(alice, meta.id))).toBe(false);
    expect(transactionsCount()).toBe(before);
    expect(room.updates.find((u) => u.negotiation_id === meta.id)).toBeUndefined();
  });

  it('an AI practice agreement is scored with the real scenario scorer (the default wiring)', async () => {
    const meta = await new NegotiationStore(paths).createAi(carol, 'salary', 'candidate', 'employer', 3600_000);
    await room.join(meta.id);
    const terms = { salary: 98000, signing_bonus: 5000, start_weeks: 4, remote_days: 2 };
    await writeState(paths, carol, meta.id, agreed(carol, 'candidate', terms, T));
    await writeState(paths, carol, meta.id, agreed('ai', 'employer', terms, T + 1));
    await producer.enqueueAgreementCheck({ negotiation_id: meta.id, owner: carol });
    const update = await room.nextUpdate(meta.id);
    expect(update).toMatchObject({ status: 'completed', deal_terms: { agreed: true, terms } });
    for (const k of ['claiming_value', 'creating_value', 'managing_relationships', 'overall'] as const) {
      expect(update.final_score?.[k]).toEqual(expect.any(Number));
      expect(update.score_explanations?.[k]).toEqual(expect.any(String));
    }
    expect(JSON.parse(readFileSync(join(paths.archivedNegotiation(carol, meta.id), 'outcome.json'), 'utf8'))).toMatchObject({
      kind: 'ai',
      final_score: update.final_score,
    });
  });

  it('a bad job payload fails at once with a clear error instead of crashing the worker', async () => {
    const job = await queue.add('check', { negotiation_id: '../../etc', owner: alice }, { attempts: 3 });
    await expect(job.waitUntilFinished(queueEvents, 10_000)).rejects.toThrow(/INVALID_PAYLOAD: invalid negotiation id/);
    expect((await queue.getJob(job.id!))?.attemptsMade).toBe(1);
  });

  it('registers one sweep and one stale-cleanup schedule, however many workers start', async () => {
    const second = await createAgreementWorker(config, { scorer: null, handleSignals: false });
    await second.close();
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => `${s.name}:${s.every}`).sort()).toEqual([`stale-cleanup:600000`, `sweep:${config.sweepIntervalMs}`]);
  });

  it('latency: second agreed state write + enqueue → negotiation-update at the client (100 settlements)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      const meta = await openPeer(paths, i % 2 ? alice : bob, i % 2 ? bob : alice, 'buyer');
      const [buyer, seller] = i % 2 ? [alice, bob] : [bob, alice];
      await room.join(meta.id);
      await writeState(paths, buyer, meta.id, agreed(buyer, 'buyer', { price: 1, quantity: 1 }, T));
      const t0 = performance.now();
      await writeState(paths, buyer, meta.id, agreed(seller, 'seller', { price: 1, quantity: 1 }, T));
      await producer.enqueueAgreementCheck({ negotiation_id: meta.id, owner: buyer });
      const update = await room.nextUpdate(meta.id);
      times.push(performance.now() - t0);
      expect(update.status).toBe('completed');
    }
    times.sort((a, b) => a - b);
    const p50 = percentile(times, 50);
    const p99 = percentile(times, 99);
    console.log(
      `agreement latency over ${times.length} settlements: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`,
    );
    expect(p50).toBeLessThan(1500);
  }, 120_000);

  it('stale cleanup (clock moved 25 h on) archives an idle negotiation as expired and announces it', async () => {
    const meta = await openPeer(paths, carol, alice, 'buyer');
    await room.join(meta.id);
    await writeState(paths, carol, meta.id, pending(carol, 'buyer', { price: 5, quantity: 10 }, T));
    const job = await queue.add('stale-cleanup', {});
    await job.waitUntilFinished(queueEvents, 10_000);
    expect(existsSync(paths.negotiation(carol, meta.id))).toBe(true); // not idle yet

    offsetMs = 25 * 3600_000;
    const late = await queue.add('stale-cleanup', {});
    const counts = await late.waitUntilFinished(queueEvents, 20_000);
    offsetMs = 0;
    expect(counts.expired).toBeGreaterThanOrEqual(1);
    expect(await room.nextUpdate(meta.id)).toMatchObject({ status: 'expired', deal_terms: { agreed: false, terms: null } });
    expect(JSON.parse(readFileSync(join(paths.archivedNegotiation(carol, meta.id), 'outcome.json'), 'utf8'))).toMatchObject({
      status: 'expired',
    });
    await until('responder link archived', () => existsSync(join(paths.archivedNegotiation(alice, meta.id), 'outcome.json')));
  });
});
