import { performance } from 'node:perf_hooks';
import { Ctx, disposeConfig, startChild } from '../lib/context';
import { Section, table } from '../lib/report';
import type { Child } from '../lib/rpc';
import { addTeams, BenchConfig, benchConfig, openPeer, plain } from '../lib/setup';
import { PROFILE_NOTE, profileTables, ProfileTop } from '../lib/profile';
import { fmt, ms, ratio, summarize } from '../lib/stats';
import { postgresForBench } from '../lib/postgres';

type Target = 'parley' | 'parley-baseline' | 'bare' | 'bare+redis' | 'postgres';

interface StepResult {
  offered: number;
  achieved: number;
  skippedPct: number;
  ackFailed: number;
  p50: number;
  p99: number;
  ackP50: number;
  cpuUsPerMsg: number;
  sysUsPerMsg: number;
  errorSample: string;
}

interface TargetResult {
  target: Target;
  steps: StepResult[];
  best: number;
  connectMs: number;
}

/**
 * A/B: BENCH_CHAT_BASELINE=<another checkout>/dist-bench/bench (built there with
 * `tsc -p bench/tsconfig.json && tsc-alias -p bench/tsconfig.json`) adds that build's gateway as one
 * more server in the same run, named BENCH_CHAT_BASELINE_LABEL.
 */
const BASELINE_BUILD = process.env.BENCH_CHAT_BASELINE;

const LABEL: Record<Target, string> = {
  parley: 'Parley gateway',
  'parley-baseline': `Parley gateway built from ${process.env.BENCH_CHAT_BASELINE_LABEL ?? BASELINE_BUILD} (A/B baseline)`,
  bare: 'bare Socket.io (baseline)',
  'bare+redis': 'bare Socket.io + Redis adapter',
  postgres: 'peer: Socket.io + PostgreSQL INSERT (synchronous_commit on)',
};

const isParley = (t: Target) => t === 'parley' || t === 'parley-baseline';

/**
 * N rooms × 2 clients; offered rate doubles step by step until the server saturates. Delivered =
 * messages that reached the other party within the step (for Parley: validated, rate-limited, saved
 * with fdatasync, acknowledged, broadcast through the Redis adapter).
 */
