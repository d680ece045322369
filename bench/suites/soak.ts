import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataPaths, hashPassword, MessageLog, NegotiationStore, TeamStore } from '@parley/store';
import { ScenarioCatalog } from '@parley/negotiation';
import { signToken } from '../../apps/gateway/src/auth/token';
import { Ctx, disposeConfig, startChild } from '../lib/context';
import { lineChartSvg } from '../lib/plot';
import { Section, table } from '../lib/report';
import type { Child } from '../lib/rpc';
import { addTeams, benchConfig, plain } from '../lib/setup';
import { fmt, ms, pool, sleep, summarize } from '../lib/stats';

/** The size of one soak: the documented run, the smoke run, or what SOAK_STUDENTS / SOAK_SECONDS ask for. */
function soakSize(smoke: boolean) {
  const students = Number(process.env.SOAK_STUDENTS ?? (smoke ? 20 : 1000));
  const seconds = Number(process.env.SOAK_SECONDS ?? (smoke ? 20 : 600));
  if (!(students >= 4 && students <= 5000 && seconds >= 5 && seconds <= 3600))
    throw new Error('SOAK_STUDENTS must be 4..5000 and SOAK_SECONDS 5..3600');
  // half the class practises with the AI, the other half plays in pairs (an even head count)
  const peers = 2 * Math.floor(students / 4);
  return {
    students,
    peers,
    solo: students - peers,
    durationMs: seconds * 1000,
    // human rates: a line every 10–30 s; the smoke run talks faster so 20 s holds a few exchanges
    minGapMs: smoke ? 1000 : 10_000,
    maxGapMs: smoke ? 3000 : 30_000,
    sampleMs: smoke ? 1000 : 5000,
  };
}

const TURNS_PER_PRACTICE = 20;
const PROCESSES = ['gateway', 'ai-worker', 'agreement-worker'] as const;

interface RssSample {
  t: number;
  rss: Record<string, number>;
}

/**
 * A class on one machine: an instructor's peer role-play session (students join by code, a round
 * pairs them; each pair chats, bargains through the offer events and agrees) and, beside it, students
 * practising alone with the AI, all at human rates, against the real gateway, ai-worker and
 * agreement-worker processes. Every acknowledged line is checked delivered and on disk, every
 * agreement settled; the servers' RSS is sampled throughout.
 */
