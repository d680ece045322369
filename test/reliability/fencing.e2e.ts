import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue as BullQueue } from 'bullmq';
import type IORedis from 'ioredis';
import { JobProducer, Queue, bullPrefix, createRedis } from '@parley/queues';
import { DataPaths } from '@parley/store';
import { testConfig } from '../support/env';
import { addTeams, agreed, openPeer, until, writeState } from '../support/agreement-worker';
import { auditDisk, holdingsFromFiles, tradeProblems } from '../support/cluster-disk';
import { FaultRow, recordSuite } from '../support/reliability-report';
import { WorkerProcess, bundle, startWorkerProcess } from '../support/worker-process';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Settlers paused with SIGSTOP past every timeout (claim staleness, BullMQ's job lock, the old lock's
 * 30 s), while a second worker process and the `parley sweep` CLI settle the same sellers, then
 * resumed. Each seller holds 2,000 C and has two agreed sales of 1,500: only one may ever settle.
 * One seller per pause point: before a ledger leg is written (after the holdings check), between the
 * legs and the decision, and between the two transaction files.
 */
describe('fencing: settlers stopped (SIGSTOP) past every timeout, on two workers plus the sweep CLI', () => {
  const config = testConfig();
  const paths = new DataPaths(config.dataDir);
  const bundleDir = mkdtempSync(join(tmpdir(), 'parley-fencing-'));
  const children: WorkerProcess[] = [];
  const rows: FaultRow[] = [];
  let redis: IORedis;
  let producer: JobProducer;
  let queue: BullQueue;

  beforeAll(async () => {
    await Promise.all([
      bundle('test/reliability/fencing-child.ts', join(bundleDir, 'worker.js')),
      bundle('apps/cli/src/parley.ts', join(bundleDir, 'parley.js')),
    ]);
    redis = createRedis(config.redisUrl);
    producer = new JobProducer(redis, config.redisPrefix);
    queue = new BullQueue(Queue.AgreementCheck, { connection: redis, prefix: bullPrefix(config.redisPrefix) });
  });

  afterAll(async () => {
    for (const c of children) c.child.kill('SIGCONT');
    await Promise.all(children.map((c) => c.kill()));
    recordSuite({ suite: 'fencing', mode: 'short', faults: rows });
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await producer?.close();
    await redis?.quit();
    rmSync(bundleDir, { recursive: true, force: true });
    config.cleanup();
  });

  async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
    const c = await startWorkerProcess(
      join(bundleDir, 'worker.js'),
      config,
      { JWT_SECRET: 'fencing-test-secret-fencing-test-secret', ...env },
      60_000,
    );
    children.push(c);
    return c;
  }

  it('no oversell, no trade both failed and written, whatever is paused where and for how long', async () => {
    const points = ['before-leg', 'before-decision', 'between-transactions'];
    const sellers = points.map((_, i) => `seller${i}@x.edu`);
    const firstBuyers = points.map((_, i) => `early${i}@x.edu`);
    const secondBuyers = points.map((_, i) => `late${i}@x.edu`);
    await addTeams(paths, sellers, { cash: 0, C: 2000, N: 0, D: 0, Q: 0 });
    await addTeams(paths, [...firstBuyers, ...secondBuyers], { cash: 100_000, C: 0, N: 0, D: 0, Q: 0 });
    const T = Math.floor(Date.now() / 1000);
    const deal = async (seller: string, buyer: string) => {
      const meta = await openPeer(paths, seller, buyer, 'seller');
      await writeState(paths, seller, meta.id, agreed(seller, 'seller', { price: 2, quantity: 1500 }, T));
      await writeState(paths, seller, meta.id, agreed(buyer, 'buyer', { price: 2, quantity: 1500 }, T));
      return meta.id;
    };
    const first = await Promise.all(sellers.map((s, i) => deal(s, firstBuyers[i])));

    // worker 1 alone takes the first sale of every seller and is stopped at its point
    const paused = await startWorker({
      PAUSE_AT: sellers.map((s, i) => `${s}=${points[i]}`).join(','),
      PAUSE_MS: '15000',
      SWEEP_INTERVAL_MS: '3600000',
    });
    await Promise.all(first.map((id, i) => producer.enqueueAgreementCheck({ negotiation_id: id, owner: sellers[i] })));
    await until('worker 1 at all three points', () => paused.events.filter((e) => e.event === 'at-hook').length === 3, 20_000, 5);
    paused.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    // the second sales are agreed while worker 1 is stopped (so only worker 2 and the CLI ever see them)
    const second = await Promise.all(sellers.map((s, i) => deal(s, secondBuyers[i])));

    // worker 2 settles the second sales and, once the claims look stale, resumes the first ones
    await startWorker({ CLAIM_STALE_MS: '1000', SWEEP_INTERVAL_MS: '1000' });
    await Promise.all(second.map((id, i) => producer.enqueueAgreementCheck({ negotiation_id: id, owner: sellers[i] })));
    const decided = () => [...first, ...second].every((id, i) => outcomeOf(sellers[i % 3], id, { live: true }) !== null);
    await until('worker 2 decided every sale', decided, 60_000, 50);
    // past every timeout: the CLI's 30 s claim staleness, BullMQ's 30 s job lock, the old lock's 30 s
    await until('35 s stopped', () => Date.now() - stoppedAt > 35_000, 40_000, 200);
    const sweep = spawnSync(process.execPath, [join(bundleDir, 'parley.js'), 'sweep'], {
      cwd: ROOT,
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), DATA_DIR: config.dataDir, REDIS_URL: 'redis://127.0.0.1:1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(sweep.status).toBe(0);

    paused.child.kill('SIGCONT');
    await until('worker 1 went past every point', () => paused.events.filter((e) => e.event === 'resumed').length === 3, 20_000, 20);
    // what worker 1 does after waking is a few file operations per job: give it 3 s
    await new Promise((r) => setTimeout(r, 3000));

    const audit = auditDisk(config.dataDir);
    const trades = tradeProblems(audit);
    let oversold = 0;
    const completedPerSeller = sellers.map((s, i) => [first[i], second[i]].filter((id) => outcomeOf(s, id)?.status === 'completed').length);
    for (const team of [...sellers, ...firstBuyers, ...secondBuyers]) {
      const h = holdingsFromFiles(audit, team);
      if (h.C < 0 || h.cash < 0) oversold++;
    }
    const failedButWritten = trades.problems.filter((p) => p.includes('outcome failed')).length;
    rows.push({
      fault:
        'settler SIGSTOPped 35 s (past every timeout) before a ledger leg / before the decision / between the transaction files; a second worker and `parley sweep` settle the same sellers; then SIGCONT',
      attempted: 6,
      acknowledged: [...first, ...second].filter((id, i) => outcomeOf(sellers[i % 3], id) !== null).length,
      persisted: trades.settled,
      lost: trades.missing,
      duplicated: trades.doubled + failedButWritten + oversold,
      notes: `oversell attempts that succeeded: ${oversold}; sales completed per seller: ${completedPerSeller.join(', ')} (of 2 × 1,500 C against 2,000 C)`,
    });

    expect(trades.problems).toEqual([]);
    expect(oversold).toBe(0);
    expect(completedPerSeller).toEqual([1, 1, 1]);
    for (const s of sellers) expect(holdingsFromFiles(audit, s)).toMatchObject({ C: 500, cash: 3000 });
    // a sale whose legs were written before the stop holds its 1,500 C: it wins, whoever finishes it
    expect(outcomeOf(sellers[1], first[1])?.status).toBe('completed');
    expect(outcomeOf(sellers[2], first[2])?.status).toBe('completed');
    expect([...first, ...second].map((id) => audit.negotiations.get(id)?.place)).toEqual(Array(6).fill('archived'));
  }, 150_000);

  const outcomeOf = (owner: string, id: string, options: { live?: boolean } = {}) => {
    const n = auditDisk(config.dataDir, options).negotiations.get(id);
    return n?.place === 'archived' ? n.outcome : null;
  };
});
