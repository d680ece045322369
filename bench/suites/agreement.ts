import { Ctx, disposeConfig, startChild, waitAgreementQueueIdle } from '../lib/context';
import { notMeasured, Section, table } from '../lib/report';
import { addTeams, BenchConfig, benchConfig, OpenTree, openPeer, plain, treeTeams } from '../lib/setup';
import { fmt, ms, pool, ratio, summarize } from '../lib/stats';
import { PROFILE_NOTE, profileTables, ProfileTop } from '../lib/profile';
import type { SweepPoint } from './sweep';
import type { SettleBreakdown } from '../lib/settle-breakdown';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTree } from '../lib/setup';
import { agreementStages } from '../lib/agreement-stages';

interface RunResult {
  rate: number;
  count: number;
  updates: number;
  missing: number;
  ackFailed: number;
  /** acks that took longer than the client's 10 s (the agreement was not refused: it settles) */
  ackLate: number;
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  errorSample: string;
  profile?: ProfileTop;
  /** CPU (user + system, and system alone) per update, µs: the gateway's and the agreement worker's */
  cpu: { gateway: number; gatewayKernel: number; worker: number; workerKernel: number };
}

const PERIOD_S = 60;
/** How long after its last agree-offer a run waits for the outstanding updates. */
const UPDATE_TIMEOUT_S = 60;

/**
 * Second `agree-offer` → `negotiation-update` at the client, with the gateway, the agreement worker
 * and the clients each in their own process. Each settlement uses a fresh peer negotiation on which
 * the first party already agreed; pairs of teams are interleaved so consecutive settlements touch
 * different teams.
 */
