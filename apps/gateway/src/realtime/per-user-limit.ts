import type IORedis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCode } from '@parley/contracts';
import { RetryLaterError } from '../retry-later';

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
        throw new RetryLaterError(ErrorCode.RateLimited, (s) => this.describe(this.points, s), e.msBeforeNext);
      throw e;
    }
  }
}
