import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { releaseLock } from '@parley/queues';

/** Mutual exclusion for the AI's writes to one negotiation. */
export interface WriteLock {
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** One holder per key inside this process. */
export class LocalLock implements WriteLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/**
 * One holder per key across every worker: SET NX PX with a token, released only by its holder. The
 * section it guards is a few file writes; a holder that died frees the key when `ttlMs` passes.
 */
export class RedisLock implements WriteLock {
  private readonly local = new LocalLock();

  constructor(
    private readonly redis: IORedis,
    private readonly redisPrefix: string,
    private readonly ttlMs = 10_000,
  ) {}

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.local.withLock(key, async () => {
      const redisKey = `${this.redisPrefix}:lock:${key}`;
      const token = randomUUID();
      const deadline = Date.now() + this.ttlMs * 2;
      while ((await this.redis.set(redisKey, token, 'PX', this.ttlMs, 'NX')) !== 'OK') {
        if (Date.now() > deadline) throw new Error(`lock ${key} is still held after ${this.ttlMs * 2} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
      try {
        return await fn();
      } finally {
        await releaseLock(this.redis, redisKey, token).catch(() => undefined);
      }
    });
  }
}
