import { DynamicModule, Module } from '@nestjs/common';
import type IORedis from 'ioredis';
import type { Logger } from 'pino';
import type { ParleyConfig } from '@parley/config';
import { MessageLog, NegotiationStore } from '@parley/store';
import { JobHandlers, JobProducer, MessageSequence, ParleyMetrics, Queue, REDIS, RoomEmitter, workerQueueImports } from '@parley/queues';
import { NegotiationEngine, ScenarioCatalog, createNegotiator } from '@parley/negotiation';
import { AiReplyService, RedisAiUsage, RedisLock } from '@parley/ai-reply';
import { ProvidersModule } from '@parley/providers';
import { AI_RESPONSE_HANDLERS, AiResponseWorkerOptions, aiResponseProcessor } from './ai-response.processor';
import { timedEngine } from './timed-engine';
import { pacedEngine } from './paced-engine';

/** The injection token of the engine the AI answers with (timed into the metrics). */
export const NEGOTIATION_ENGINE = 'NEGOTIATION_ENGINE';

export interface AiWorkerModuleOptions {
  /** Replaces the engine the config picks (tests, benchmarks). */
  engine?: NegotiationEngine;
  worker?: Partial<AiResponseWorkerOptions>;
}

/** An application context without HTTP: the ai-response consumer and what it needs. */
@Module({})
export class AiWorkerModule {
  static register(config: ParleyConfig, logger: Logger, options: AiWorkerModuleOptions = {}): DynamicModule {
    return {
      module: AiWorkerModule,
      imports: [
        ProvidersModule.forRoot({ config, service: 'ai-worker', logger }),
        ...workerQueueImports(config.redisUrl, config.redisPrefix, Queue.AiResponse),
      ],
      providers: [
        {
          provide: NEGOTIATION_ENGINE,
          useFactory: (metrics: ParleyMetrics) =>
            pacedEngine(
              timedEngine(
                options.engine ??
                  createNegotiator(config, {
                    onFallback: (e) => logger.warn({ err: e.message }, 'ai engine failed; the built-in engine answers this turn'),
                  }),
                metrics,
              ),
              config.aiTypingDelayMs,
            ),
          inject: [ParleyMetrics],
        },
        { provide: RedisAiUsage, useFactory: (redis: IORedis) => new RedisAiUsage(redis, config.redisPrefix), inject: [REDIS] },
        { provide: RedisLock, useFactory: (redis: IORedis) => new RedisLock(redis, config.redisPrefix), inject: [REDIS] },
        {
          provide: AiReplyService,
          useFactory: (
            negotiations: NegotiationStore,
            messages: MessageLog,
            scenarios: ScenarioCatalog,
            engine: NegotiationEngine,
            sequence: MessageSequence,
            room: RoomEmitter,
            agreementChecks: JobProducer,
            usage: RedisAiUsage,
            lock: RedisLock,
          ) => new AiReplyService({ negotiations, messages, scenarios, engine, sequence, room, agreementChecks, usage, lock, log: logger }),
          inject: [
            NegotiationStore,
            MessageLog,
            ScenarioCatalog,
            NEGOTIATION_ENGINE,
            MessageSequence,
            RoomEmitter,
            JobProducer,
            RedisAiUsage,
            RedisLock,
          ],
        },
        {
          provide: AI_RESPONSE_HANDLERS,
          useFactory: (replies: AiReplyService): JobHandlers<typeof Queue.AiResponse> => ({
            reply: (data, delivery) => replies.handle(data, delivery),
          }),
          inject: [AiReplyService],
        },
        aiResponseProcessor({ concurrency: config.aiConcurrency, ...options.worker }),
      ],
    };
  }
}
