import type IORedis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCode } from '@parley/contracts';
import { RetryLaterError } from '../retry-later';

export const LIMIT_WINDOW_SECONDS = 60;

/** A per-user budget per minute, counted in Redis so it holds across gateway replicas. */
export class PerUserLimit {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: IORedis,
    private readonly keyPrefix: string,
    readonly points: number,
    private readonly describe: (points: number, retryInSeconds: number) => string,
  ) {
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: LIMIT_WINDOW_SECONDS });
  }

  async consume(user: string): Promise<void> {
    try {
      await this.limiter.consume(user);
    } catch (e) {
      if (e instanceof RateLimiterRes) throw this.refusal(e.msBeforeNext);
      throw e;
    }
  }

  /** The Redis counter of a user's window (the same key rate-limiter-flexible counts in). */
  key(user: string): string {
    return `${this.keyPrefix}:${user}`;
  }

  refusal(msBeforeNext: number): RetryLaterError {
    return new RetryLaterError(ErrorCode.RateLimited, (s) => this.describe(this.points, s), msBeforeNext);
  }
}
