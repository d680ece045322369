import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ParleyConfig } from '@parley/config';
import { AuditLog, DataPaths, MessageLog, OrderStore } from '@parley/store';
import { JobProducer, ParleyMetrics, Queue, RoomEmitter, workerQueueImports } from '@parley/queues';
import { createRelationshipRubric } from '@parley/negotiation';
import { Settlement, SettlementDeps } from '@parley/settlement';
import { MarketBook } from '@parley/market';
import { ProvidersModule } from '@parley/providers';
import { ServerEvent } from '@parley/contracts';
import { AGREEMENT_HANDLERS, AgreementWorkerOptions, agreementProcessor } from './agreement.processor';
import { agreementJobs } from './agreement-jobs';
import { scenarioScorer } from './scorer';

export interface AgreementWorkerModuleOptions {
  /** Replaces the scenario scorer; null turns scoring off. */
  scorer?: SettlementDeps['scorer'] | null;
  hooks?: SettlementDeps['hooks'];
  now?: SettlementDeps['now'];
  claimStaleMs: number;
  worker?: Partial<AgreementWorkerOptions>;
}

/** An application context without HTTP: the agreement-check consumer, its queue and the settlement. */
@Module({})
export class AgreementWorkerModule {
  static register(config: ParleyConfig, logger: Logger, options: AgreementWorkerModuleOptions): DynamicModule {
    return {
      module: AgreementWorkerModule,
      imports: [
        ProvidersModule.forRoot({ config, service: 'agreement-worker', logger }),
        ...workerQueueImports(config.redisUrl, config.redisPrefix, Queue.AgreementCheck),
      ],
      providers: [
        {
          provide: Settlement,
          useFactory: (paths: DataPaths, room: RoomEmitter, orders: OrderStore, messages: MessageLog, book: MarketBook) =>
            new Settlement({
              paths,
              events: { negotiationUpdate: (u) => room.toNegotiation(u.negotiation_id, ServerEvent.NegotiationUpdate, u) },
              scorer:
                options.scorer === undefined
                  ? scenarioScorer(config.dataDir, createRelationshipRubric(config))
                  : (options.scorer ?? undefined),
              hooks: options.hooks,
              now: options.now,
              orders,
              messages,
              tradeCheck: (meta, trade) => book.settlementProblem(meta, trade),
            }),
          inject: [DataPaths, RoomEmitter, OrderStore, MessageLog, MarketBook],
        },
        {
          provide: AGREEMENT_HANDLERS,
          useFactory: (settlement: Settlement, paths: DataPaths, producer: JobProducer, metrics: ParleyMetrics, audit: AuditLog) =>
            agreementJobs({
              settlement,
              paths,
              producer,
              metrics,
              audit,
              logger,
              claimStaleMs: options.claimStaleMs,
              staleAfterMs: config.staleAfterMs,
            }),
          inject: [Settlement, DataPaths, JobProducer, ParleyMetrics, AuditLog],
        },
        agreementProcessor({ concurrency: config.agreementConcurrency, ...options.worker }),
      ],
    };
  }
}