export async function soakSuite(ctx: Ctx): Promise<Section> {
  const size = soakSize(ctx.smoke);
  // a class at human rates runs under the per-user limits people get ('' leaves a setting at its default); the
  // per-address connection limit stays lifted (every student here shares 127.0.0.1), and so do all limits in the
  // smoke run, which talks faster than people
  const asDeployed: Record<string, string> = ctx.smoke ? {} : { MESSAGES_PER_MINUTE: '', ACTIONS_PER_MINUTE: '' };
  const config = benchConfig({ AI_ENGINE: 'builtin', ...asDeployed });
  disposeConfig(ctx, config);

  const catalog = new ScenarioCatalog(config.dataDir);
  const scenario = await catalog.get('used-car');
  if (!scenario) throw new Error('the used-car scenario is missing');
  const issue = scenario.issues[0];
  const snap = (f: number) => Math.round((issue.min + f * (issue.max - issue.min)) / (issue.step ?? 1)) * (issue.step ?? 1);
  const prices = { open: snap(0.4), ask: snap(0.6), deal: snap(0.5) };

  const instructor = 'prof@bench.test';
  await new TeamStore(new DataPaths(config.dataDir)).create({
    email: instructor,
    name: 'Prof',
    role: 'instructor',
    password_hash: await hashPassword('password1'),
  });
  const profToken = signToken(config.jwtSecret, config.jwtTtlSeconds, { email: instructor, role: 'instructor', name: 'Prof' });
  const peerStudents = await addTeams(config, 'peer', size.peers);
  const soloStudents = await addTeams(config, 'solo', size.solo);

  const servers = Object.fromEntries(PROCESSES.map((p) => [p, startChild(ctx, 'server', `soak-${p}`)])) as Record<
    (typeof PROCESSES)[number],
    Child
  >;
  const { url } = await servers.gateway.call('startGateway', plain(config));
  await servers['ai-worker'].call('startAiWorker', { config: plain(config) });
  await servers['agreement-worker'].call('startAgreementWorker', { config: plain(config) });
  const peers = startChild(ctx, 'soak-clients', 'soak-peers');
  const solo = startChild(ctx, 'soak-clients', 'soak-solo');

  const instructorApi = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${profToken}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
    return json;
  };
  const session = await instructorApi('POST', '/api/sessions', {
    title: 'Class-sized soak',
    mode: 'peer',
    scenario_ids: [scenario.id],
    // the round outlasts the soak: every pair settles by agreement, none by the clock
    round_seconds: Math.ceil(size.durationMs / 1000) + 600,
    pairing: 'random',
  });
  const setupMs = 20 * 60_000;
  const [joined, practising] = await Promise.all([
    peers.call('peerJoin', { url, code: session.code, sessionId: session.id, students: peerStudents }, setupMs),
    solo.call('aiJoin', { url, scenarioId: scenario.id, students: soloStudents }, setupMs),
  ]);
  ctx.log(`soak: ${joined.joined} joined the session by code (${fmt(joined.ms / 1000)} s), ${practising.joined} opened AI practices`);
  const round = await instructorApi('POST', `/api/sessions/${session.id}/rounds`, {});
  const paired = await peers.call('peerPair', { timeoutMs: 60_000, buyerRole: scenario.student_role }, setupMs);
  ctx.log(
    `soak: round ${round.n} paired ${round.pairs.length}; ${paired.pairs} pairs ready, ${paired.missingRoundStarted} missed round-started`,
  );

  // RSS of each server process, sampled while the class runs (bounded in count)
  const samples: RssSample[] = [];
  let running = true;
  const t0 = performance.now();
  const sampler = (async () => {
    const most = Math.ceil(size.durationMs / size.sampleMs) + 200;
    while (running && samples.length < most) {
      const rss: Record<string, number> = {};
      for (const p of PROCESSES) rss[p] = (await servers[p].call<{ rss: number }>('memory', {}, 30_000)).rss / 2 ** 20;
      samples.push({ t: (performance.now() - t0) / 1000, rss });
      await sleep(size.sampleMs);
    }
  })();
  const pacing = { durationMs: size.durationMs, minGapMs: size.minGapMs, maxGapMs: size.maxGapMs };
  const runMs = size.durationMs + 5 * 60_000;
  ctx.log(`soak: ${size.students} students for ${fmt(size.durationMs / 1000)} s`);
  const [peer, ai] = await Promise.all([
    peers.call('peerRun', { ...pacing, prices, settleTimeoutMs: 60_000 }, runMs),
    solo.call('aiRun', { ...pacing, url, turnsPerPractice: TURNS_PER_PRACTICE, replyTimeoutMs: 30_000 }, runMs),
  ]).finally(() => (running = false));
  await sampler;

  // every acknowledged line on disk, every agreement an outcome
  const store = new NegotiationStore(new DataPaths(config.dataDir));
  const log = new MessageLog();
  const notOnDisk = async (lines: { email: string; negotiationId: string; cmids: string[] }[]) => {
    let missing = 0;
    await pool(lines, 8, async (l) => {
      const located = await store.locate(l.email, l.negotiationId);
      const saved = new Set(located ? (await log.readAll(located.dir)).map((m) => m.client_message_id) : []);
      missing += l.cmids.filter((c) => !saved.has(c)).length;
    });
    return missing;
  };
  const peerMissing = await notOnDisk(peer.lines);
  const aiMissing = await notOnDisk(ai.lines);
  let dealsOnDisk = 0;
  await pool(peer.negotiations as { email: string; negotiationId: string }[], 8, async (n) => {
    const located = await store.locate(n.email, n.negotiationId);
    const outcome = located ? await store.readOutcome(located.dir) : null;
    if (outcome?.status === 'completed' && outcome.deal_terms.agreed) dealsOnDisk++;
  });
  const aiDelivered = ai.deliverMs.length;
  const lost = peer.undelivered + peerMissing + (ai.acked - aiDelivered) + aiMissing;

  const svgName = 'soak-rss.svg';
  mkdirSync(ctx.reportDir, { recursive: true });
  writeFileSync(
    join(ctx.reportDir, svgName),
    lineChartSvg({
      title: `Server RSS: ${size.students} students for ${fmt(size.durationMs / 1000)} s`,
      xLabel: 'seconds into the soak',
      yLabel: 'RSS (MiB)',
      series: PROCESSES.map((p) => ({ name: p, points: samples.map((s) => [s.t, s.rss[p]] as [number, number]) })),
    }),
  );

  const peerLat = summarize(peer.deliverMs);
  const aiLat = summarize(ai.deliverMs);
  const reply = summarize(ai.replyMs);
  const settle = summarize(peer.settleMs);
  const rssAt = (p: string, which: 'first' | 'last' | 'max') =>
    which === 'max' ? Math.max(...samples.map((s) => s.rss[p])) : (which === 'first' ? samples[0] : samples.at(-1))?.rss[p];
  const rate = (peer.sent + ai.sent) / (size.durationMs / 1000);
  ctx.log(
    `soak: ${peer.sent + ai.sent} lines (${fmt(rate)}/s), peer deliver p50 ${ms(peerLat.p50)} p99 ${ms(peerLat.p99)}, AI reply p50 ${ms(reply.p50)} p99 ${ms(reply.p99)}, ${peer.settled}/${paired.pairs} settled, ${lost} lost`,
  );

  const body = [
    `${size.students} students on one machine for ${fmt(size.durationMs / 1000)} s: ${size.peers / 2} peer pairs in one class session and ${size.solo} AI practices,`,
    'against the real gateway, ai-worker (built-in engine, no typing delay) and agreement-worker, each in its own process,',
    'with the students in two client processes (peers, AI practices) — all on the same cores as Redis.',
    ctx.smoke
      ? 'Per-user limits lifted (the smoke run talks faster than people).'
      : `Per-user limits as deployed (MESSAGES_PER_MINUTE ${config.messagesPerMinute}, ACTIONS_PER_MINUTE ${config.actionsPerMinute}); only the per-address connection limit is lifted, since every student shares 127.0.0.1.`,
    '',
    `- **Peer role-play** (scenario \`${scenario.id}\`): an instructor creates a peer session; every student joins it by its code`,
    `  (\`POST /api/sessions/join\`), joins the session room and waits; the instructor starts a round, which pairs them and`,
    `  tells each student (\`round-started\`) their negotiation and role. Each student sends a line every ${fmt(size.minGapMs / 1000)}–${fmt(size.maxGapMs / 1000)} s`,
    `  (uniform, jittered start). At a random moment in the second half each pair stops talking and bargains through the offer`,
    `  events: the buyer proposes ${fmt(prices.open)}, the seller ${fmt(prices.ask)}, the buyer ${fmt(prices.deal)}, both agree. Send → deliver is the`,
    `  partner's \`message-received\`; agree → settled is the second \`agree-offer\` until both seats hear \`negotiation-update\` completed.`,
    `- **AI practice**: each student opens a practice (\`POST /api/negotiations\`), sends a line, waits for the AI's reply,`,
    `  thinks ${fmt(size.minGapMs / 1000)}–${fmt(size.maxGapMs / 1000)} s, sends the next; after ${TURNS_PER_PRACTICE} lines (or when the AI ends it) a new practice. Send → deliver is the`,
    `  student's own \`message-received\`; send → AI reply is the \`ai-message\` answering it.`,
    '- **Lost**: a line the server acknowledged that the other side never received (30 s grace after the run) or that is not in',
    "  the negotiation's message files afterwards; an agreement is settled when both seats heard it and `outcome.json` says completed.",
    '',
    table(
      ['', 'lines sent', 'acknowledged', 'refused', 'delivered', 'not on disk', 'send → deliver p50', 'p99', 'max'],
      [
        [
          `peer pairs (${paired.pairs})`,
          fmt(peer.sent),
          fmt(peer.acked),
          refused(peer.refused, peer.refusedSample),
          fmt(peer.delivered),
          String(peerMissing),
          ms(peerLat.p50),
          ms(peerLat.p99),
          ms(peerLat.max),
        ],
        [
          `AI practices (${size.solo})`,
          fmt(ai.sent),
          fmt(ai.acked),
          refused(ai.refused, ai.refusedSample),
          fmt(aiDelivered),
          String(aiMissing),
          ms(aiLat.p50),
          ms(aiLat.p99),
          ms(aiLat.max),
        ],
      ],
    ),
    '',
    table(
      ['what', 'count', 'p50', 'p99', 'max', 'not done'],
      [
        ['send → AI reply', fmt(reply.n), ms(reply.p50), ms(reply.p99), ms(reply.max), `${ai.replyTimeouts} without a reply in 30 s`],
        [
          'agreements: second agree → settled at both seats',
          `${fmt(peer.settled)} of ${fmt(paired.pairs)} (${dealsOnDisk} outcomes on disk)`,
          ms(settle.p50),
          ms(settle.p99),
          ms(settle.max),
          `${peer.unsettled} unsettled${peer.offerSample ? ` (${peer.offerSample.slice(0, 80)})` : ''}`,
        ],
        ['offer events (propose / agree)', fmt(peer.offers), '–', '–', '–', `${peer.offersRefused} refused`],
        [
          'AI practices opened',
          fmt(ai.practices),
          '–',
          '–',
          '–',
          `${ai.reopenErrors} failed${ai.errorSample ? ` (${ai.errorSample.slice(0, 80)})` : ''}`,
        ],
      ],
    ),
    '',
    `Lines offered: ${fmt(rate)}/s on average. **Lost: ${lost}.**`,
    '',
    `Server RSS over the run (sampled every ${fmt(size.sampleMs / 1000)} s, ${samples.length} samples): [${svgName}](${svgName})`,
    '',
    `![server RSS over the soak](${svgName})`,
    '',
    table(
      ['process', 'RSS at start', 'at end', 'max'],
      PROCESSES.map((p) => [p, mib(rssAt(p, 'first')), mib(rssAt(p, 'last')), mib(rssAt(p, 'max'))]),
    ),
  ].join('\n');
  return {
    id: 'soak',
    title: '7. Class-sized soak',
    body,
    headline: [
      {
        what: `soak: ${size.students} students, ${fmt(size.durationMs / 1000)} s — send → deliver p50 / p99 (peer; AI practice)`,
        parley: `${ms(peerLat.p50)} / ${ms(peerLat.p99)}; ${ms(aiLat.p50)} / ${ms(aiLat.p99)}`,
        baseline: '–',
        ratio: '–',
        target: '',
      },
      {
        what: 'soak: send → AI reply p50 / p99; agreements settled; lost',
        parley: `${ms(reply.p50)} / ${ms(reply.p99)}; ${peer.settled} of ${paired.pairs}; ${lost} lost`,
        baseline: '–',
        ratio: '–',
        target: `0 lost, all ${paired.pairs} settled`,
      },
      {
        what: 'soak: RSS start → end (gateway / ai-worker / agreement-worker)',
        parley: PROCESSES.map((p) => `${mib(rssAt(p, 'first'))} → ${mib(rssAt(p, 'last'))}`).join(' / '),
        baseline: '–',
        ratio: '–',
        target: '',
      },
    ],
  };
}

const mib = (x: number | undefined) => (x === undefined ? '–' : `${fmt(x)} MiB`);
const refused = (n: number, sample: string) => (n ? `${n} (${sample.slice(0, 80)})` : '0');