export async function chatSuite(ctx: Ctx): Promise<Section> {
  // BENCH_CHAT_ROOMS: a smaller class for a quick A/B on a loaded machine (the report says how many)
  const roomCount = ctx.smoke ? 5 : Number(process.env.BENCH_CHAT_ROOMS ?? 500);
  const clientProcs = ctx.smoke ? 1 : 2;
  const stepMs = ctx.smoke ? 1000 : 4000;
  const firstRate = ctx.smoke ? 100 : 250;
  const maxSteps = ctx.smoke ? 1 : 8;
  // smoke: only Parley and the bare baseline; full: also the bare server with Parley's Redis adapter
  const targets: Target[] = ctx.smoke ? ['bare', 'parley'] : ['bare', 'bare+redis', 'parley'];
  const pg = await postgresForBench(ctx.smoke, ctx.log);
  if ('url' in pg) targets.splice(targets.indexOf('parley'), 0, 'postgres');
  else ctx.log(`chat: PostgreSQL peer skipped: ${pg.skipped}`);
  if (BASELINE_BUILD) targets.splice(targets.indexOf('parley'), 0, 'parley-baseline');
  const maxInFlight = 4;

  const results: TargetResult[] = targets.map((target) => ({ target, steps: [], best: 0, connectMs: 0 }));
  let breakdown: Record<string, ReturnType<typeof summarize>> | null;
  let profile: { rate: number; achieved: number; top: ProfileTop } | null = null;
  const cleanups: (() => Promise<void>)[] = [];
  const local: Ctx = { ...ctx, onCleanup: (fn) => cleanups.push(async () => void (await fn())) };
  try {
    // every server up at once, the same client processes connected to each: the steps then alternate
    // between servers, so a noisy moment on the machine hits them alike
    const clients: Child[] = Array.from({ length: clientProcs }, (_, i) => startChild(local, 'clients', `chat-clients-${i}`));
    const servers = new Map<Target, Child>();
    let parleyConfig: BenchConfig | null = null;
    let firstRoom: { user: string; id: string } | null = null;
    for (const r of results) {
      const config = benchConfig();
      disposeConfig(local, config);
      // the bare server checks nothing: its clients need no real users
      const teams = isParley(r.target)
        ? await addTeams(config, 'u', roomCount * 2)
        : Array.from({ length: roomCount * 2 }, (_, i) => ({ email: `u${String(i).padStart(5, '0')}@bench.test`, token: 'none' }));
      const rooms: { id: string; a: string; b: string }[] = [];
      for (let i = 0; i < roomCount; i++) {
        const [a, b] = [teams[2 * i], teams[2 * i + 1]];
        const id = isParley(r.target)
          ? (await openPeer(config, a.email, b.email)).id
          : `${a.email.split('@')[0]}_${b.email.split('@')[0]}_C_1700000000`;
        rooms.push({ id, a: a.token, b: b.token });
      }
      const server = startChild(local, 'server', `chat-${r.target}`, [], r.target === 'parley-baseline' ? BASELINE_BUILD : undefined);
      servers.set(r.target, server);
      const { url } = isParley(r.target)
        ? await server.call('startGateway', plain(config))
        : r.target === 'postgres' && 'url' in pg
          ? await server.call('startPostgresPeer', {
              pgUrl: pg.url,
              table: `bench_chat_${config.redisPrefix.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`,
            })
          : await server.call('startBare', r.target === 'bare+redis' ? { redisUrl: config.redisUrl, redisPrefix: config.redisPrefix } : {});
      if (r.target === 'parley') {
        parleyConfig = config;
        firstRoom = { user: teams[0].email, id: rooms[0].id };
      }
      const t0 = performance.now();
      await Promise.all(
        clients.map((c, i) => c.call('chatOpen', { set: r.target, url, rooms: rooms.filter((_, k) => k % clientProcs === i) }, 300_000)),
      );
      r.connectMs = performance.now() - t0;
      ctx.log(`chat ${r.target}: ${roomCount} rooms joined in ${fmt(r.connectMs / 1000)} s`);
    }

    const stepOn = async (target: Target, rate: number) =>
      Promise.all(
        clients.map((c) =>
          c.call('chatStep', { set: target, rate: rate / clientProcs, durationMs: stepMs, maxInFlight, drainMs: 5000 }, stepMs + 60_000),
        ),
      );
    const saturated = new Map<Target, number>(targets.map((t) => [t, 0]));
    for (let s = 0, rate = firstRate; s < maxSteps; s++, rate *= 2) {
      const active = results.filter((r) => saturated.get(r.target)! < 2);
      if (active.length === 0) break;
      for (const r of active) {
        const server = servers.get(r.target)!;
        const cpu0 = await server.call<NodeJS.CpuUsage>('cpu');
        const parts = await stepOn(r.target, rate);
        const cpu1 = await server.call<NodeJS.CpuUsage>('cpu');
        const sum = (k: string) => parts.reduce((a, p) => a + p[k], 0);
        const lat = summarize(parts.flatMap((p) => p.latencies));
        const ack = summarize(parts.flatMap((p) => p.ackLatencies));
        const acked = sum('acked');
        const step: StepResult = {
          offered: rate,
          achieved: sum('deliveredInWindow') / (stepMs / 1000),
          skippedPct: (100 * sum('skipped')) / Math.max(1, sum('offered')),
          ackFailed: sum('ackFailed'),
          p50: lat.p50,
          p99: lat.p99,
          ackP50: ack.p50,
          cpuUsPerMsg: acked > 0 ? (cpu1.user + cpu1.system - (cpu0.user + cpu0.system)) / acked : NaN,
          sysUsPerMsg: acked > 0 ? (cpu1.system - cpu0.system) / acked : NaN,
          errorSample: parts.map((p) => p.errorSample).find(Boolean) ?? '',
        };
        r.steps.push(step);
        r.best = Math.max(r.best, step.achieved);
        ctx.log(
          `chat ${r.target}: offered ${rate}/s → ${fmt(step.achieved)}/s, p50 ${ms(step.p50)}, p99 ${ms(step.p99)}, skipped ${fmt(step.skippedPct)}%${step.ackFailed ? `, ${step.ackFailed} failed acks (${step.errorSample})` : ''}`,
        );
        saturated.set(r.target, step.achieved < 0.8 * rate ? saturated.get(r.target)! + 1 : 0);
      }
    }

    const parleyServer = servers.get('parley')!;
    const parleyResult = results.find((r) => r.target === 'parley')!;
    if (!ctx.smoke) {
      // one more step, not counted above, at 70 % of Parley's saturated rate with the V8 profiler on
      const rate = Math.round((0.7 * parleyResult.best) / 10) * 10;
      await parleyServer.call('profileStart');
      const parts = await stepOn('parley', rate);
      const top = await parleyServer.call<ProfileTop>('profileStop');
      profile = { rate, achieved: parts.reduce((a, p) => a + p.deliveredInWindow, 0) / (stepMs / 1000), top };
    }
    breakdown = await parleyServer.call('chatBreakdown', {
      config: plain(parleyConfig!),
      user: firstRoom!.user,
      negotiationId: firstRoom!.id,
      count: ctx.smoke ? 50 : 1000,
    });
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch((e) => ctx.log(`cleanup: ${(e as Error).message}`));
  }

  const get = (t: Target) => results.find((r) => r.target === t)!;
  const parley = get('parley');
  const bare = get('bare');
  // latency at a load both handle: the highest step Parley delivered at ≥ 95 % of the offered rate
  const comfortable = [...parley.steps].reverse().find((s) => s.achieved >= 0.95 * s.offered) ?? parley.steps[0];
  const bareSame = bare.steps.find((s) => s.offered === comfortable.offered);
  const adapter = results.find((r) => r.target === 'bare+redis');
  const adapterSame = adapter?.steps.find((s) => s.offered === comfortable.offered);
  const peer = results.find((r) => r.target === 'postgres');
  const baseline = results.find((r) => r.target === 'parley-baseline');
  const body = [
    `${roomCount} rooms × 2 clients (${roomCount * 2} users, ${roomCount * 2} websocket connections per server) in ${clientProcs} client process${clientProcs > 1 ? 'es' : ''};`,
    `each server in its own process. All servers run at once and the steps alternate between them (bare, then the others, at`,
    `each rate), so load from anything else on the machine falls on all of them alike; an idle server costs nothing. Each step offers a fixed total rate for ${stepMs / 1000} s (open loop, senders alternate`,
    `within a room, at most ${maxInFlight} unacknowledged messages per room — a room at its limit skips its turn), doubling`,
    'until the delivered rate stays under 80 % of the offered rate twice. *Delivered* counts messages that reached the other',
    'party inside the step; latency is `send-message` emit → `message-received` at the other party (one clock: both clients',
    'share a process). Every message carries a `client_message_id`, as the web client sends. MESSAGES_PER_MINUTE and',
    "ACTIONS_PER_MINUTE are set to 10⁹ so the per-user limits (still checked in Redis) never refuse. Server CPU per message = the server process's CPU time (all its threads, user +",
    'kernel; kernel time is file-system and socket syscalls) / acknowledged messages.',
    '',
    'url' in pg
      ? `The peer baseline is the design seed 004 suggests: the same Socket.io events, each message INSERTed into PostgreSQL ${pg.version} on 127.0.0.1 (\`synchronous_commit\` on, so the commit waits for the WAL flush; one statement per message takes the room's next sequence number and the row, the client message id unique per room) before it is broadcast and acknowledged; a pool of 16 connections; no auth or limits. PostgreSQL's own processes are outside the server's CPU figure.`
      : `PostgreSQL peer baseline not measured: ${pg.skipped}.`,
    '',
    ...results.flatMap((r) => [
      `**${LABEL[r.target]}** (rooms joined in ${fmt(r.connectMs / 1000)} s)`,
      '',
      table(
        ['offered msg/s', 'delivered msg/s', 'p50', 'p99', 'ack p50', 'skipped', 'failed acks', 'server CPU / msg (of it kernel)'],
        r.steps.map((s) => [
          fmt(s.offered),
          fmt(s.achieved),
          ms(s.p50),
          ms(s.p99),
          ms(s.ackP50),
          `${fmt(s.skippedPct)} %`,
          String(s.ackFailed),
          `${fmt(s.cpuUsPerMsg)} µs (${fmt(s.sysUsPerMsg)} µs)`,
        ]),
      ),
      '',
    ]),
    table(
      ['server', 'saturated delivered msg/s', 'vs bare'],
      results.map((r) => [LABEL[r.target], fmt(r.best), ratio(r.best, bare.best)]),
    ),
    '',
    ...(baseline ? abTable(parley, baseline, adapter) : []),
    ...(profile
      ? profileTables(
          `Profile of the Parley gateway's main thread during an extra ${stepMs / 1000} s step at ${fmt(profile.rate)} msg/s offered (${fmt(profile.achieved)} delivered; V8 sampling profiler, 0.5 ms interval, idle left out: ${fmt(profile.top.totalMs)} ms busy in the step). ${PROFILE_NOTE}`,
          profile.top,
        )
      : []),
    ...(breakdown
      ? [
          "Where one message's time goes in Parley: the gateway's steps for a `send-message` once the negotiation is known",
          '(the gateway remembers it from the last event), replayed with the same calls one after another on one negotiation,',
          `${ctx.smoke ? 50 : 1000} times, against the same Redis and disk (bench/children/server.ts \`chatBreakdown\`; no concurrency — a cost`,
          'breakdown, not a throughput; the gateway sends the admissions of one tick in one pipelined write). Not in it: validation, the socket.io broadcast and its Redis publish, the ack.',
          '',
          table(
            ['step', 'p50', 'p99', 'mean'],
            Object.entries(breakdown).map(([k, v]) => [k, ms(v.p50), ms(v.p99), ms(v.mean)]),
          ),
          '',
        ]
      : []),
  ].join('\n');
  return {
    id: 'chat',
    title: '1. Chat fan-out',
    body,
    headline: [
      {
        what: `chat: saturated delivered msg/s (${roomCount} rooms × 2)`,
        parley: fmt(parley.best),
        baseline: `${fmt(bare.best)} (bare Socket.io)`,
        ratio: ratio(parley.best, bare.best),
        target: '≥ 0.5×',
      },
      {
        what: `chat: send → receive p50 / p99 at ${fmt(comfortable.offered)} msg/s`,
        parley: `${ms(comfortable.p50)} / ${ms(comfortable.p99)}`,
        baseline: bareSame ? `${ms(bareSame.p50)} / ${ms(bareSame.p99)}` : '–',
        ratio: bareSame ? `${ratio(comfortable.p50, bareSame.p50)} / ${ratio(comfortable.p99, bareSame.p99)}` : '–',
        target: '',
      },
      ...(adapter
        ? [
            {
              what: 'chat: saturated delivered msg/s vs bare Socket.io + Redis adapter',
              parley: fmt(parley.best),
              baseline: `${fmt(adapter.best)} (bare + adapter)`,
              ratio: ratio(parley.best, adapter.best),
              target: '≥ 1×',
            },
            {
              what: `chat: server CPU per message at ${fmt(comfortable.offered)} msg/s`,
              parley: `${fmt(comfortable.cpuUsPerMsg)} µs`,
              baseline: adapterSame ? `${fmt(adapterSame.cpuUsPerMsg)} µs (bare + adapter)` : '–',
              ratio: adapterSame ? ratio(comfortable.cpuUsPerMsg, adapterSame.cpuUsPerMsg) : '–',
              target: '≤ 2×',
            },
          ]
        : []),
      ...(peer
        ? [
            {
              what: 'chat: saturated delivered msg/s vs the PostgreSQL peer',
              parley: fmt(parley.best),
              baseline: `${fmt(peer.best)} (Socket.io + PostgreSQL INSERT)`,
              ratio: ratio(parley.best, peer.best),
              target: '> 1×',
            },
          ]
        : [
            {
              what: 'chat: saturated delivered msg/s vs the PostgreSQL peer',
              parley: fmt(parley.best),
              baseline: `not measured: ${'skipped' in pg ? pg.skipped : '?'}`,
              ratio: '–',
              target: '> 1×',
            },
          ]),
    ],
  };
}

