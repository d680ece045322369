import { DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import type { Logger } from 'pino';
import type { ParleyConfig } from '@parley/config';
import { ParleyMetrics, Queue, bullRootOptions, onShutdownProvider } from '@parley/queues';
import { AGREEMENT_HANDLERS, AGREEMENT_LOGGER, AgreementHandlers, AgreementWorkerOptions, agreementProcessor } from './agreement.processor';

/** An application context without HTTP: the agreement-check consumer and its queue. */
@Module({})
export class AgreementWorkerModule {
  static register(
    config: ParleyConfig,
    handlers: AgreementHandlers,
    logger: Logger,
    metrics: ParleyMetrics,
    worker: Partial<AgreementWorkerOptions> = {},
    onShutdown: () => Promise<void> = async () => undefined,
  ): DynamicModule {
    return {
      module: AgreementWorkerModule,
      imports: [
        BullModule.forRoot(bullRootOptions(config.redisUrl, config.redisPrefix)),
        BullModule.registerQueue({ name: Queue.AgreementCheck }),
      ],
      providers: [
        { provide: AGREEMENT_HANDLERS, useValue: handlers },
        { provide: AGREEMENT_LOGGER, useValue: logger },
        { provide: ParleyMetrics, useValue: metrics },
        onShutdownProvider(onShutdown),
        agreementProcessor({ concurrency: config.agreementConcurrency, ...worker }),
      ],
    };
  }
}
