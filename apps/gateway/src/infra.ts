import type IORedis from 'ioredis';
import { ParleyConfig } from '@parley/config';
import { DataPaths, MessageLog, NegotiationStore, OrderStore, TeamStore } from '@parley/store';
import { JobProducer, MessageSequence, createRedis } from '@parley/queues';
import { ScenarioCatalog } from '@parley/negotiation';

export const CONFIG = 'PARLEY_CONFIG';
export const REDIS = 'PARLEY_REDIS';

/** Everything with I/O the gateway uses, built once per app from the validated config. */
export class Infra {
  readonly paths: DataPaths;
  readonly teams: TeamStore;
  readonly negotiations: NegotiationStore;
  readonly messages = new MessageLog();
  readonly orders: OrderStore;
  readonly scenarios: ScenarioCatalog;
  readonly redis: IORedis;
  readonly producer: JobProducer;
  readonly sequence: MessageSequence;

  constructor(readonly config: ParleyConfig) {
    this.paths = new DataPaths(config.dataDir);
    this.teams = new TeamStore(this.paths);
    this.negotiations = new NegotiationStore(this.paths);
    this.orders = new OrderStore(this.paths);
    this.scenarios = new ScenarioCatalog(config.dataDir);
    this.redis = createRedis(config.redisUrl);
    this.producer = new JobProducer(this.redis, config.redisPrefix);
    this.sequence = new MessageSequence(this.redis, config.redisPrefix);
  }

  key(...parts: string[]): string {
    return [this.config.redisPrefix, ...parts].join(':');
  }

  async close(): Promise<void> {
    await this.producer.close();
    this.redis.disconnect();
  }
}
