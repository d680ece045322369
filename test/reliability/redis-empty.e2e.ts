import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue as BullQueue } from 'bullmq';
import IORedis from 'ioredis';
import { Queue, bullPrefix } from '@parley/queues';
import { RedisServer } from '../support/cluster';
import { auditDisk } from '../support/cluster-disk';
import { verifyAi } from '../support/cluster-checks';
import { PRACTICE_LINES } from '../support/cluster-world';
import { FaultRow, recordSuite } from '../support/reliability-report';
import { Rig, agree, until } from '../support/faults';

/**
 * Redis comes back EMPTY while jobs wait in it (the workers are frozen with SIGSTOP, a trade is
 * agreed and a student speaks), then the workers go on. Without any restart or operator action:
 * the repeatable sweep and stale-cleanup are scheduled again, the agreed trade settles, the waiting
 * AI turn is answered, and sequence numbers go on above the highest one on disk.
 */
describe('Redis restarted empty: schedulers, trades and AI turns recover by themselves', () => {
  const rows: FaultRow[] = [];
  afterAll(() => recordSuite({ suite: 'redis-empty', mode: 'short', faults: rows }));

  it('recovers the sweep and stale-cleanup schedules, the settlement and the unanswered AI turn', async () => {
    const redis = new RedisServer(mkdtempSync(join(tmpdir(), 'parley-redis-empty-')));
    await redis.start();
    const rig = new Rig({
      redisUrl: redis.url,
      services: [
        { kind: 'gateway', name: 'gw1' },
        { kind: 'ai-worker', name: 'ai1' },
        { kind: 'agreement-worker', name: 'agr1' },
      ],
    });
    const schedulers = async () => {
      const connection = new IORedis(redis.url, { maxRetriesPerRequest: null });
      const q = new BullQueue(Queue.AgreementCheck, { connection, prefix: bullPrefix(rig.world.redisPrefix) });
      try {
        return (await q.getJobSchedulers()).map((s) => s.key ?? s.name).filter((n) => n === 'sweep' || n === 'stale-cleanup').length;
      } finally {
        await q.close();
        connection.disconnect();
      }
    };
    rig.onStop(() => redis.destroy());
    await rig.run(async () => {
      await rig.start();
      const [seller, buyer, student] = ['rseller@uni.edu', 'rbuyer@uni.edu', 'rstudent@uni.edu'];
      await rig.world.addTeams([seller, buyer, student]);
      const url = rig.gateways()[0].url;
      const clients = new Map<string, Awaited<ReturnType<typeof rig.world.client>>>();
      for (const e of [seller, buyer, student]) clients.set(e, await rig.world.client(e, e, [url]));
      await until('schedules at start', async () => (await schedulers()) >= 2, 10_000, 200);

      const practice = await rig.openPractice(student);
      await clients.get(student)!.join(practice);
      const first = await rig.say(clients.get(student)!, practice, PRACTICE_LINES[0]);
      expect(first.result.status).toBe('acked');
      await until('first AI reply', () => verifyAi(auditDisk(rig.world.dataDir, { live: true }), [practice]).unanswered === 0, 20_000, 200);

      // jobs waiting in Redis when it is wiped: the workers are frozen while they are queued
      const ai1 = rig.cluster.get('ai1');
      const agr1 = rig.cluster.get('agr1');
      process.kill(ai1.pid!, 'SIGSTOP');
      process.kill(agr1.pid!, 'SIGSTOP');
      let trade = '';
      let waiting: Awaited<ReturnType<typeof rig.say>>;
      try {
        trade = await rig.openTrade(seller, buyer, 20, 2);
        await clients.get(seller)!.join(trade);
        await clients.get(buyer)!.join(trade);
        const terms = { price: 20, quantity: 2 };
        expect((await agree(clients.get(seller)!, trade, terms)) && (await agree(clients.get(buyer)!, trade, terms))).toBe(true);
        waiting = await rig.say(clients.get(student)!, practice, PRACTICE_LINES[1]);
        expect(waiting.result.status).toBe('acked');
        await redis.kill();
        redis.wipe();
        await redis.start();
      } finally {
        process.kill(ai1.pid!, 'SIGCONT');
        process.kill(agr1.pid!, 'SIGCONT');
      }
      const wipedAt = Date.now();
      expect(await schedulers()).toBe(0);

      const recovered = async () => {
        const audit = auditDisk(rig.world.dataDir);
        return {
          schedules: await schedulers(),
          settled: audit.negotiations.get(trade)?.outcome?.status === 'completed',
          answered: verifyAi(audit, [practice]).unanswered === 0,
        };
      };
      await until(
        'schedules, settlement and AI turn back',
        async () => {
          const r = await recovered();
          return r.schedules >= 2 && r.settled && r.answered;
        },
        45_000,
        250,
      ).catch(() => undefined);
      const after = await recovered();
      const tookMs = Date.now() - wipedAt;

      // numbers go on above the files' highest, whatever Redis forgot
      const next = await rig.say(clients.get(student)!, practice, PRACTICE_LINES[2]);
      const audit = auditDisk(rig.world.dataDir);
      const seqs = audit.negotiations.get(practice)!.messages.map((m) => m.seq);
      const duplicates = seqs.length - new Set(seqs).size;
      const lines = [first, waiting!, next].filter((r) => r.result.status === 'acked').length;
      rows.push({
        fault:
          'Redis restarted EMPTY (SIGKILL, AOF deleted) with a trade check and an AI turn waiting in it; workers not restarted, no `parley sweep`',
        attempted: 2 + lines,
        acknowledged: 2 + lines,
        persisted: Number(after.settled) + Number(after.answered) + lines,
        lost: Number(!after.settled) + Number(!after.answered),
        duplicated: duplicates,
        notes:
          `repeatable jobs scheduled again: ${after.schedules} (sweep, stale-cleanup); agreed trade settled: ${after.settled}; ` +
          `waiting AI turn answered: ${after.answered}; all within ${Math.round(tookMs / 1000)} s; duplicate sequence numbers: ${duplicates}`,
      });
      expect(after).toEqual({ schedules: 2, settled: true, answered: true });
      expect(next.result.status).toBe('acked');
      expect(duplicates).toBe(0);
    });
  }, 180_000);
});
