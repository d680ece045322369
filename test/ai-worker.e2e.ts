import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { Queue as BullQueue } from 'bullmq';
import { Queue, bullPrefix } from '@parley/queues';
import { agreementKey, NegotiationEngine } from '@parley/negotiation';
import { aiUsageKey } from '@parley/ai-reply';
import { createAiWorker, RunningAiWorker } from '../apps/ai-worker/src/ai-worker';
import { AiWorkerHarness as Harness, forId, waitUntil } from './support/ai-worker-harness';

const ROOT = join(__dirname, '..');

/**
 * The ai-worker end to end on a real Redis: a student's line on disk, a `reply` job enqueued the way
 * the gateway does it, the worker in this process (or in a child process that is killed), and a real
 * Socket.io client in the negotiation room behind the Redis adapter.
 */
describe('ai-worker', () => {
  describe('in this process with the built-in engine', () => {
    const h = new Harness();
    let worker: RunningAiWorker;
    beforeAll(async () => {
      await h.start();
      worker = await createAiWorker(h.config, { handleSignals: false });
    });
    afterAll(async () => {
      await worker.close();
      await h.stop();
    });

    it('answers a student line: typing off, one ai-message, one AI line with reply_to, the AI offer in ai_state.json', async () => {
      const n = await h.negotiation();
      const seq = await h.studentSays(n, 'Hi Jordan! I am excited about the role. I would like 118,000 base and 5 remote days.');

      const msg = await h.room.waitFor('ai-message', forId(n.located.id));
      const typing = await h.room.waitFor('ai-typing', forId(n.located.id));
      expect(typing.payload.typing).toBe(false);
      expect(typing.at).toBeLessThanOrEqual(msg.at);
      expect(msg.payload).toMatchObject({ sender_type: 'ai', sender: 'ai', reply_to: seq, seq: seq + 1 });
      expect(msg.payload.ai_metadata.model).toBe('parley-builtin');
      expect(msg.payload.content.length).toBeGreaterThan(0);

      const lines = await h.aiLines(n);
      expect(lines).toHaveLength(1);
      expect(lines[0].id).toBe(msg.payload.id);
      expect(lines[0].reply_to).toBe(seq);

      // the built-in engine answers a first offer with a counter-proposal
      expect(lines[0].terms).toBeDefined();
      const state = await h.aiState(n);
      expect(state).toMatchObject({ user: 'ai', role: 'employer', status: 'pending' });
      const { timestamp: _t, ...terms } = state!.offer!;
      expect(terms).toEqual(lines[0].terms);
      const update = await h.room.waitFor('offer-updated', forId(n.located.id));
      expect(update.payload).toMatchObject({ user: 'ai', status: 'pending', offer: state!.offer });
    });

    it('a second job for a turn already answered writes and sends nothing new', async () => {
      const n = await h.negotiation();
      const seq = await h.studentSays(n, 'What can you offer me?');
      await h.room.waitFor('ai-message', forId(n.located.id));
      // the same data under another job id, so BullMQ really runs it a second time
      const queue = new BullQueue(Queue.AiResponse, { connection: h.redis, prefix: bullPrefix(h.config.redisPrefix) });
      try {
        const job = await queue.add(
          'reply',
          { negotiation_id: n.located.id, owner: n.email, trigger_seq: seq, reason: 'message' },
          { jobId: `again-${n.located.id}` },
        );
        await waitUntil(async () => (await job.getState()) === 'completed', 5000);
        expect((await queue.getJob(job.id!))!.returnvalue).toMatchObject({ status: 'duplicate' });
      } finally {
        await queue.close();
      }
      expect(await h.aiLines(n)).toHaveLength(1);
      // a new job for an answered turn (a second tab's join asking for the opening) is not a redelivery: no second push
      expect(h.room.count('ai-message', forId(n.located.id))).toBe(1);
    });

    it('an AI acceptance writes agreed + agreement_key and queues the agreement check', async () => {
      const n = await h.negotiation();
      // the student agrees to the employer's ideal terms
      const terms = { salary: 85000, signing_bonus: 0, start_weeks: 2, remote_days: 0 };
      await h.negotiations.writeState(n.located, n.prefix, {
        user: n.email,
        role: 'candidate',
        offer: { ...terms, timestamp: 1 },
        status: 'agreed',
        agreement_key: agreementKey(terms),
        last_updated: 1,
      });
      await h.studentLine(n, { kind: 'offer', content: 'Agreed to: …', terms, status: 'agreed' }, 'offer');

      await h.room.waitFor('offer-updated', (p) => p.negotiation_id === n.located.id && p.status === 'agreed');
      expect(await h.aiState(n)).toMatchObject({ status: 'agreed', agreement_key: agreementKey(terms) });
      const checks = await h.producer.agreementCheck.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
      expect(checks.map((j) => j.data)).toContainEqual({ negotiation_id: n.located.id, owner: n.email });
    });

    it('a job for a negotiation that is gone completes without writing or retrying', async () => {
      const id = randomUUID();
      await h.producer.enqueueAiReply({ negotiation_id: id, owner: 'nobody@example.edu', trigger_seq: 1, reason: 'message' });
      // removeOnComplete: the job disappears once done
      await waitUntil(async () => (await h.producer.aiResponse.getJob(`ai-${id}-1`)) === undefined, 5000);
      expect(await h.producer.aiResponse.getFailedCount()).toBe(0);
      expect(await h.teams.list()).not.toContain('nobody@example.edu');
    });

    it('measures enqueue → ai-message latency with the built-in engine (p50 over 50 jobs)', async () => {
      const latencies: number[] = [];
      const pool = await Promise.all(Array.from({ length: 10 }, () => h.negotiation()));
      const lines = [
        'Hello!',
        'I would like 115,000 and 4 remote days.',
        'Could you do better on salary?',
        'What about 110,000 and 3 remote days?',
        'How about the start date?',
      ];
      for (let round = 0; round < 5; round++) {
        for (const n of pool) {
          const start = Date.now();
          const from = h.room.received.length;
          const seq = await h.studentSays(n, lines[round]);
          await h.room.waitFor('ai-message', (p) => p.negotiation_id === n.located.id && p.reply_to === seq, 5000, from);
          latencies.push(Date.now() - start);
        }
      }
      latencies.sort((a, b) => a - b);
      const p50 = latencies[Math.floor(latencies.length * 0.5)];
      const p95 = latencies[Math.floor(latencies.length * 0.95)];
      console.log(
        `ai-worker, built-in engine, enqueue → ai-message over ${latencies.length} jobs: p50 ${p50} ms, p95 ${p95} ms, max ${latencies[latencies.length - 1]} ms`,
      );
      expect(latencies).toHaveLength(50);
      expect(p50).toBeLessThan(1000);
      for (const n of pool) expect((await h.aiLines(n)).length).toBe(5);
    });
  });

  describe('a worker killed mid-job', () => {
    const h = new Harness();
    let bundle: string;
    let child: ChildProcess | null = null;

    beforeAll(async () => {
      await h.start();
      bundle = buildChild();
    });

    afterAll(async () => {
      await h.stop();
      rmSync(bundle, { force: true });
    });

    afterEach(() => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      child = null;
    });

    function startChild(mode: 'block' | 'after-reply'): { proc: ChildProcess; events: string[]; exited: Promise<void> } {
      const proc = spawn(process.execPath, [bundle], { env: childEnv(h, mode), cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      const events = lineEvents(proc);
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      child = proc;
      return { proc, events, exited };
    }

    // short lock and stall intervals, so the dead worker's job is noticed within a second or two
    const restart = () => createAiWorker(h.config, { handleSignals: false, worker: { lockDuration: 1000, stalledInterval: 300 } });

    it('dies while the engine thinks; a restarted worker answers exactly once', async () => {
      const { proc, events, exited } = startChild('block');
      await waitUntil(async () => events.includes('started'), 15_000);
      const n = await h.negotiation();
      const seq = await h.studentSays(n, 'Good morning! Shall we talk about the salary?');
      await waitUntil(async () => events.includes('engine-called'), 10_000);
      proc.kill('SIGKILL');
      await exited;
      expect(await h.aiLines(n)).toHaveLength(0);

      const restarted = await restart();
      try {
        await h.room.waitFor('ai-message', (p) => p.negotiation_id === n.located.id && p.reply_to === seq, 15_000);
        await waitUntil(async () => (await h.producer.aiResponse.getJob(`ai-${n.located.id}-${seq}`)) === undefined, 5000);
        expect((await h.aiLines(n)).filter((m) => m.reply_to === seq)).toHaveLength(1);
        expect(h.room.distinct('ai-message', forId(n.located.id))).toBe(1);
      } finally {
        await restarted.close();
      }
    });

    it('dies after replying, before the job is marked done; the restarted worker writes nothing twice and re-sends the saved line', async () => {
      const { events, exited } = startChild('after-reply');
      await waitUntil(async () => events.includes('started'), 15_000);
      const n = await h.negotiation();
      const seq = await h.studentSays(n, 'Hello, what does the package look like?');
      await exited; // it killed itself right after the reply
      await h.room.waitFor('ai-message', (p) => p.negotiation_id === n.located.id && p.reply_to === seq, 5000);
      expect(await h.producer.aiResponse.getJobCounts('active')).toEqual({ active: 1 });

      const restarted = await restart();
      try {
        // the stalled job runs again and completes as a duplicate
        await waitUntil(async () => (await h.producer.aiResponse.getJob(`ai-${n.located.id}-${seq}`)) === undefined, 15_000);
        expect(await h.aiLines(n)).toHaveLength(1);
        await new Promise((r) => setTimeout(r, 200));
        expect(h.room.distinct('ai-message', forId(n.located.id))).toBe(1);
        // the stalled job is a redelivery: it sends the saved line again, in case the dead worker never did
        expect(h.room.count('ai-message', forId(n.located.id))).toBe(2);
      } finally {
        await restarted.close();
      }
    });
  });

  describe('a worker told to stop (SIGTERM) mid-job', () => {
    const h = new Harness();
    beforeAll(() => h.start());
    afterAll(() => h.stop());

    it('finishes the running job, then exits', async () => {
      const bundle = buildChild();
      try {
        const proc = spawn(process.execPath, [bundle], { env: childEnv(h, 'slow'), cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        const events = lineEvents(proc);
        const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
        try {
          await waitUntil(async () => events.includes('started'), 15_000);
          const n = await h.negotiation();
          const seq = await h.studentSays(n, 'Hi there, can we discuss the offer?');
          await waitUntil(async () => events.includes('engine-called'), 10_000);
          const stoppedAt = Date.now();
          proc.kill('SIGTERM');
          await exited;
          // it waited for the slow engine (about a second), wrote the reply and completed the job
          expect(Date.now() - stoppedAt).toBeGreaterThan(300);
          expect((await h.aiLines(n)).filter((m) => m.reply_to === seq)).toHaveLength(1);
          await h.room.waitFor('ai-message', (p) => p.negotiation_id === n.located.id && p.reply_to === seq, 2000);
          expect(await h.producer.aiResponse.getJob(`ai-${n.located.id}-${seq}`)).toBeUndefined();
          expect(await h.producer.aiResponse.getJobCounts('active', 'failed')).toEqual({ active: 0, failed: 0 });
        } finally {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
        }
      } finally {
        rmSync(bundle, { force: true });
      }
    });
  });

  describe('token usage', () => {
    const h = new Harness();
    beforeAll(() => h.start());
    afterAll(() => h.stop());

    it('is added up per negotiation in Redis when the engine reports it', async () => {
      const counting: NegotiationEngine = {
        name: 'counting',
        respond: async () => ({
          content: 'Noted.',
          metadata: { model: 'counting', reasoning: '', negotiation_state: 'discussion', confidence: 0.5 },
          usage: { prompt_tokens: 100, completion_tokens: 20 },
        }),
      };
      const worker = await createAiWorker(h.config, { engine: counting, handleSignals: false });
      try {
        const n = await h.negotiation();
        for (const text of ['one', 'two']) {
          const seq = await h.studentSays(n, text);
          await h.room.waitFor('ai-message', (p) => p.negotiation_id === n.located.id && p.reply_to === seq);
        }
        const key = aiUsageKey(h.config.redisPrefix, n.located.id);
        await waitUntil(async () => (await h.redis.hget(key, 'calls')) === '2', 3000);
        expect(await h.redis.hgetall(key)).toEqual({ prompt_tokens: '200', completion_tokens: '40', calls: '2' });
      } finally {
        await worker.close();
      }
    });
  });
});

/** Bundles test/support/ai-worker-crash-child.ts; under the repo, so it finds libs/negotiation/scenarios like the built app. */
function buildChild(): string {
  const outdir = join(ROOT, 'node_modules', '.cache', 'parley-ai-worker-test');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, `child-${process.pid}-${randomUUID()}.js`);
  buildSync({
    entryPoints: [join(__dirname, 'support', 'ai-worker-crash-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    packages: 'external',
    tsconfig: join(ROOT, 'tsconfig.json'),
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

/** The child's whole environment: the test's DATA_DIR and Redis prefix, as an operator would set them. */
function childEnv(h: Harness, mode: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    REDIS_URL: h.config.redisUrl,
    REDIS_PREFIX: h.config.redisPrefix,
    DATA_DIR: h.config.dataDir,
    JWT_SECRET: 'test-secret-test-secret-test-secret',
    LOG_LEVEL: 'silent',
    AI_TYPING_DELAY_MS: '0',
    CRASH_MODE: mode,
  };
}

/** The `event` of every JSON line the child prints. */
function lineEvents(proc: ChildProcess): string[] {
  const events: string[] = [];
  let buffered = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const p of parts) {
      try {
        events.push(JSON.parse(p).event);
      } catch {
        /* not ours */
      }
    }
  });
  proc.stderr!.on('data', () => undefined);
  return events;
}
