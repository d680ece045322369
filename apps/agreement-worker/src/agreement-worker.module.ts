import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ParleyConfig } from '@parley/config';
import { AuditLog, DataPaths, MarketStore, MessageLog, OrderStore, SessionStore } from '@parley/store';
import { RoundCloser, SessionPush } from '@parley/sessions';
import { JobProducer, ParleyMetrics, Queue, RoomEmitter, workerQueueImports } from '@parley/queues';
import { createRelationshipRubric } from '@parley/negotiation';
import { Settlement, SettlementDeps } from '@parley/settlement';
import { MarketBook } from '@parley/market';
import { ProvidersModule } from '@parley/providers';
import { type NegotiationMeta, type NegotiationUpdate, type Outcome } from '@parley/contracts';
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
          useFactory: (
            paths: DataPaths,
            room: RoomEmitter,
            orders: OrderStore,
            messages: MessageLog,
            push: SessionPush,
            book: MarketBook,
            markets: MarketStore,
          ) =>
            new Settlement({
              paths,
              events: { negotiationUpdate: (u, context) => tellParties(room, push, markets, u, context) },
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
          inject: [DataPaths, RoomEmitter, OrderStore, MessageLog, SessionPush, MarketBook, MarketStore],
        },
        {
          provide: RoundCloser,
          useFactory: (sessions: SessionStore, settlement: Settlement, room: RoomEmitter, push: SessionPush) =>
            new RoundCloser(sessions, settlement, room, push, options.now),
          inject: [SessionStore, Settlement, RoomEmitter, SessionPush],
        },
        {
          provide: AGREEMENT_HANDLERS,
          useFactory: (
            settlement: Settlement,
            rounds: RoundCloser,
            paths: DataPaths,
            producer: JobProducer,
            metrics: ParleyMetrics,
            audit: AuditLog,
          ) =>
            agreementJobs({
              settlement,
              rounds,
              paths,
              producer,
              metrics,
              audit,
              logger,
              claimStaleMs: options.claimStaleMs,
              staleAfterMs: config.staleAfterMs,
            }),
          inject: [Settlement, RoundCloser, DataPaths, JobProducer, ParleyMetrics, AuditLog],
        },
        agreementProcessor({ concurrency: config.agreementConcurrency, ...options.worker }),
      ],
    };
  }
}

/**
 * A settled negotiation: the room, and each human party's own user room (lobby and dashboards listen
 * there instead of polling) — in a role-play with that party's own score only. A session's screens
 * get the new live view; a market's members and instructor hear of its trade (`market-update`).
 */
async function tellParties(
  room: RoomEmitter,
  push: SessionPush,
  markets: MarketStore,
  update: NegotiationUpdate,
  { meta, outcome }: { meta: NegotiationMeta | null; outcome: Outcome },
): Promise<void> {
  const parties = (meta?.parties ?? [])
    .filter((p) => p.user !== 'ai')
    .map((p) => {
      const own = outcome.scores?.[p.user];
      return {
        user: p.user,
        update: own ? { ...update, final_score: own.final_score, score_explanations: own.score_explanations } : update,
      };
    });
  room.negotiationUpdate(update, parties);
  if (meta?.session_id) await push.changed(meta.session_id).catch(() => undefined);
  if (meta?.market_id && update.deal_terms?.agreed) {
    const market = await markets.readMarket(meta.market_id).catch(() => null);
    if (market) room.toMarket(market, 'trade');
  }
}
