import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import IORedis from 'ioredis';
import { ensureLocalRedis, redisAnswers } from '@parley/queues';
import { Ctx, dropRedisPrefix } from './lib/context';
import { machine } from './lib/machine';
import { notMeasured, Section, writeReport } from './lib/report';
import { OpenTree, treeTeams, usedPrefixes } from './lib/setup';
import { fmt } from './lib/stats';
import { agreementSuite } from './suites/agreement';
import { aiSuite } from './suites/ai';
import { chatSuite } from './suites/chat';
import { connectionsSuite } from './suites/connections';
import { floorsSuite } from './suites/floors';
import { soakSuite } from './suites/soak';
import { sweepSuite, SweepPoint } from './suites/sweep';

/**
 * `npm run bench` (full sizes, writes docs/BENCHMARKS.md) and `npm run bench:smoke` (tiny sizes, no
 * thresholds, writes dist-bench/BENCHMARKS.smoke.md). Options: `--only chat,sweep,...`, `--out FILE`.
 */
const SUITES = ['floors', 'chat', 'sweep', 'agreement', 'ai', 'connections', 'soak'] as const;
type SuiteId = (typeof SUITES)[number];

const ROOT = resolve(__dirname, '..', '..');

function parseArgs(argv: string[]) {
  const smoke = argv.includes('--smoke');
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = value('--only')
    ?.split(',')
    .map((s) => s.trim()) ?? [...SUITES];
  const unknown = only.filter((s) => !(SUITES as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown suite(s) ${unknown.join(', ')}; choose from ${SUITES.join(', ')}`);
  const out = value('--out') ?? (smoke ? join(ROOT, 'dist-bench', 'BENCHMARKS.smoke.md') : join(ROOT, 'docs', 'BENCHMARKS.md'));
  return { smoke, only: only as SuiteId[], out: resolve(out) };
}

async function redisUrl(): Promise<string> {
  if (process.env.REDIS_URL) {
    if (!(await redisAnswers(process.env.REDIS_URL))) throw new Error(`REDIS_URL ${process.env.REDIS_URL} does not answer`);
    return process.env.REDIS_URL;
  }
  const local = 'redis://127.0.0.1:6379';
  if (await redisAnswers(local)) return local;
  const { url } = await ensureLocalRedis(mkdtempSync(join(tmpdir(), 'parley-bench-redis-')));
  return url;
}

async function redisVersion(url: string): Promise<string> {
  const r = new IORedis(url, { maxRetriesPerRequest: 1 });
  try {
    const info = await r.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
  } finally {
    r.disconnect();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const url = await redisUrl();
  process.env.REDIS_URL = url;
  const m = machine(await redisVersion(url));
  const log = (msg: string) => console.log(`[bench ${fmt((Date.now() - started) / 1000)} s] ${msg}`);
  log(
    `${args.smoke ? 'smoke' : 'full'} run: ${args.only.join(', ')} on ${m.cores} cores, ${fmt(m.memoryGiB)} GiB, Redis ${m.redis} at ${url}`,
  );

  const tree = new OpenTree(treeTeams(args.smoke));
  const sections: Section[] = [];
  let sweepPoints: SweepPoint[] = [];
  try {
    for (const id of args.only) {
      const cleanups: (() => Promise<void> | void)[] = [];
      const ctx: Ctx = { smoke: args.smoke, redisUrl: url, log, reportDir: dirname(args.out), onCleanup: (fn) => cleanups.push(fn) };
      const t0 = Date.now();
      log(`— ${id}`);
      try {
        switch (id) {
          case 'floors':
            sections.push((await floorsSuite(ctx)).section);
            break;
          case 'chat':
            sections.push(await chatSuite(ctx));
            break;
          case 'sweep': {
            const r = await sweepSuite(ctx, tree);
            sweepPoints = r.points;
            sections.push(r.section);
            break;
          }
          case 'agreement':
            sections.push(await agreementSuite(ctx, sweepPoints));
            break;
          case 'ai':
            sections.push(await aiSuite(ctx));
            break;
          case 'connections':
            sections.push(await connectionsSuite(ctx));
            break;
          case 'soak':
            sections.push(await soakSuite(ctx));
            break;
        }
      } catch (e) {
        const why = String((e as Error)?.stack ?? e);
        log(`${id} failed: ${why}`);
        sections.push(
          notMeasured(id, `${SUITES.indexOf(id) + 1}. ${id}`, `the run failed: \`${why.split('\n')[0].slice(0, 300)}\``, [`${id}`]),
        );
        process.exitCode = 1;
      } finally {
        for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch((e) => log(`cleanup: ${(e as Error).message}`));
        log(`${id} done in ${fmt((Date.now() - t0) / 1000)} s`);
      }
    }
  } finally {
    tree.remove();
    for (const prefix of usedPrefixes) await dropRedisPrefix(url, prefix).catch(() => undefined);
  }
  const order = (s: Section) => ['chat', 'agreement', 'sweep', 'ai', 'connections', 'soak', 'floors'].indexOf(s.id);
  sections.sort((a, b) => order(a) - order(b));
  const md = writeReport(args.out, {
    command: args.smoke ? 'npm run bench:smoke' : 'npm run bench',
    machine: m,
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    smoke: args.smoke,
    sections,
    totalMs: Date.now() - started,
  });
  console.log('\n' + md.slice(md.indexOf('## Summary'), md.indexOf('\n## ', md.indexOf('## Summary') + 5)));
  log(`report written to ${args.out}`);
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
