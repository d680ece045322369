import { DataPaths, NegotiationStore } from '@parley/store';
import { ScenarioCatalog } from '@parley/negotiation';
import { Ctx, disposeConfig, startChild } from '../lib/context';
import { notMeasured, Section, table } from '../lib/report';
import type { Child } from '../lib/rpc';
import type { ParleyConfig } from '@parley/config';
import { addTeams, benchConfig, BenchConfig, plain } from '../lib/setup';
import { PROFILE_NOTE, profileTables, ProfileTop } from '../lib/profile';
import { fmt, ms, ratio, summarize } from '../lib/stats';

interface LoopResult {
  replies: number;
  perSec: number;
  p50: number;
  p99: number;
  echoP50: number;
  echoP99: number;
  errors: number;
  timeouts: number;
  errorSample: string;
}

const MODEL_DELAY_MS = 500;
/** The engine reads the whole transcript each turn: conversations are kept to a realistic length. */
const TURNS_PER_NEGOTIATION = 20;
const MODEL_SLOTS = 12;

/**
 * `send-message` → `ai-message` through the real pipeline: gateway saves and enqueues, an ai-worker
 * process takes the job, asks the engine, writes the AI's files and emits through Redis. First with
 * the built-in engine (so the time is the pipeline's own), then with a loopback OpenAI-compatible
 * server that takes 500 ms per reply, for 1, 2 and 4 worker processes.
 */