export async function agreementSuite(ctx: Ctx, sweepPoints: SweepPoint[]): Promise<Section> {
  // quick runs: BENCH_AGREEMENT_RATES=10,100 BENCH_AGREEMENT_BIG=0 BENCH_AGREEMENT_BREAKDOWN=0 (BENCH_AGREEMENT_STAGES=1: per-stage times)
  const rates = process.env.BENCH_AGREEMENT_RATES
    ? process.env.BENCH_AGREEMENT_RATES.split(',').map(Number)
    : ctx.smoke
      ? [10]
      : [10, 100, 1000];
  const withBig = process.env.BENCH_AGREEMENT_BIG !== '0';
  const countAt = (rate: number) => (ctx.smoke ? 10 : rate === 10 ? 600 : rate === 100 ? 1000 : 2000);
  const pairs = ctx.smoke ? 4 : 100;
  const smallTree = 100;
  const bigTree = ctx.smoke ? 2_000 : 100_000;

  const breakdown = process.env.BENCH_AGREEMENT_BREAKDOWN === '0' ? [] : await settleBreakdowns(ctx, ctx.smoke ? 40 : 2000, pairs);
  const small: RunResult[] = [];
  let big: RunResult[] = [];
  try {
    // BENCH_SWEEP_INTERVAL_MS: the worker's sweep period (a diagnostic; default the production 60 s)
    const sweepEvery = process.env.BENCH_SWEEP_INTERVAL_MS;
    const config = benchConfig(sweepEvery ? { SWEEP_INTERVAL_MS: sweepEvery } : {});
    await session(ctx, config, smallTree, pairs, [...rates.map(countAt), ...(withBig ? [countAt(10)] : [])], async (run, grow) => {
      // the saturating rate is also profiled (agreement-worker process, V8 sampler): the latency there is queueing anyway
      // BENCH_AGREEMENT_PROFILE_WORKER=<rate>: the worker's profile at another rate
      const profileAt = process.env.BENCH_AGREEMENT_PROFILE_WORKER ?? (ctx.smoke ? '' : '1000');
      for (const rate of rates) small.push(await run(rate, countAt(rate), String(rate) === profileAt));
      if (!withBig) return;
      const s = grow(bigTree);
      // BENCH_AGREEMENT_FLUSH_TREE=1: the tree written back (`sync`) before the run, not 1 GB of dirty pages the kernel
      // writes back during it (a diagnostic: a class's 100,000 open negotiations accumulate over weeks)
      const flushed = process.env.BENCH_AGREEMENT_FLUSH_TREE === '1' ? flushToDisk() : null;
      ctx.log(
        `agreement: ${fmt(bigTree)} open negotiations on disk (+${fmt(s)} s to write${flushed === null ? '' : `, +${fmt(flushed)} s to flush`})`,
      );
      big = [await run(10, countAt(10))];
    });
  } catch (e) {
    if (e instanceof WorkerStartError) {
      return notMeasured('agreement', '2. Agreement latency', `the agreement worker could not be started (${e.message}).`, [
        'agreement: second agree → negotiation-update p50 / p99',
      ]);
    }
    throw e;
  }
  const seedScanMs = nearestScan(sweepPoints, bigTree) ?? NaN;
  const seedSmallScanMs = nearestScan(sweepPoints, smallTree) ?? 0;
  const seedMean = (PERIOD_S / 2) * 1000 + seedSmallScanMs;
  const at10 = small[0];
  const big10 = big[0] ?? { ...at10, p50: NaN, p99: NaN, missing: 0 };
  const body = [
    'Gateway, agreement worker (default settings: AGREEMENT_CONCURRENCY 64, libuv pool 16, sweep every 60 s) and clients each in their',
    `own process; ${pairs} pairs of teams, one socket per team joined to all of its negotiations. Setup: the first party`,
    'agrees on every negotiation (and the queue is drained); then the second party agrees at a fixed rate and the time from',
    'that `agree-offer` emit to the `negotiation-update` for the negotiation at the same client is recorded. A settlement',
    'here is the full path: state file write + transcript line (fsync), `agreement-check` job, claim by rename, re-read,',
    "both teams' holdings checked under their locks, two transaction files, outcome.json, archive, responder link moved,",
    'emit through Redis.',
    '',
    `With ${fmt(smallTree)} other open negotiations on disk:`,
    '',
    table(RUN_COLUMNS, small.map(row)),
    '',
    `Then with ${fmt(bigTree)} other open negotiations on disk (written into the same DATA_DIR, same processes; the worker's`,
    'own sweep runs over them every 60 s while we measure, as it would in production):',
    '',
    table(RUN_COLUMNS, big.map(row)),
    '',
    'A missing update counts as slower than every update that came (so it raises p99, never lowers it). An ack later than',
    '10 s is the client\'s `agree-offer` acknowledgement arriving after its socket.io timeout ("operation has timed out"):',
    "the agreement was written and settles; the wait is for its team's promise lock in the gateway.",
    '',
    ...breakdownTable(breakdown, pairs),
    ...profiled(small),
    `Ratio ${fmt(bigTree)} / ${fmt(smallTree)} open: p50 ${ratio(big10.p50, at10.p50)}, p99 ${ratio(big10.p99, at10.p99)}.`,
    '',
    `**Seed 000 baseline.** Its cron polls every negotiation; an agreement waits for the next poll, then for the scan to`,
    `reach it. With a ${PERIOD_S} s period the delay is ${PERIOD_S / 2} s + one scan on average and up to ${PERIOD_S} s + one scan. Its scan,`,
    `measured in section 3 on the same kind of tree: ${sweepPoints.map((p) => `${fmt(p.size)} open → ${ms(p.seed.ms)}`).join(', ') || 'not measured'}.`,
    `Mean delay with ${fmt(smallTree)} open ≈ ${fmt(seedMean / 1000)} s; with ${fmt(bigTree)} open ≈ ${fmt(((PERIOD_S / 2) * 1000 + seedScanMs) / 1000)} s.`,
  ].join('\n');
  return {
    id: 'agreement',
    title: '2. Agreement latency',
    body,
    headline: [
      ...small.map((r) => ({
        what: `agreement: second agree → update p50 / p99 at ${fmt(r.rate)}/s`,
        parley: `${late(r.p50)} / ${late(r.p99)}${r.achieved < 0.9 * r.rate ? ` (achieved ${fmt(r.achieved)}/s)` : ''}`,
        baseline: `${fmt(seedMean / 1000)} s mean (seed poll, 60 s period)`,
        ratio: ratio(r.p50, seedMean),
        target: r.rate === 100 ? 'p99 < 50 ms' : r.rate === 1000 ? 'p99 < 250 ms, 1,000/s achieved' : '',
      })),
      ...breakdown.slice(-1).map((b) => ({
        what: `agreement: the settlement alone (${b.concurrency} at a time): settlements/s, CPU each`,
        parley: `${fmt(b.perSecond)}/s, ${fmt(b.cpuUs)} µs`,
        baseline: '–',
        ratio: '–',
        target: '≥ 1,000/s',
      })),
      {
        what: `agreement p50 / p99 with ${fmt(bigTree)} vs ${fmt(smallTree)} open negotiations`,
        parley: `${late(big10.p50)} / ${late(big10.p99)}${big10.missing ? ` (${big10.missing} of ${big10.count} missing)` : ''}`,
        baseline: `${late(at10.p50)} / ${late(at10.p99)}`,
        ratio: `${ratio(big10.p50, at10.p50)} / ${ratio(big10.p99, at10.p99)}`,
        target: '≤ 1.2×',
      },
    ],
  };
}

