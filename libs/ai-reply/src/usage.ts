import type IORedis from 'ioredis';
import type { TokenUsage } from '@parley/negotiation';

/** Redis hash with a negotiation's model token usage: prompt_tokens, completion_tokens, calls. */
export const aiUsageKey = (redisPrefix: string, negotiationId: string) => `${redisPrefix}:ai-usage:${negotiationId}`;

export class RedisAiUsage {
  constructor(
    private readonly redis: IORedis,
    private readonly redisPrefix: string,
  ) {}

  async record(negotiationId: string, usage: TokenUsage): Promise<void> {
    const key = aiUsageKey(this.redisPrefix, negotiationId);
    await this.redis
      .multi()
      .hincrby(key, 'prompt_tokens', Math.max(0, Math.round(usage.prompt_tokens)))
      .hincrby(key, 'completion_tokens', Math.max(0, Math.round(usage.completion_tokens)))
      .hincrby(key, 'calls', 1)
      .exec();
  }
}
