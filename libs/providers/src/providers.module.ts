import { DynamicModule, Global, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import type IORedis from 'ioredis';
import type { Logger } from 'pino';
import { CONFIG, LOGGER, ParleyConfig } from '@parley/config';
import {
  AuditLog,
  ChatLog,
  DataPaths,
  MarketStore,
  MessageLog,
  NegotiationStore,
  OrderStore,
  SessionStore,
  TeamStore,
} from '@parley/store';
import { MarketBook, MarketOpener } from '@parley/market';
import { SessionPush, SessionRecords } from '@parley/sessions';
import { JobProducer, MessageSequence, ParleyMetrics, REDIS, RoomEmitter, createRedis } from '@parley/queues';
import { ScenarioCatalog } from '@parley/negotiation';

export interface ProvidersOptions {
  config: ParleyConfig;
  /** The service name in logs, metrics and the audit file: gateway, ai-worker, agreement-worker. */
  service: string;
  logger: Logger;
  /** Chat lines made durable by this process's commit log (one flush per event-loop turn; see ChatLog): the gateway. */
  chatCommitLog?: boolean;
}

/** Closes what the providers opened, after every other part of the app has stopped (Nest runs this hook last). */
class ConnectionsCloser implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(ParleyMetrics) private readonly metrics: ParleyMetrics,
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(JobProducer) private readonly producer: JobProducer,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly service: string,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.metrics.stopPublishing();
    await this.audit.flush();
    await this.producer.close().catch(() => undefined);
    await this.redis.quit().catch(() => this.redis.disconnect());
    this.log.info({}, `${this.service} stopped`);
  }
}

/**
 * Every dependency with I/O, as Nest providers: the config, the logger, one Redis connection, the
 * stores under DATA_DIR, the scenario catalog, the job producer, the sequence allocator, the room
 * emitter, the metrics and the audit log. The gateway and both workers import this one module, and
 * each class asks for what it uses in its constructor.
 */
@Global()
@Module({})
export class ProvidersModule {
  static forRoot({ config, service, logger, chatCommitLog = false }: ProvidersOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: CONFIG, useValue: config },
      { provide: LOGGER, useValue: logger },
      {
        provide: REDIS,
        useFactory: () => {
          const redis = createRedis(config.redisUrl);
          redis.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error'));
          return redis;
        },
      },
      { provide: DataPaths, useFactory: () => new DataPaths(config.dataDir) },
      { provide: TeamStore, useFactory: (paths: DataPaths) => new TeamStore(paths), inject: [DataPaths] },
      { provide: NegotiationStore, useFactory: (paths: DataPaths) => new NegotiationStore(paths), inject: [DataPaths] },
      { provide: OrderStore, useFactory: (paths: DataPaths) => new OrderStore(paths), inject: [DataPaths] },
      { provide: MarketStore, useFactory: (paths: DataPaths) => new MarketStore(paths), inject: [DataPaths] },
      {
        provide: MarketBook,
        useFactory: (paths: DataPaths, markets: MarketStore, orders: OrderStore, negotiations: NegotiationStore) =>
          new MarketBook(paths, markets, orders, negotiations),
        inject: [DataPaths, MarketStore, OrderStore, NegotiationStore],
      },
      {
        provide: MarketOpener,
        useFactory: (m: MarketStore, t: TeamStore, e: RoomEmitter) => new MarketOpener(m, t, (market) => e.toMarket(market, 'ended')),
        inject: [MarketStore, TeamStore, RoomEmitter],
      },
      {
        provide: MessageLog,
        useFactory: (paths: DataPaths, negotiations: NegotiationStore) =>
          new MessageLog(chatCommitLog ? new ChatLog(paths, negotiations) : undefined),
        inject: [DataPaths, NegotiationStore],
      },
      { provide: SessionStore, useFactory: (paths: DataPaths) => new SessionStore(paths), inject: [DataPaths] },
      {
        provide: SessionRecords,
        useFactory: (s: SessionStore, n: NegotiationStore, t: TeamStore, m: MessageLog) => new SessionRecords(s, n, t, m),
        inject: [SessionStore, NegotiationStore, TeamStore, MessageLog],
      },
      {
        provide: SessionPush,
        useFactory: (s: SessionStore, r: SessionRecords, e: RoomEmitter) => new SessionPush(s, r, e),
        inject: [SessionStore, SessionRecords, RoomEmitter],
      },
      { provide: AuditLog, useFactory: (paths: DataPaths) => new AuditLog(paths, service), inject: [DataPaths] },
      { provide: ScenarioCatalog, useFactory: () => new ScenarioCatalog(config.dataDir) },
      { provide: JobProducer, useFactory: (redis: IORedis) => new JobProducer(redis, config.redisPrefix), inject: [REDIS] },
      { provide: MessageSequence, useFactory: (redis: IORedis) => new MessageSequence(redis, config.redisPrefix), inject: [REDIS] },
      { provide: RoomEmitter, useFactory: (redis: IORedis) => new RoomEmitter(redis, config.redisPrefix), inject: [REDIS] },
      {
        provide: ParleyMetrics,
        useFactory: (redis: IORedis) => {
          const metrics = new ParleyMetrics(service);
          metrics.startPublishing(redis, config.redisPrefix);
          return metrics;
        },
        inject: [REDIS],
      },
    ];
    const closer: Provider = {
      provide: ConnectionsCloser,
      useFactory: (redis: IORedis, metrics: ParleyMetrics, audit: AuditLog, producer: JobProducer) =>
        new ConnectionsCloser(redis, metrics, audit, producer, logger, service),
      inject: [REDIS, ParleyMetrics, AuditLog, JobProducer],
    };
    return {
      module: ProvidersModule,
      providers: [...providers, closer],
      exports: providers.map((p) => (p as { provide: unknown }).provide as string),
    };
  }
}
