import type IORedis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCode, ParleyError } from '@parley/contracts';

/** A per-user budget per minute, counted in Redis so it holds across gateway replicas. */
export class PerUserLimit {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: IORedis,
    keyPrefix: string,
    private readonly points: number,
    private readonly describe: (points: number, retryInSeconds: number) => string,
  ) {
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: 60 });
  }

  async consume(user: string): Promise<void> {
    try {
      await this.limiter.consume(user);
    } catch (e) {
      if (e instanceof RateLimiterRes)
        throw new ParleyError(ErrorCode.RateLimited, this.describe(this.points, Math.ceil(e.msBeforeNext / 1000)), 429);
      throw e;
    }
  }
}