export async function aiSuite(ctx: Ctx): Promise<Section> {
  const durationMs = ctx.smoke ? 2000 : 20_000;
  const warmupMs = ctx.smoke ? 700 : 5000;
  const builtinStudents = ctx.smoke ? 4 : 16;
  const modelStudents = ctx.smoke ? 8 : 48;
  const workerCounts = ctx.smoke ? [1] : [1, 2, 4];

  let alone: LoopResult | null = null;
  let scenarioId = '';
  let workerProfile: ProfileTop | null = null;
  let builtin: LoopResult | null = null;
  let engineName = '';
  const scaling: { workers: number; result: LoopResult }[] = [];
  // a student opens a new practice every few turns and no agreement worker archives the old ones: the cap on
  // open negotiations per team is lifted like the rate limits (the cap is not what this suite measures)
  const config = benchConfig({ AI_ENGINE: 'builtin', MAX_OPEN_NEGOTIATIONS_PER_TEAM: '1000000' });
  const concurrency = config.aiConcurrency;
  let stats: { served: number; maxWaiting: number } = { served: 0, maxWaiting: 0 };
  try {
    await session(ctx, config, modelStudents, async (clients, addWorker, scenario) => {
      scenarioId = scenario;
      const first = await addWorker(plain(config));
      engineName = first.engine;
      // latency: one student, so no job ever waits for a free slot
      const one = await loop(clients, durationMs, warmupMs, 1);
      alone = one;
      ctx.log(
        `ai builtin, 1 student: p50 ${ms(one.p50)}, p99 ${ms(one.p99)} (chat echo p50 ${ms(one.echoP50)}, p99 ${ms(one.echoP99)}), ${describeErrors(one)}`,
      );
      // throughput: more students than the worker's slots (full run: with the worker's CPU profiled)
      if (!ctx.smoke) await first.child.call('profileStart');
      const r = await loop(clients, durationMs, warmupMs, builtinStudents);
      if (!ctx.smoke) workerProfile = await first.child.call<ProfileTop>('profileStop');
      builtin = r;
      ctx.log(`ai builtin (${engineName}): ${fmt(r.perSec)} replies/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, ${describeErrors(r)}`);
      await first.child.stop();

      const model = startChild(ctx, 'server', 'fake-model');
      const { baseUrl } = await model.call('startFakeModel', { delayMs: MODEL_DELAY_MS, slots: MODEL_SLOTS });
      const modelConfig: ParleyConfig = {
        ...plain(config),
        aiEngine: 'openai',
        openai: { apiKey: 'bench', model: 'bench-model', baseUrl },
      };
      let have = 0;
      for (const workers of workerCounts) {
        for (; have < workers; have++) await addWorker(modelConfig);
        const result = await loop(clients, durationMs, warmupMs, modelStudents);
        ctx.log(
          `ai model ${MODEL_DELAY_MS} ms, ${workers} worker(s) × ${concurrency}: ${fmt(result.perSec)} replies/s, p50 ${ms(result.p50)}, p99 ${ms(result.p99)}, ${describeErrors(result)}`,
        );
        scaling.push({ workers, result });
      }
      stats = await model.call('modelStats');
    });
  } catch (e) {
    if (e instanceof WorkerStartError)
      return notMeasured('ai', '4. AI pipeline overhead', `the ai-worker could not be started (${e.message}).`, [
        'AI: send → ai-message p50 / p99 (built-in engine)',
      ]);
    throw e;
  }
  if (!builtin || !alone) throw new Error('the built-in engine runs did not happen');
  const b: LoopResult = builtin;
  const a: LoopResult = alone;

  const ceiling = (MODEL_SLOTS * 1000) / MODEL_DELAY_MS;
  const body = [
    `**Built-in engine** (${engineName}), one ai-worker process (AI_CONCURRENCY ${concurrency}), one gateway process, one client process.`,
    `Students in their own AI negotiations (scenario \`${scenarioId}\`) run a closed loop (send, wait for the AI's reply, send again) for ${durationMs / 1000} s, of which`,
    `the first ${warmupMs / 1000} s are not counted; after ${TURNS_PER_NEGOTIATION} turns a student opens a new negotiation (POST /api/negotiations, not timed), so`,
    `transcripts stay the length of a real conversation. Latency: one student, so no job waits for a free slot; the baseline is the same`,
    "exchange's own `message-received` echo (validated, saved with fsync, broadcast — plain chat), so the difference is what",
    `the AI path adds: job enqueue and pick-up, reading the transcript and states, the engine, the AI's fsynced line and state`,
    `file, the emit through Redis. Throughput: ${builtinStudents} students, so the worker's ${concurrency} slots are always busy (latency then includes waiting).`,
    '',
    table(
      ['run', 'path', 'p50', 'p99', 'replies/s', 'errors / timeouts'],
      [
        ['1 student', 'send → ai-message', ms(a.p50), ms(a.p99), fmt(a.perSec), `${a.errors} / ${a.timeouts}`],
        ['1 student', 'send → message-received (plain chat, baseline)', ms(a.echoP50), ms(a.echoP99), '–', '–'],
        ['1 student', '**AI pipeline overhead** (difference)', ms(a.p50 - a.echoP50), ms(a.p99 - a.echoP99), '–', '–'],
        [`${builtinStudents} students`, 'send → ai-message', ms(b.p50), ms(b.p99), fmt(b.perSec), `${b.errors} / ${b.timeouts}`],
      ],
    ),
    '',
    ...(workerProfile
      ? profileTables(
          `Profile of the ai-worker's main thread during the ${builtinStudents}-student run (V8 sampling profiler, idle left out: ${fmt((workerProfile as ProfileTop).totalMs)} ms busy for about ${fmt(b.perSec * (durationMs / 1000))} replies). ${PROFILE_NOTE}`,
          workerProfile,
        )
      : []),
    `**Model server that takes ${MODEL_DELAY_MS} ms per reply** (loopback OpenAI-compatible server in its own process, at most`,
    `${MODEL_SLOTS} replies generated at once — like a model server's batch slots — so its ceiling is ${fmt(ceiling)} replies/s). ${modelStudents} students in a`,
    `closed loop for ${durationMs / 1000} s per row (the first ${warmupMs / 1000} s not counted); AI_ENGINE=openai; each ai-worker process runs AI_CONCURRENCY=${concurrency} jobs at once, so the workers'`,
    `own ceiling is workers × ${concurrency} / ${MODEL_DELAY_MS / 1000} s. The ideal is the lower of the two ceilings. Latency here is mostly waiting`,
    `(${modelStudents} students share at most ${MODEL_SLOTS} model slots), by design: the question is whether throughput follows the ideal.`,
    '',
    table(
      [
        'ai-worker processes',
        'worker ceiling',
        'ideal (replies/s)',
        'replies/s',
        'vs ideal',
        'vs 1 worker',
        'p50',
        'p99',
        'errors / timeouts',
      ],
      scaling.map((s) => [
        String(s.workers),
        fmt((s.workers * concurrency * 1000) / MODEL_DELAY_MS),
        fmt(Math.min((s.workers * concurrency * 1000) / MODEL_DELAY_MS, ceiling)),
        fmt(s.result.perSec),
        ratio(s.result.perSec, Math.min((s.workers * concurrency * 1000) / MODEL_DELAY_MS, ceiling)),
        ratio(s.result.perSec, scaling[0].result.perSec),
        ms(s.result.p50),
        ms(s.result.p99),
        `${s.result.errors} / ${s.result.timeouts}${s.result.errorSample ? ` (${s.result.errorSample.slice(0, 60)})` : ''}`,
      ]),
    ),
    '',
    `Model server: ${fmt(stats.served)} replies served, at most ${stats.maxWaiting} requests waiting for a slot.`,
  ].join('\n');
  return {
    id: 'ai',
    title: '4. AI pipeline overhead',
    body,
    headline: [
      {
        what: 'AI: send → ai-message p50 / p99 (built-in engine, 1 student)',
        parley: `${ms(a.p50)} / ${ms(a.p99)}`,
        baseline: `${ms(a.echoP50)} / ${ms(a.echoP99)} (plain chat echo)`,
        ratio: `overhead ${ms(a.p50 - a.echoP50)} / ${ms(a.p99 - a.echoP99)}`,
        target: 'overhead p99 < 20 ms',
      },
      {
        what: `AI: replies/s, built-in engine, one worker (${builtinStudents} students)`,
        parley: fmt(b.perSec),
        baseline: '–',
        ratio: '–',
        target: '',
      },
      {
        what: `AI: replies/s with a 500 ms model, ${scaling.map((s) => s.workers).join(' / ')} workers × ${concurrency}`,
        parley: scaling.map((s) => fmt(s.result.perSec)).join(' / '),
        baseline: `${scaling.map((s) => fmt(Math.min((s.workers * concurrency * 1000) / MODEL_DELAY_MS, ceiling))).join(' / ')} (ideal)`,
        ratio: scaling.map((s) => ratio(s.result.perSec, Math.min((s.workers * concurrency * 1000) / MODEL_DELAY_MS, ceiling))).join(' / '),
        target: 'grows until the model is the limit',
      },
    ],
  };
}

