import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import 'reflect-metadata';
import { loadConfig } from '@parley/config';
import { BuiltinKind, builtinDesign } from '@parley/negotiation';
import { createGateway } from '../apps/gateway/src/gateway';
import { addBots, addInstructor, conservationRun, startWorker, workerEnv, ziRound } from './lib/market-bots';
import { dropRedisPrefix } from './lib/context';

/**
 * The market bench: (1) budget-constrained ZI bots trading through Parley's real bilateral orders
 * (gateway + two agreement workers) beside the same bots in a simulated double auction of the same
 * design; (2) cash and goods conserved over N bot trades across two agreement workers, one killed with
 * SIGKILL half way. `--smoke` for tiny sizes (writes dist-bench/MARKET.smoke.md); the full run splices
 * its figures into docs/MARKET.md between the market-bench markers.
 *
 *   node dist-bench/bench/market.js [--smoke] [--only zi|conservation] [--trades N] [--teams N] [--ticks N] [--minutes M]
 */
const ROOT = resolve(__dirname, '..', '..');
const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const smoke = argv.includes('--smoke');
/** `--only zi` or `--only conservation`: one part (the other's figures are then not rewritten). */
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : 'all';
const sizes = {
  teams: flag('--teams', smoke ? 6 : 10),
  ticks: flag('--ticks', smoke ? 120 : 1000),
  trades: flag('--trades', smoke ? 150 : 10_000),
  bots: smoke ? 10 : 30,
};

async function main(): Promise<void> {
  const started = Date.now();
  const log = (m: string) => console.log(`[market bench ${((Date.now() - started) / 1000).toFixed(1)} s] ${m}`);
  const dataDir = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'parley-market-bench-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `mb${randomBytes(4).toString('hex')}`,
    DATA_DIR: dataDir,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    ACTIONS_PER_MINUTE: '1000000',
    MESSAGES_PER_MINUTE: '1000000',
    MAX_OPEN_NEGOTIATIONS_PER_TEAM: '1000',
  });
  const gw = await createGateway(config);
  const script = [join(__dirname, 'children', 'agreement-worker.js')];
  const env = { ...workerEnv(config), ACTIONS_PER_MINUTE: '1000000' };
  const workers = [await startWorker(script, env), await startWorker(script, env)];
  const lines: string[] = [];
  try {
    const instructor = await addInstructor(config, gw.url, 'prof@bots.test');
    const bots = await addBots(config, gw.url, 'zi', sizes.teams);
    log(`gateway ${gw.url}, 2 agreement workers (pids ${workers.map((w) => w.pid).join(', ')}), ${sizes.teams} ZI teams`);
    if (only !== 'conservation') {
      lines.push(
        `ZI-C bots, ${sizes.teams} teams, chemicals C and N (3 steps of 100 units per trader, lots of 100), ${sizes.ticks} actions per round through Parley:`,
        '',
        '| design | Parley bilateral (HTTP + sockets) efficiency | trades | simulated double auction efficiency | trades | refused at the act | time |',
        '|---|---|---|---|---|---|---|',
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
          timeLimitMs: 20 * 60_000,
        });
        const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
        const refused =
          Object.entries(r.refused)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || 'none';
        lines.push(
          `| ${kind} | ${pct(r.parley_efficiency)} | ${r.parley_trades} | ${pct(r.double_auction_efficiency)} | ${r.double_auction_trades} | ${refused} | ${r.elapsed_s.toFixed(0)} s |`,
        );
        log(`${kind}: Parley ${pct(r.parley_efficiency)} (${r.parley_trades} trades), double auction ${pct(r.double_auction_efficiency)}`);
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
        timeLimitMs: flag('--minutes', 60) * 60_000,
      });
      const cashDiff = c.after.cash_cents - c.before.cash_cents;
      const goodsDiff = Object.fromEntries(Object.entries(c.after.goods).map(([k, v]) => [k, v - c.before.goods[k as 'C']]));
      lines.push(
        '',
        `Conservation: ${c.trades} bot trades agreed (${c.attempts} attempts; refused: ${JSON.stringify(c.refused)}) by ${sizes.bots} teams on the free board, 80 % accepted as posted and 20 % proposed and agreed over sockets, across two agreement workers; worker 1 killed with SIGKILL after trade ${c.killed_at_trade}. Settled pairs of transaction files: ${c.transactions}. Σ cash over teams before ${(c.before.cash_cents / 100).toFixed(2)}, after ${(c.after.cash_cents / 100).toFixed(2)} (difference ${cashDiff} cents); Σ goods difference ${JSON.stringify(goodsDiff)}. ${c.elapsed_s.toFixed(0)} s (${(c.trades / c.elapsed_s).toFixed(1)} trades/s).`,
      );
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
  const stamp = `Run ${new Date().toISOString().slice(0, 16)} UTC${smoke ? ' (smoke sizes)' : ''}, \`node dist-bench/bench/market.js${argv.length ? ' ' + argv.join(' ') : ''}\`:`;
  const block = [stamp, '', ...lines].join('\n');
  console.log('\n' + block);
  if (smoke) {
    const out = join(ROOT, 'dist-bench', 'MARKET.smoke.md');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, block + '\n');
    return;
  }
  // each part has its own block, so a run of one part keeps the other's figures
  const doc = join(ROOT, 'docs', 'MARKET.md');
  const text = readFileSync(doc, 'utf8');
  const part = only === 'all' ? '' : `:${only}`;
  const [start, end] = [`<!-- market-bench${part}:start -->`, `<!-- market-bench${part}:end -->`];
  if (!text.includes(start)) throw new Error(`${doc} has no ${start} marker`);
  writeFileSync(doc, text.slice(0, text.indexOf(start) + start.length) + '\n' + block + '\n' + text.slice(text.indexOf(end)));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