/**
 * The settlement alone (bench/lib/settle-breakdown.ts), one job at a time, 16 and 64 at a time, in a fresh process.
 * The trees are removed at the end, not between runs: tens of thousands of inodes freed just before a run
 * would make its file creations dearer (see inodeCreateCost).
 */
async function settleBreakdowns(ctx: Ctx, count: number, pairs: number): Promise<SettleBreakdown[]> {
  const child = startChild(ctx, 'server', 'settle-breakdown');
  const out: SettleBreakdown[] = [];
  const dataDirs: string[] = [];
  try {
    for (const concurrency of [1, 16, 64]) {
      const dataDir = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'parley-bench-settle-'));
      dataDirs.push(dataDir);
      const b = await child.call<SettleBreakdown>('settleBreakdown', { dataDir, count, pairs, concurrency }, 20 * 60_000);
      ctx.log(
        `agreement: settlement alone, ${concurrency} at a time: ${fmt(b.perSecond)}/s, ${fmt(b.cpuUs)} µs CPU and ${fmt(b.callsTotal)} file calls (${fmt(b.calls.fsync ?? 0)} fsyncs) each; an empty file's creation ${fmt(b.createKernelUs)} µs kernel`,
      );
      out.push(b);
    }
  } finally {
    await child.stop();
    for (const dir of dataDirs) removeTree(dir);
  }
  return out;
}

function breakdownTable(runs: SettleBreakdown[], pairs: number): string[] {
  if (runs.length === 0) return [];
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.calls)))].sort((a, b) => (runs[0].calls[b] ?? 0) - (runs[0].calls[a] ?? 0));
  return [
    `**The settlement alone** (bench/lib/settle-breakdown.ts): the worker's \`check\` in one process, no gateway, queue or emit, on`,
    `${fmt(runs[0].count)} peer negotiations both parties agreed on, over ${pairs} team pairs; libuv pool 16. CPU is the process's`,
    'user + kernel time per settlement; file calls are API calls (a FileHandle fsync counts as `fsync`). Last column: the kernel',
    'CPU of creating one empty file in the same DATA_DIR just before the run (a settlement creates 7 inodes: two ledger legs, the',
    'decision, two transaction files, outcome.json, the archived responder link).',
    '',
    table(
      [
        'at once',
        'settlements/s',
        'p50',
        'p99',
        'CPU / settlement (of it kernel)',
        'file calls / settlement',
        'of them',
        'empty-file creation (kernel)',
      ],
      runs.map((r) => [
        fmt(r.concurrency),
        fmt(r.perSecond),
        ms(r.p50),
        ms(r.p99),
        `${fmt(r.cpuUs)} µs (${fmt(r.kernelUs)} µs)`,
        fmt(r.callsTotal),
        names
          .filter((n) => (r.calls[n] ?? 0) >= 0.05)
          .map((n) => `${n} ${fmt(r.calls[n])}`)
          .join(', '),
        `${fmt(r.createKernelUs)} µs`,
      ]),
    ),
    '',
  ];
}

