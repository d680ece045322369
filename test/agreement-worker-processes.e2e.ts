import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue as BullQueue } from 'bullmq';
import type IORedis from 'ioredis';
import type { Outcome, Transaction } from '@parley/contracts';
import { sweepOnce } from '@parley/settlement';
import { JobProducer, Queue, bullPrefix, createRedis, jobId } from '@parley/queues';
import { DataPaths, teamHoldings } from '@parley/store';
import { testConfig } from './support/env';
import { addTeams, agreed, openPeer, until, writeState } from './support/agreement-worker';
import { WorkerProcess, bundle, startWorkerProcess } from './support/worker-process';

/**
 * Agreement workers in their own processes (test/support/agreement-worker-child.ts bundled with esbuild),
 * all on one DATA_DIR and one Redis prefix, as `docker compose up --scale agreement-worker=2` runs them.
 */
describe('agreement-worker processes side by side: no lost or doubled deal, no negative holdings, crash-safe', () => {
  const config = testConfig();
  const paths = new DataPaths(config.dataDir);
  const bundleDir = mkdtempSync(join(tmpdir(), 'parley-agreement-child-'));
  const bundleFile = join(bundleDir, 'agreement-worker-child.js');
  const running: WorkerProcess[] = [];
  let redis: IORedis;
  let producer: JobProducer;
  let queue: BullQueue;

  beforeAll(async () => {
    await bundle('test/support/agreement-worker-child.ts', bundleFile);
    redis = createRedis(config.redisUrl);
    producer = new JobProducer(redis, config.redisPrefix);
    queue = new BullQueue(Queue.AgreementCheck, { connection: redis, prefix: bullPrefix(config.redisPrefix) });
  });

  afterAll(async () => {
    await Promise.all(running.map((w) => w.stop()));
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await producer?.close();
    await redis?.quit();
    rmSync(bundleDir, { recursive: true, force: true });
    config.cleanup();
  });

  async function startWorker(env: Record<string, string> = {}): Promise<WorkerProcess> {
    const w = await startWorkerProcess(bundleFile, config, env);
    running.push(w);
    return w;
  }

  const transactionsOf = (email: string): Transaction[] =>
    existsSync(paths.transactionsDir(email))
      ? readdirSync(paths.transactionsDir(email)).map((f) => JSON.parse(readFileSync(join(paths.transactionsDir(email), f), 'utf8')))
      : [];
  const outcomeOf = (owner: string, id: string): Outcome | null => {
    const file = join(paths.archivedNegotiation(owner, id), 'outcome.json');
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
  };
  const leftovers = (teams: string[]) =>
    teams.flatMap((t) => [
      ...(existsSync(paths.claimedDir(t)) ? readdirSync(paths.claimedDir(t)) : []),
      ...readdirSync(paths.teamDir(t)).filter((n) => n.startsWith('.holdings.lock')),
      // a ledger, decision or transaction file half made (the private temporary file before its link)
      ...(existsSync(join(paths.teamDir(t), '.staging')) ? readdirSync(join(paths.teamDir(t), '.staging')) : []),
    ]);

  it('300 simultaneous agreements, each checked twice on two processes plus a sweep: exactly one pair of files each', async () => {
    const teams = ['t1@x.edu', 't2@x.edu', 't3@x.edu', 't4@x.edu', 't5@x.edu', 't6@x.edu'];
    const start = { cash: 1_000_000, C: 100_000, N: 0, D: 0, Q: 0 };
    await addTeams(paths, teams, start);
    const workers = [await startWorker(), await startWorker()];

    const T = Math.floor(Date.now() / 1000);
    const deals: { id: string; owner: string; buyer: string; seller: string; price: number; quantity: number }[] = [];
    for (let i = 0; i < 300; i++) {
      const a = teams[i % 6];
      const b = teams[(i + 1 + (i % 5)) % 6];
      const initiatorRole = i % 3 ? 'buyer' : 'seller';
      const meta = await openPeer(paths, a, b, initiatorRole);
      const [buyer, seller] = initiatorRole === 'buyer' ? [a, b] : [b, a];
      deals.push({ id: meta.id, owner: a, buyer, seller, price: 1 + (i % 7) * 0.25, quantity: 1 + (i % 13) });
    }
    await Promise.all(
      deals.map(async (d) => {
        await writeState(paths, d.owner, d.id, agreed(d.buyer, 'buyer', { price: d.price, quantity: d.quantity }, T));
        await writeState(paths, d.owner, d.id, agreed(d.seller, 'seller', { price: d.price, quantity: d.quantity }, T + 1));
      }),
    );
    const sweeps = Promise.all([sweepOnce(paths), sweepOnce(paths)]);
    await Promise.all(
      deals.map(async (d) => {
        await producer.enqueueAgreementCheck({ negotiation_id: d.id, owner: d.owner });
        await queue.add(
          'check',
          { negotiation_id: d.id, owner: d.owner },
          { jobId: `${jobId.agreementCheck(d.id)}-again`, removeOnComplete: true },
        );
      }),
    );
    await sweeps;
    await until('all 300 archived', () => deals.every((d) => outcomeOf(d.owner, d.id) !== null), 90_000, 100);

    const expected = new Map(teams.map((t) => [t, { ...start }]));
    for (const d of deals) {
      expect(outcomeOf(d.owner, d.id)?.status).toBe('completed');
      const buys = transactionsOf(d.buyer).filter((t) => t.negotiation_id === d.id);
      const sells = transactionsOf(d.seller).filter((t) => t.negotiation_id === d.id);
      expect(buys).toEqual([
        {
          type: 'buy',
          chemical: 'C',
          price: d.price,
          quantity: d.quantity,
          counterparty: d.seller,
          negotiation_id: d.id,
          timestamp: T + 1,
          settled: false,
        },
      ]);
      expect(sells).toEqual([
        {
          type: 'sell',
          chemical: 'C',
          price: d.price,
          quantity: d.quantity,
          counterparty: d.buyer,
          negotiation_id: d.id,
          timestamp: T + 1,
          settled: false,
        },
      ]);
      const b = expected.get(d.buyer)!;
      const s = expected.get(d.seller)!;
      b.cash -= d.price * d.quantity;
      b.C += d.quantity;
      s.cash += d.price * d.quantity;
      s.C -= d.quantity;
    }
    expect(teams.reduce((n, t) => n + transactionsOf(t).length, 0)).toBe(600);
    for (const t of teams) {
      const h = await teamHoldings(paths, t);
      expect(h.C).toBe(expected.get(t)!.C);
      expect(h.cash).toBeCloseTo(expected.get(t)!.cash, 6);
    }
    expect(leftovers(teams)).toEqual([]);
    const settledBy = workers.map((w) => w.logs.filter((l) => l.includes('"negotiation settled"')).length);
    console.log(`300 deals settled by the two worker processes: ${settledBy.join(' + ')} (the rest by the test's own sweeps)`);
    expect(settledBy.every((n) => n > 0)).toBe(true);
  }, 150_000);

  it('ten deals that together would oversell one seller, on two processes: three settle, seven fail with a reason', async () => {
    const seller = 'seller@x.edu';
    const buyers = Array.from({ length: 10 }, (_, i) => `buyer${i}@x.edu`);
    await addTeams(paths, [seller], { cash: 0, C: 100, N: 0, D: 0, Q: 0 });
    await addTeams(paths, buyers, { cash: 1000, C: 0, N: 0, D: 0, Q: 0 });
    const T = Math.floor(Date.now() / 1000);
    const ids: string[] = [];
    for (const buyer of buyers) {
      const meta = await openPeer(paths, seller, buyer, 'seller');
      ids.push(meta.id);
      await writeState(paths, seller, meta.id, agreed(seller, 'seller', { price: 2, quantity: 30 }, T));
      await writeState(paths, seller, meta.id, agreed(buyer, 'buyer', { price: 2, quantity: 30 }, T));
    }
    await Promise.all(ids.map((id) => producer.enqueueAgreementCheck({ negotiation_id: id, owner: seller })));
    await until('all ten decided', () => ids.every((id) => outcomeOf(seller, id) !== null), 30_000, 50);

    const outcomes = ids.map((id) => outcomeOf(seller, id)!);
    expect(outcomes.filter((o) => o.status === 'completed')).toHaveLength(3);
    const failed = outcomes.filter((o) => o.status === 'failed');
    expect(failed).toHaveLength(7);
    for (const o of failed) expect(o.reason).toMatch(/seller@x.edu holds 10 C, needs 30/);
    expect(await teamHoldings(paths, seller)).toMatchObject({ cash: 180, C: 10 });
    expect(transactionsOf(seller)).toHaveLength(3);
    expect(buyers.reduce((n, b) => n + transactionsOf(b).length, 0)).toBe(3);
  }, 60_000);

  it('a worker killed (SIGKILL) between the two transaction writes: after a restart exactly one pair', async () => {
    await Promise.all(running.map((w) => w.stop()));
    const [alice, bob] = ['alice@x.edu', 'bob@x.edu'];
    await addTeams(paths, [alice, bob], { cash: 1000, C: 100, N: 0, D: 0, Q: 0 });
    const doomed = await startWorker({ CRASH_AT: 'between-transactions' });
    const meta = await openPeer(paths, alice, bob, 'buyer');
    const T = Math.floor(Date.now() / 1000);
    await writeState(paths, alice, meta.id, agreed(alice, 'buyer', { price: 3, quantity: 40 }, T));
    await writeState(paths, alice, meta.id, agreed(bob, 'seller', { price: 3, quantity: 40 }, T));
    await producer.enqueueAgreementCheck({ negotiation_id: meta.id, owner: alice });
    await doomed.waitFor('at-hook');
    const dead = new Promise((r) => doomed.child.once('exit', r));
    doomed.child.kill('SIGKILL');
    await dead;

    // the wreck: claimed, the buyer's file written, the seller's not (the trade already decided in the ledger)
    expect(existsSync(paths.claimedNegotiation(alice, meta.id))).toBe(true);
    expect(transactionsOf(alice)).toHaveLength(1);
    expect(transactionsOf(bob)).toHaveLength(0);

    await startWorker({ CLAIM_STALE_MS: '500', SWEEP_INTERVAL_MS: '1000' });
    await until('the claim finished', () => outcomeOf(alice, meta.id) !== null, 20_000, 50);
    expect(outcomeOf(alice, meta.id)).toMatchObject({
      status: 'completed',
      deal_terms: { agreed: true, terms: { price: 3, quantity: 40 } },
    });
    expect(transactionsOf(alice)).toEqual([expect.objectContaining({ type: 'buy', quantity: 40, negotiation_id: meta.id })]);
    expect(transactionsOf(bob)).toEqual([expect.objectContaining({ type: 'sell', quantity: 40, negotiation_id: meta.id })]);
    expect(await teamHoldings(paths, alice)).toMatchObject({ cash: 880, C: 140 });
    expect(await teamHoldings(paths, bob)).toMatchObject({ cash: 1120, C: 60 });
    await until('locks released', () => leftovers([alice, bob]).length === 0, 5000);
  }, 60_000);

  it('a worker killed (SIGKILL) after the journal record, before any transaction file: its restart writes both exactly once', async () => {
    await Promise.all(running.map((w) => w.stop()));
    const [carol, dave] = ['carol@x.edu', 'dave@x.edu'];
    await addTeams(paths, [carol, dave], { cash: 1000, C: 100, N: 0, D: 0, Q: 0 });
    const doomed = await startWorker({ PARLEY_TEST_CRASH_AT: 'settle-after-journal' });
    const meta = await openPeer(paths, carol, dave, 'buyer');
    const T = Math.floor(Date.now() / 1000);
    await writeState(paths, carol, meta.id, agreed(carol, 'buyer', { price: 2, quantity: 25 }, T));
    await writeState(paths, carol, meta.id, agreed(dave, 'seller', { price: 2, quantity: 25 }, T));
    const dead = new Promise((r) => doomed.child.once('exit', r));
    await producer.enqueueAgreementCheck({ negotiation_id: meta.id, owner: carol });
    await dead;

    // the wreck: decided and journaled, claimed, no transaction file on either side
    expect(existsSync(paths.claimedNegotiation(carol, meta.id))).toBe(true);
    expect(transactionsOf(carol)).toHaveLength(0);
    expect(transactionsOf(dave)).toHaveLength(0);

    // the restart's recovery writes them from the journal (its claim is not stale yet: the sweep leaves it alone)
    const patient = await startWorker({ CLAIM_STALE_MS: '600000', SWEEP_INTERVAL_MS: '1000' });
    expect(transactionsOf(carol)).toEqual([expect.objectContaining({ type: 'buy', quantity: 25, negotiation_id: meta.id })]);
    expect(transactionsOf(dave)).toEqual([expect.objectContaining({ type: 'sell', quantity: 25, negotiation_id: meta.id })]);
    await patient.stop();

    // and the claim, finished later, does not write them again
    await startWorker({ CLAIM_STALE_MS: '500', SWEEP_INTERVAL_MS: '1000' });
    await until('the claim finished', () => outcomeOf(carol, meta.id) !== null, 20_000, 50);
    expect(outcomeOf(carol, meta.id)).toMatchObject({
      status: 'completed',
      deal_terms: { agreed: true, terms: { price: 2, quantity: 25 } },
    });
    expect(transactionsOf(carol)).toHaveLength(1);
    expect(transactionsOf(dave)).toHaveLength(1);
    expect(await teamHoldings(paths, carol)).toMatchObject({ cash: 950, C: 125 });
    expect(await teamHoldings(paths, dave)).toMatchObject({ cash: 1050, C: 75 });
    await until('locks released', () => leftovers([carol, dave]).length === 0, 5000);
  }, 60_000);
});
