import type IORedis from 'ioredis';
import { ParleyConfig } from '@parley/config';
import type { Logger } from 'pino';
import { createLogger } from '@parley/config';
import { AuditLog, DataPaths, MessageLog, NegotiationStore, OrderStore, TeamStore } from '@parley/store';
import { JobProducer, MessageSequence, ParleyMetrics, createRedis } from '@parley/queues';
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
  readonly metrics = new ParleyMetrics('gateway');
  readonly audit: AuditLog;
  readonly log: Logger;

  constructor(readonly config: ParleyConfig) {
    this.paths = new DataPaths(config.dataDir);
    this.teams = new TeamStore(this.paths);
    this.negotiations = new NegotiationStore(this.paths);
    this.orders = new OrderStore(this.paths);
    this.scenarios = new ScenarioCatalog(config.dataDir);
    this.redis = createRedis(config.redisUrl);
    this.producer = new JobProducer(this.redis, config.redisPrefix);
    this.sequence = new MessageSequence(this.redis, config.redisPrefix);
    this.audit = new AuditLog(this.paths, 'gateway');
    this.log = createLogger(config.logLevel, 'gateway');
    this.metrics.startPublishing(this.redis, config.redisPrefix);
  }

  key(...parts: string[]): string {
    return [this.config.redisPrefix, ...parts].join(':');
  }

  async close(): Promise<void> {
    this.metrics.stopPublishing();
    await this.audit.flush();
    await this.producer.close();
    this.redis.disconnect();
  }
}