function profiled(runs: RunResult[]): string[] {
  const r = runs.find((x) => x.profile);
  if (!r?.profile) return [];
  return profileTables(
    `Profile of the agreement-worker's main thread during the ${fmt(r.rate)}/s run (V8 sampling profiler, idle left out: ${fmt(r.profile.totalMs)} ms busy for ${fmt(r.updates)} settlements, ${fmt(r.profile.totalMs / Math.max(1, r.updates))} ms each). ${PROFILE_NOTE}`,
    r.profile,
  );
}

const late = (x: number) => (x === Infinity ? `> ${UPDATE_TIMEOUT_S} s` : ms(x));

/** The columns of `row`. */
const RUN_COLUMNS = [
  'offered settlements/s',
  'updates received',
  'achieved/s',
  'p50',
  'p99',
  'max',
  `missing (no update within ${UPDATE_TIMEOUT_S} s)`,
  'gateway CPU per agreement (kernel)',
  'worker CPU per agreement (kernel)',
  'outcomes',
];

function row(r: RunResult): string[] {
  return [
    fmt(r.rate),
    `${fmt(r.updates)} / ${fmt(r.count)}`,
    fmt(r.achieved),
    late(r.p50),
    late(r.p99),
    late(r.max),
    String(r.missing),
    `${fmt(r.cpu.gateway)} µs (${fmt(r.cpu.gatewayKernel)} µs)`,
    `${fmt(r.cpu.worker)} µs (${fmt(r.cpu.workerKernel)} µs)`,
    Object.entries(r.statuses)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') +
      (r.ackFailed ? `; ${r.ackFailed} refused (${r.errorSample.slice(0, 80)})` : '') +
      (r.ackLate ? `; ${r.ackLate} acks later than 10 s` : ''),
  ];
}

/** The seed poll's measured scan time on a tree of `size`, scaled linearly from the nearest measured size. */
function nearestScan(points: SweepPoint[], size: number): number | null {
  if (points.length === 0) return null;
  const nearest = [...points].sort((a, b) => Math.abs(Math.log(a.size / size)) - Math.abs(Math.log(b.size / size)))[0];
  return (nearest.seed.ms * size) / nearest.size;
}

class WorkerStartError extends Error {}

type SweepPass = { startMs: number; endMs: number | null };

/** `sync`: every dirty page written back; returns the seconds it took. */
function flushToDisk(): number {
  const t0 = Date.now();
  execFileSync('sync');
  return (Date.now() - t0) / 1000;
}

