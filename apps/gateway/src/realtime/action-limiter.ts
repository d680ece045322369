import { Inject, Injectable } from '@nestjs/common';
import type IORedis from 'ioredis';
import { CONFIG, ParleyConfig } from '@parley/config';
import { REDIS, redisKey } from '@parley/queues';
import { PerUserLimit } from './per-user-limit';

/**
 * Every socket event and every creating HTTP call of one user, counted in Redis across gateways:
 * a ceiling far above what a person does (chat has its own, stricter limit), so a script cannot
 * flood the disk or the CPU with joins, syncs, typing or new negotiations.
 */
@Injectable()
export class ActionLimiter {
  private readonly limit: PerUserLimit;

  constructor(@Inject(CONFIG) config: ParleyConfig, @Inject(REDIS) redis: IORedis) {
    this.limit = new PerUserLimit(
      redis,
      redisKey(config.redisPrefix, 'rl', 'actions'),
      config.actionsPerMinute,
      (_, s) => `too many actions; try again in ${s} s`,
    );
  }

  consume(user: string): Promise<void> {
    return this.limit.consume(user);
  }
}
