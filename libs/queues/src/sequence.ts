import type IORedis from 'ioredis';

/**
 * Per-negotiation message sequence numbers, shared by every gateway and worker through Redis.
 * When Redis has lost the counter (restarted empty), it is re-seeded from the highest number
 * on disk before counting on, so numbers never repeat.
 */
export class MessageSequence {
  constructor(
    private readonly redis: IORedis,
    private readonly redisPrefix: string,
  ) {}

  key(negotiationId: string) {
    return `${this.redisPrefix}:seq:${negotiationId}`;
  }

  async next(negotiationId: string, maxOnDisk: () => Promise<number>): Promise<number> {
    const key = this.key(negotiationId);
    if (!(await this.redis.exists(key))) {
      await this.redis.set(key, String(await maxOnDisk()), 'NX');
    }
    return this.redis.incr(key);
  }

  /** Reserves `count` consecutive numbers; returns the first. */
  async reserve(negotiationId: string, count: number, maxOnDisk: () => Promise<number>): Promise<number> {
    const key = this.key(negotiationId);
    if (!(await this.redis.exists(key))) {
      await this.redis.set(key, String(await maxOnDisk()), 'NX');
    }
    return (await this.redis.incrby(key, count)) - count + 1;
  }
}