/** Which updates were sent while the worker's sweep ran a pass, and their latency beside the others'. */
function logSweepOverlap(ctx: Ctx, r: { latencies: number[]; sentEpochMs: number[] }, passes: SweepPass[]): void {
  const from = Math.min(...r.sentEpochMs);
  const to = Math.max(...r.sentEpochMs);
  const during = passes.filter((p) => (p.endMs ?? Infinity) >= from && p.startMs <= to);
  const inPass = (t: number) => during.some((p) => t >= p.startMs && t <= (p.endMs ?? Infinity));
  const yes = r.latencies.filter((_, i) => inPass(r.sentEpochMs[i]));
  const no = r.latencies.filter((_, i) => !inPass(r.sentEpochMs[i]));
  const stat = (xs: number[]) => (xs.length ? `p50 ${ms(summarize(xs).p50)}, p99 ${ms(summarize(xs).p99)} (${xs.length})` : 'none');
  const spans = during.map(
    (p) => `${fmt((p.startMs - from) / 1000)} s +${p.endMs === null ? 'running' : `${fmt((p.endMs - p.startMs) / 1000)} s`}`,
  );
  const slowest = r.latencies
    .map((l, i) => ({ l, at: (r.sentEpochMs[i] - from) / 1000 }))
    .sort((a, b) => b.l - a.l)
    .slice(0, 12)
    .sort((a, b) => a.at - b.at);
  // the tail over the run: the slowest update of each second of sends
  const perSecond: number[] = [];
  r.latencies.forEach((l, i) => {
    const s = Math.floor((r.sentEpochMs[i] - from) / 1000);
    perSecond[s] = Math.max(perSecond[s] ?? 0, l);
  });
  ctx.log(`agreement: slowest update per second of sends (ms): ${Array.from(perSecond, (x) => fmt(x ?? 0)).join(' ')}`);
  ctx.log(
    `agreement: sweep passes in the run [${spans.join(', ')}]; sent during a pass ${stat(yes)}; outside ${stat(no)}; slowest (sent at s: ms) ${slowest.map((x) => `${fmt(x.at)}: ${fmt(x.l)}`).join(', ')}`,
  );
}

type Run = (rate: number, count: number, profile?: boolean) => Promise<RunResult>;

/**
 * Teams, negotiations (the first party agreed on each), gateway, worker and clients; `run` settles
 * `count` of them at `rate`/s, `grow` adds untouched open negotiations to the same DATA_DIR.
 */