/** This build against the A/B baseline build, step by step: CPU per acknowledged line (delivered msg/s). */
function abTable(parley: TargetResult, baseline: TargetResult, adapter: TargetResult | undefined): string[] {
  const cell = (s: StepResult | undefined) => (s ? `${fmt(s.cpuUsPerMsg)} µs (${fmt(s.achieved)}/s)` : '–');
  return [
    `A/B in this run: server CPU per acknowledged line (delivered msg/s) at each offered rate; saturated ${fmt(baseline.best)} → ${fmt(parley.best)} msg/s (${ratio(parley.best, baseline.best)}).`,
    '',
    table(
      [
        'offered msg/s',
        'bare + adapter',
        LABEL['parley-baseline'],
        'this build',
        'this build vs baseline (CPU)',
        'this build vs bare + adapter (CPU)',
      ],
      parley.steps.map((s) => {
        const b = baseline.steps.find((x) => x.offered === s.offered);
        const a = adapter?.steps.find((x) => x.offered === s.offered);
        return [
          fmt(s.offered),
          cell(a),
          cell(b),
          cell(s),
          b ? ratio(s.cpuUsPerMsg, b.cpuUsPerMsg) : '–',
          a ? ratio(s.cpuUsPerMsg, a.cpuUsPerMsg) : '–',
        ];
      }),
    ),
    '',
  ];
}
