import type IORedis from 'ioredis';
import { runScript } from './redis';

/**
 * Counts on from the larger of the counter and the highest number on disk (ARGV[2]), in one round
 * trip: a counter lost (Redis restarted empty) or rolled back (a crash lost its last writes) never
 * hands out a number that is already in a file.
 */
const RESERVE_ABOVE = `local v = tonumber(redis.call('get', KEYS[1]) or '0') or 0
if v < tonumber(ARGV[2]) then redis.call('set', KEYS[1], ARGV[2]) end
return redis.call('incrby', KEYS[1], ARGV[1])`;

/**
 * Per-negotiation message sequence numbers, shared by every gateway and worker through Redis and
 * checked against the highest number on disk each time (cheap: the message files are indexed
 * incrementally), so numbers never repeat, whatever Redis forgot.
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
    const floor = await maxOnDisk();
    const last = (await runScript(this.redis, 'parleyReserveAbove', RESERVE_ABOVE, [this.key(negotiationId)], [count, floor])) as number;
    return last - count + 1;
  }
}