async function session(
  ctx: Ctx,
  config: BenchConfig,
  openOnDisk: number,
  pairs: number,
  counts: number[],
  body: (run: Run, grow: (size: number) => number) => Promise<void>,
): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  const local: Ctx = { ...ctx, onCleanup: (fn) => cleanups.push(async () => void (await fn())) };
  try {
    disposeConfig(local, config);
    // background: open negotiations nobody touches, in the exact on-disk layout
    const background = new OpenTree(treeTeams(ctx.smoke), config.dataDir);
    background.grow(openOnDisk);
    const teams = await addTeams(config, 'p', pairs * 2);
    const total = counts.reduce((a, c) => a + c, 0);
    const perPair = Math.ceil(total / pairs);
    ctx.log(`agreement: opening ${fmt(perPair * pairs)} negotiations over ${pairs} pairs (${fmt(openOnDisk)} others open)`);
    const ids: string[][] = Array.from({ length: pairs }, () => []);
    await pool(
      Array.from({ length: perPair * pairs }, (_, k) => k),
      8,
      async (k) => {
        const p = k % pairs;
        ids[p].push((await openPeer(config, teams[2 * p].email, teams[2 * p + 1].email)).id);
      },
    );
    const gateway = startChild(local, 'server', 'agree-gateway');
    const worker = startChild(local, 'server', 'agree-worker');
    const clients = startChild(local, 'clients', 'agree-clients');
    const { url } = await gateway.call('startGateway', plain(config));
    try {
      await worker.call('startAgreementWorker', { config: plain(config) });
    } catch (e) {
      throw new WorkerStartError(String((e as Error).message).split('\n')[0]);
    }
    const opened = await clients.call(
      'agreeOpen',
      { url, pairs: ids.map((list, p) => ({ a: teams[2 * p].token, b: teams[2 * p + 1].token, ids: list })) },
      20 * 60_000,
    );
    ctx.log(
      `agreement: ${fmt(opened.ready)} negotiations agreed by one side in ${fmt(opened.ms / 1000)} s${opened.failures ? `, ${opened.failures} failed (${opened.errorSample})` : ''}`,
    );
    let open = openOnDisk;
    const run: Run = async (rate, count, profile = false) => {
      // start from a quiet queue (a running sweep finishes first, bounded)
      await waitAgreementQueueIdle(config, 120_000);
      if (profile) await worker.call('profileStart');
      // BENCH_AGREEMENT_PROFILE_GATEWAY=<rate>: the gateway's profile at that rate, in the log
      const profileGateway = process.env.BENCH_AGREEMENT_PROFILE_GATEWAY === String(rate);
      if (profileGateway) await gateway.call('profileStart');
      const sinceMs = Date.now();
      const cpuBefore = await Promise.all([gateway.call<NodeJS.CpuUsage>('cpuUsage'), worker.call<NodeJS.CpuUsage>('cpuUsage')]);
      // BENCH_AGREEMENT_SWEEP_AT_S: one sweep pass started that many seconds into the big tree's run (a diagnostic)
      const sweepAt = open > openOnDisk ? process.env.BENCH_AGREEMENT_SWEEP_AT_S : undefined;
      const kick = sweepAt && setTimeout(() => void worker.call('sweepNow', {}, 600_000).catch(() => undefined), Number(sweepAt) * 1000);
      const r = await clients.call('agreeRun', { rate, count, timeoutMs: UPDATE_TIMEOUT_S * 1000 }, count * (1000 / rate) + 120_000);
      if (kick) clearTimeout(kick);
      const cpuAfter = await Promise.all([gateway.call<NodeJS.CpuUsage>('cpuUsage'), worker.call<NodeJS.CpuUsage>('cpuUsage')]);
      const per = (i: number, kernelOnly = false) =>
        (cpuAfter[i].system - cpuBefore[i].system + (kernelOnly ? 0 : cpuAfter[i].user - cpuBefore[i].user)) / Math.max(r.updates, 1);
      const top = profile ? await worker.call<ProfileTop>('profileStop') : undefined;
      const gatewayTop = profileGateway ? await gateway.call<ProfileTop>('profileStop') : undefined;
      logSweepOverlap(ctx, r, await worker.call<SweepPass[]>('sweepPasses'));
      // an update that never came counts as slower than any that did
      const lat = summarize([...r.latencies, ...new Array<number>(r.missing).fill(Infinity)]);
      const spanS = Math.max(r.sendMs, r.lastUpdateMs) / 1000;
      const result: RunResult = {
        rate,
        count: r.sent,
        updates: r.updates,
        missing: r.missing,
        ackFailed: r.ackFailed,
        ackLate: r.ackLate,
        achieved: r.updates / Math.max(spanS, 1e-3),
        p50: lat.p50,
        p99: lat.p99,
        max: lat.max,
        statuses: r.statuses,
        errorSample: r.errorSample,
        profile: top,
        cpu: { gateway: per(0), gatewayKernel: per(0, true), worker: per(1), workerKernel: per(1, true) },
      };
      ctx.log(
        `agreement ${rate}/s (${fmt(open)} open): ${r.updates}/${r.sent} updates (${fmt(result.achieved)}/s), p50 ${late(lat.p50)}, p99 ${late(lat.p99)}, max ${late(lat.max)}; CPU per agreement: gateway ${fmt(result.cpu.gateway)} µs (${fmt(result.cpu.gatewayKernel)} kernel), worker ${fmt(result.cpu.worker)} µs (${fmt(result.cpu.workerKernel)} kernel)`,
      );
      if (process.env.BENCH_AGREEMENT_STAGES === '1') for (const line of await agreementStages(config, r.wall, sinceMs)) ctx.log(line);
      if (gatewayTop) ctx.log(profileTables(`gateway profile at ${rate}/s: ${fmt(gatewayTop.totalMs)} ms busy`, gatewayTop).join('\n'));
      return result;
    };
    await body(run, (size) => {
      const s = background.grow(size);
      open = size;
      return s;
    });
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch((e) => ctx.log(`cleanup: ${(e as Error).message}`));
  }
}
