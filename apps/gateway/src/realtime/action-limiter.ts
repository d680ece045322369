import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, ParleyError } from '@parley/contracts';
import type IORedis from 'ioredis';
import { CONFIG, ParleyConfig } from '@parley/config';
import { MessageSequence, REDIS, redisKey } from '@parley/queues';
import { PerUserLimit } from './per-user-limit';

/**
 * Every socket event and every creating HTTP call of one user, counted in Redis across gateways:
 * a ceiling far above what a person does (chat has its own, stricter limit), so a script cannot
 * flood the disk or the CPU with joins, syncs, typing or new negotiations.
 */
const ENDING_MARGIN = 20;

@Injectable()
export class ActionLimiter {
  /** Every event's budget; chat spends it in the same Redis call as its own (ChatService). */
  readonly limit: PerUserLimit;
  /** The chat budget (same Redis counter as ChatService's): an offer that makes the AI answer spends it too. */
  private readonly messages: PerUserLimit;

  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(MessageSequence) private readonly sequence: MessageSequence,
  ) {
    this.limit = new PerUserLimit(
      redis,
      redisKey(config.redisPrefix, 'rl', 'actions'),
      config.actionsPerMinute,
      (_, s) => `too many actions; try again in ${s} s`,
    );
    this.messages = new PerUserLimit(
      redis,
      redisKey(config.redisPrefix, 'rl', 'messages'),
      config.messagesPerMinute,
      (n, s) => `at most ${n} messages or offers to the AI a minute; try again in ${s} s`,
    );
  }

  consume(user: string): Promise<void> {
    return this.limit.consume(user);
  }

  /** One AI turn's worth of the user's chat budget. */
  consumeAiTurn(user: string): Promise<void> {
    return this.messages.consume(user);
  }

  /**
   * Refuses a new line once a negotiation holds the maximum (its sequence counter is the number of
   * lines written), so no transcript grows without bound. A counter Redis lost is rebuilt from the
   * files by the next write, which is let through. Agreeing or rejecting has a small margin beyond
   * it, so a full negotiation can still be ended.
   */
  async assertRoomForLine(negotiationId: string, ending = false): Promise<void> {
    const last = Number((await this.redis.get(this.sequence.key(negotiationId))) ?? 0);
    if (last >= this.config.maxLinesPerNegotiation + (ending ? ENDING_MARGIN : 0)) throw this.full();
  }

  full(): ParleyError {
    const max = this.config.maxLinesPerNegotiation;
    return new ParleyError(
      ErrorCode.Conflict,
      `this negotiation has reached its limit of ${max} lines; agree, reject or start a new one`,
      409,
    );
  }
}
