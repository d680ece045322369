import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { Infra } from '../infra';

/**
 * Every socket event and every creating HTTP call of one user, counted in Redis across gateways:
 * a ceiling far above what a person does (chat has its own, stricter limit), so a script cannot
 * flood the disk or the CPU with joins, syncs, typing or new negotiations.
 */
@Injectable()
export class ActionLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(@Inject(Infra) private readonly infra: Infra) {
    this.limiter = new RateLimiterRedis({
      storeClient: infra.redis,
      keyPrefix: infra.key('rl', 'actions'),
      points: infra.config.actionsPerMinute,
      duration: 60,
    });
  }

  async consume(user: string): Promise<void> {
    try {
      await this.limiter.consume(user);
    } catch (e) {
      if (e instanceof RateLimiterRes) {
        throw new ParleyError(ErrorCode.RateLimited, `too many actions; try again in ${Math.ceil(e.msBeforeNext / 1000)} s`, 429);
      }
      throw e;
    }
  }
}
