import { DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import type { Logger } from 'pino';
import type { ParleyConfig } from '@parley/config';
import { ParleyMetrics, Queue, bullRootOptions, onShutdownProvider } from '@parley/queues';
import { AiReplyService } from '@parley/ai-reply';
import { AI_WORKER_LOGGER, AiResponseWorkerOptions, aiResponseProcessor } from './ai-response.processor';

/** An application context without HTTP: the ai-response consumer and what it needs. */
@Module({})
export class AiWorkerModule {
  /** `onShutdown` runs after the worker has finished its jobs (Nest closes providers in that order). */
  static register(
    config: ParleyConfig,
    replies: AiReplyService,
    logger: Logger,
    metrics: ParleyMetrics,
    worker: Partial<AiResponseWorkerOptions> = {},
    onShutdown: () => Promise<void> = async () => undefined,
  ): DynamicModule {
    return {
      module: AiWorkerModule,
      imports: [
        BullModule.forRoot(bullRootOptions(config.redisUrl, config.redisPrefix)),
        BullModule.registerQueue({ name: Queue.AiResponse }),
      ],
      providers: [
        { provide: AiReplyService, useValue: replies },
        { provide: AI_WORKER_LOGGER, useValue: logger },
        { provide: ParleyMetrics, useValue: metrics },
        onShutdownProvider(onShutdown),
        aiResponseProcessor({ concurrency: config.aiConcurrency, ...worker }),
      ],
    };
  }
}
