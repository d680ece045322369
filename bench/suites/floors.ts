import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import IORedis from 'ioredis';
import { Ctx } from '../lib/context';
import { Section, table } from '../lib/report';
import { benchConfig } from '../lib/setup';
import { fmt, ms, summarize } from '../lib/stats';

export interface Floors {
  redisPing: ReturnType<typeof summarize>;
  fsync: ReturnType<typeof summarize>;
  fsyncPerSec: Record<number, number>;
}

/**
 * The physical limits every other latency is read against: one Redis round trip (PING) and one
 * durable append (200 bytes + fdatasync) on the disk that holds DATA_DIR.
 */
export async function floorsSuite(ctx: Ctx): Promise<{ section: Section; floors: Floors }> {
  const pings = ctx.smoke ? 200 : 5000;
  const syncs = ctx.smoke ? 100 : 1000;
  const redis = new IORedis(ctx.redisUrl, { maxRetriesPerRequest: 1 });
  const pingMs: number[] = [];
  try {
    for (let i = 0; i < 50; i++) await redis.ping();
    for (let i = 0; i < pings; i++) {
      const t0 = performance.now();
      await redis.ping();
      pingMs.push(performance.now() - t0);
    }
  } finally {
    redis.disconnect();
  }

  const config = benchConfig();
  const line = Buffer.from('x'.repeat(199) + '\n');
  const fsyncMs: number[] = [];
  const fsyncPerSec: Record<number, number> = {};
  try {
    const fh = await open(join(config.dataDir, 'floor.jsonl'), 'a');
    try {
      for (let i = 0; i < syncs; i++) {
        const t0 = performance.now();
        await fh.write(line);
        await fh.datasync();
        fsyncMs.push(performance.now() - t0);
      }
    } finally {
      await fh.close();
    }
    // how many durable appends per second the disk takes from N writers at once (libuv's 4 threads do the work)
    for (const writers of [4, 16]) {
      const each = ctx.smoke ? 20 : 200;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const f = await open(join(config.dataDir, `floor-${writers}-${w}.jsonl`), 'a');
          try {
            for (let i = 0; i < each; i++) {
              await f.write(line);
              await f.datasync();
            }
          } finally {
            await f.close();
          }
        }),
      );
      fsyncPerSec[writers] = (writers * each) / ((performance.now() - t0) / 1000);
    }
  } finally {
    config.cleanup();
  }

  const floors: Floors = { redisPing: summarize(pingMs), fsync: summarize(fsyncMs), fsyncPerSec };
  const body = [
    `Redis: ${pings} sequential PINGs over one ioredis connection to ${ctx.redisUrl.replace(/\/\/[^@]*@/, '//')}. Disk: ${syncs} sequential appends of`,
    `200 bytes + \`fdatasync\` to one file in a temp DATA_DIR (the same call Parley makes per chat line), then 4 and 16`,
    'writers appending to their own files at once (the gateway appends for many rooms in parallel).',
    '',
    table(
      ['floor', 'p50', 'p99', 'mean', 'n'],
      [
        ['Redis round trip (PING)', ms(floors.redisPing.p50), ms(floors.redisPing.p99), ms(floors.redisPing.mean), floors.redisPing.n],
        ['append 200 B + fdatasync', ms(floors.fsync.p50), ms(floors.fsync.p99), ms(floors.fsync.mean), floors.fsync.n],
      ],
    ),
    '',
    table(
      ['parallel writers', 'durable appends/s'],
      Object.entries(fsyncPerSec).map(([w, r]) => [w, fmt(r)]),
    ),
  ].join('\n');
  return {
    floors,
    section: {
      id: 'floors',
      title: '6. Floors: Redis round trip and one fsync',
      body,
      headline: [
        {
          what: 'Redis PING p50 / p99',
          parley: `${ms(floors.redisPing.p50)} / ${ms(floors.redisPing.p99)}`,
          baseline: '(physical floor)',
          ratio: '–',
          target: '',
        },
        {
          what: 'append 200 B + fdatasync p50 / p99',
          parley: `${ms(floors.fsync.p50)} / ${ms(floors.fsync.p99)}`,
          baseline: '(physical floor)',
          ratio: '–',
          target: '',
        },
      ],
    },
  };
}