const describeErrors = (r: LoopResult) =>
  `${r.errors} errors, ${r.timeouts} timeouts${r.errorSample ? ` (${r.errorSample.slice(0, 120)})` : ''}`;

class WorkerStartError extends Error {}

/** A gateway, the students' AI negotiations and their sockets; `addWorker(config)` starts one more ai-worker process. */
async function session(
  ctx: Ctx,
  config: BenchConfig,
  studentCount: number,
  body: (
    clients: Child,
    addWorker: (config: ParleyConfig) => Promise<{ engine: string; child: Child }>,
    scenarioId: string,
  ) => Promise<void>,
): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  const local: Ctx = { ...ctx, onCleanup: (fn) => cleanups.push(async () => void (await fn())) };
  try {
    disposeConfig(local, config);
    const students = await addTeams(config, 's', studentCount);
    const catalog = new ScenarioCatalog(config.dataDir);
    const first = (await catalog.list())[0];
    const scenario = first ? await catalog.get(first.id) : null;
    if (!scenario) throw new WorkerStartError('no scenario available');
    const store = new NegotiationStore(new DataPaths(config.dataDir));
    const negotiations: { id: string }[] = [];
    for (const s of students)
      negotiations.push(await store.createAi(s.email, scenario.id, scenario.student_role, scenario.ai_role, config.staleAfterMs));
    const gateway = startChild(local, 'server', 'ai-gateway');
    const clients = startChild(local, 'clients', 'ai-clients');
    const { url } = await gateway.call('startGateway', plain(config));
    await clients.call('aiOpen', {
      url,
      students: students.map((s, i) => ({ token: s.token, id: negotiations[i].id })),
      scenarioId: scenario.id,
      turnsPerNegotiation: TURNS_PER_NEGOTIATION,
    });
    let n = 0;
    const addWorker = async (workerConfig: ParleyConfig) => {
      const child = startChild(local, 'server', `ai-worker-${n++}`);
      try {
        return { engine: (await child.call<{ engine: string }>('startAiWorker', { config: workerConfig })).engine, child };
      } catch (e) {
        throw new WorkerStartError(String((e as Error).message).split('\n')[0]);
      }
    };
    await body(clients, addWorker, scenario.id);
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch((e) => ctx.log(`cleanup: ${(e as Error).message}`));
  }
}

async function loop(clients: Child, durationMs: number, warmupMs: number, students: number): Promise<LoopResult> {
  const r = await clients.call('aiRun', { durationMs, warmupMs, replyTimeoutMs: 10_000, students }, durationMs + 60_000);
  const lat = summarize(r.latencies);
  const echo = summarize(r.echo);
  return {
    replies: r.replies,
    perSec: r.repliesInWindow / (r.windowMs / 1000),
    p50: lat.p50,
    p99: lat.p99,
    echoP50: echo.p50,
    echoP99: echo.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    errorSample: r.errorSample,
  };
}
