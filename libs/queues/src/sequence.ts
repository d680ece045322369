import type IORedis from 'ioredis';

/** Counts on only when the counter exists (one round trip); nil tells the caller to seed it first. */
const INCR_IF_EXISTS = `if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end return false`;

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

  next(negotiationId: string, maxOnDisk: () => Promise<number>): Promise<number> {
    return this.reserve(negotiationId, 1, maxOnDisk);
  }

  /** Reserves `count` consecutive numbers; returns the first. */
  async reserve(negotiationId: string, count: number, maxOnDisk: () => Promise<number>): Promise<number> {
    const key = this.key(negotiationId);
    let last = (await this.redis.eval(INCR_IF_EXISTS, 1, key, count)) as number | null;
    if (last === null) {
      await this.redis.set(key, String(await maxOnDisk()), 'NX');
      last = await this.redis.incrby(key, count);
    }
    return last - count + 1;
  }
}
