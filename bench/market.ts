import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import 'reflect-metadata';
import { loadConfig } from '@parley/config';
import { BuiltinKind, builtinDesign } from '@parley/negotiation';
import { createGateway } from '../apps/gateway/src/gateway';
import { addBots, addInstructor, conservationRun, startWorker, workerEnv, ziRound } from './lib/market-bots';
import { dropRedisPrefix } from './lib/context';
import { ziSection } from './lib/market-report';

/**
 * The market bench: (1) budget-constrained ZI bots trading through Parley's real bilateral orders
 * (gateway + two agreement workers) beside the same bots in a simulated double auction of the same
 * design; (2) cash and goods conserved over N bot trades across two agreement workers, one killed with
 * SIGKILL half way. `--smoke` for tiny sizes (writes dist-bench/MARKET.smoke.md), `--out FILE` to write
 * the figures there; otherwise each part writes its figures, with the date, the load average and the
 * command, into its block of docs/MARKET.md (between the market-bench:<part> markers).
 *
 *   node dist-bench/bench/market.js [--smoke] [--only zi|conservation] [--out FILE] [--trades N] [--minutes M]
 *                                   [--teams N] [--ticks N] [--da-rounds N]
 * BENCH_LOG_LEVEL=warn keeps the gateway's and the workers' logs; BENCH_WORKER_ARGS passes node flags
 * to the worker processes (`--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
const ROOT = resolve(__dirname, '..', '..');
const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const smoke = argv.includes('--smoke');
/** `--only zi` or `--only conservation`: one part (the other's block of docs/MARKET.md is then left as it is). */
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : 'all';
/** BENCH_LOG_LEVEL=warn (or error, info) keeps the gateway's and the workers' logs of a run. */
const logLevel = (process.env.BENCH_LOG_LEVEL ?? 'silent') as 'silent';
const sizes = {
  teams: flag('--teams', smoke ? 6 : 10),
  ticks: flag('--ticks', smoke ? 120 : 1000),
  trades: flag('--trades', smoke ? 150 : 10_000),
  bots: smoke ? 10 : 30,
  daRounds: flag('--da-rounds', smoke ? 3 : 10),
};

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg();
  const log = (m: string) => console.log(`[market bench ${((Date.now() - started) / 1000).toFixed(1)} s] ${m}`);
  const dataDir = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'parley-market-bench-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `mb${randomBytes(4).toString('hex')}`,
    DATA_DIR: dataDir,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
    LOG_LEVEL: logLevel,
    NODE_ENV: 'test',
    ACTIONS_PER_MINUTE: '1000000',
    MESSAGES_PER_MINUTE: '1000000',
    MAX_OPEN_NEGOTIATIONS_PER_TEAM: '1000',
  });
  const gw = await createGateway(config);
  const script = [...(process.env.BENCH_WORKER_ARGS?.split(' ') ?? []), join(__dirname, 'children', 'agreement-worker.js')];
  const env = { ...workerEnv(config), LOG_LEVEL: logLevel, ACTIONS_PER_MINUTE: '1000000' };
  const workers = [await startWorker(script, env), await startWorker(script, env)];
  /** each part's figures, written into its own block of docs/MARKET.md */
  const parts: { zi?: string[]; conservation?: string[] } = {};
  try {
    const instructor = await addInstructor(config, gw.url, 'prof@bots.test');
    const bots = await addBots(config, gw.url, 'zi', sizes.teams);
    log(`gateway ${gw.url}, 2 agreement workers (pids ${workers.map((w) => w.pid).join(', ')}), ${sizes.teams} ZI teams`);
    if (only !== 'conservation') {
      const lines = (parts.zi = [] as string[]);
      lines.push(
        `ZI-C bots (Gode & Sunder 1993), ${sizes.teams} teams, chemicals C and N (3 steps of 100 units per trader, lots of 100). ` +
          `Through Parley: one round of ${sizes.ticks} actions by bots over HTTP and sockets (post, accept as posted, or respond and propose), ` +
          `settled by two agreement workers, figures from Parley's analytics endpoint. Double auction (DA): the same design and traders in the ` +
          `plain simulated double auction, ${sizes.daRounds} rounds of 20 actions per lot (mean efficiency over the rounds; volume and mean price over all of them). ` +
          `Volume in units; prices against the equilibrium band.`,
        '',
      );
      const kinds: BuiltinKind[] = ['symmetric', 'asymmetric'];
      for (const [i, kind] of kinds.entries()) {
        const design = { ...builtinDesign({ kind, teams: sizes.teams, seed: `bench-${i}`, chemicals: ['C', 'N'] }), id: `zi-${kind}` };
        const r = await ziRound({
          url: gw.url,
          instructor,
          bots,
          design,
          seed: `bench-${kind}`,
          ticks: sizes.ticks,
          daRounds: sizes.daRounds,
          timeLimitMs: 20 * 60_000,
        });
        lines.push(...ziSection(kind, r));
        log(`${kind}: Parley ${r.parley.efficiency} (${r.parley.trade_count} trades), double auction ${r.double_auction.efficiency}`);
      }
    }
    if (only !== 'zi') {
      const traders = await addBots(config, gw.url, 'free', sizes.bots, {
        cash: 1_000_000,
        C: 100_000,
        N: 100_000,
        D: 100_000,
        Q: 100_000,
      });
      log(`conservation: ${sizes.trades} trades by ${sizes.bots} teams, one worker killed half way`);
      const minutes = flag('--minutes', 60);
      const c = await conservationRun({
        url: gw.url,
        config,
        bots: traders,
        trades: sizes.trades,
        seed: 'conservation',
        kill: () => {
          log(`SIGKILL agreement worker ${workers[0].pid}`);
          workers[0].kill('SIGKILL');
        },
        timeLimitMs: minutes * 60_000,
        progress: log,
      });
      const cashDiff = c.after.cash_cents - c.before.cash_cents;
      const goodsDiff = Object.fromEntries(Object.entries(c.after.goods).map(([k, v]) => [k, v - c.before.goods[k as 'C']]));
      const exact = c.transactions === c.trades;
      parts.conservation = [
        `Conservation: ${c.trades} bot trades agreed by ${sizes.bots} teams on the free board (target ${sizes.trades}, time limit ${minutes} min, ` +
          `${c.attempts} attempts; refused at the act: ${JSON.stringify(c.refused)}), 80 % accepted as posted and 20 % proposed and agreed over sockets, ` +
          `4 at a time, across two agreement-worker processes; worker 1 killed with SIGKILL when ${c.killed_at_trade} trades were agreed, not restarted. ` +
          `Settled pairs of transaction files: ${c.transactions}. Σ cash over teams before ${(c.before.cash_cents / 100).toFixed(2)}, ` +
          `after ${(c.after.cash_cents / 100).toFixed(2)} (difference ${cashDiff} cents); Σ goods difference ${JSON.stringify(goodsDiff)}. ` +
          `${c.elapsed_s.toFixed(0)} s (${(c.trades / c.elapsed_s).toFixed(1)} trades/s).`,
        '',
        exact
          ? 'Every agreed trade became exactly one pair of transaction files.'
          : `${c.transactions - c.trades} more settled pairs than agreements counted: an agreement whose answer was lost (NO_ACK, NO_ANSWER) can still settle.`,
      ];
      log(
        `conservation: ${c.trades} trades, ${c.transactions} settled, cash diff ${cashDiff} cents, goods diff ${JSON.stringify(goodsDiff)}`,
      );
      traders.forEach((b) => b.socket.close());
    }
    bots.forEach((b) => b.socket.close());
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGTERM');
    await gw.close();
    await dropRedisPrefix(config.redisUrl, config.redisPrefix).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const stamp =
    `Written by \`bench/market.ts\` (do not edit by hand). Run ${new Date().toISOString().slice(0, 16)} UTC${smoke ? ' (smoke sizes)' : ''}, ` +
    `\`node dist-bench/bench/market.js${argv.length ? ' ' + argv.join(' ') : ''}\` (after \`npx tsc -p bench/tsconfig.json && npx tsc-alias -p bench/tsconfig.json\`), ` +
    `${((Date.now() - started) / 1000).toFixed(0)} s; load average (1 / 5 / 15 min) ${load(loadAtStart)} at the start, ${load(loadavg())} at the end, on ${cpus().length} cores shared with other work:`;
  const outArg = argv.includes('--out') ? resolve(argv[argv.indexOf('--out') + 1]) : null;
  const blocks = Object.entries(parts).map(([name, lines]) => ({ name, text: [stamp, '', ...lines].join('\n') }));
  console.log('\n' + blocks.map((b) => b.text).join('\n\n'));
  if (smoke || outArg) {
    const out = outArg ?? join(ROOT, 'dist-bench', 'MARKET.smoke.md');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, blocks.map((b) => b.text).join('\n\n') + '\n');
    return;
  }
  // each part has its own block, so a run of one part keeps the other's figures
  const doc = join(ROOT, 'docs', 'MARKET.md');
  let text = readFileSync(doc, 'utf8');
  for (const { name, text: block } of blocks) {
    const [start, end] = [`<!-- market-bench:${name}:start -->`, `<!-- market-bench:${name}:end -->`];
    if (!text.includes(start) || !text.includes(end)) throw new Error(`${doc} has no ${start} … ${end} markers`);
    text = text.slice(0, text.indexOf(start) + start.length) + '\n' + block + '\n' + text.slice(text.indexOf(end));
  }
  writeFileSync(doc, text);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
