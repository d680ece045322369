import IORedis from 'ioredis';
import { Queue } from 'bullmq';
import { bullPrefix, Queue as QueueName } from '@parley/queues';
import type { ParleyConfig } from '@parley/config';
import { Child, ChildScript } from './rpc';
import type { BenchConfig } from './setup';
import { sleep } from './stats';

/** What every suite gets from main. */
export interface Ctx {
  smoke: boolean;
  redisUrl: string;
  log(msg: string): void;
  /** The report's directory: files the report links to (plots) go there. */
  reportDir: string;
  /** Registers something to stop at the end of the suite, whatever happens. */
  onCleanup(fn: () => Promise<void> | void): void;
}

/** Starts a child and makes sure it is stopped when the suite ends. */
export function startChild(ctx: Ctx, script: ChildScript, name: string, execArgv: string[] = [], build?: string): Child {
  const child = Child.start(script, name, { execArgv, build });
  ctx.onCleanup(() => child.stop());
  return child;
}

/** Deletes every Redis key of a run's prefix (BullMQ queues, sequences, limiter counters). */
export async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    let rounds = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0' && ++rounds < 100_000);
  } finally {
    redis.disconnect();
  }
}

/** Removes the temp DATA_DIR and the Redis keys of a config at the end of the suite. */
export function disposeConfig(ctx: Ctx, config: BenchConfig): void {
  ctx.onCleanup(async () => {
    await dropRedisPrefix(config.redisUrl, config.redisPrefix).catch(() => undefined);
    config.cleanup();
  });
}

/**
 * Waits (bounded) until the agreement-check queue has nothing waiting or running. Delayed jobs are
 * not counted: the repeatable sweep always waits there for its next turn.
 */
export async function waitAgreementQueueIdle(config: ParleyConfig, timeoutMs: number): Promise<boolean> {
  const redis = new IORedis(config.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(QueueName.AgreementCheck, { connection: redis, prefix: bullPrefix(config.redisPrefix) });
  try {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const c = await queue.getJobCounts('waiting', 'active', 'prioritized');
      if ((c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) === 0) return true;
      await sleep(100);
    }
    return false;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
