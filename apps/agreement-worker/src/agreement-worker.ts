import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue as BullQueue } from 'bullmq';
import type { Logger } from 'pino';
import type { ParleyConfig } from '@parley/config';
import type { LockOptions } from '@parley/store';
import { Queue } from '@parley/queues';
import { Scorer, Settlement, SettlementHooks } from '@parley/settlement';
import type { AgreementWorkerOptions } from './agreement.processor';
import { AgreementWorkerModule } from './agreement-worker.module';
import { createLogger, PinoNestLogger } from '@parley/config';

export interface AgreementWorkerRunOptions {
  /** The clock stale cleanup and outcome times use (tests move it forward). */
  now?: () => number;
  /** Crash and race seams for tests. */
  hooks?: SettlementHooks;
  /** Replaces the scenario scorer; null turns scoring off. */
  scorer?: Scorer | null;
  /** A claimed negotiation untouched this long is finished by the sweep (default 30 s). */
  claimStaleMs?: number;
  /** How often the `stale-cleanup` job runs (default 10 min). */
  staleCleanupEveryMs?: number;
  locks?: LockOptions;
  logger?: Logger;
  worker?: Partial<AgreementWorkerOptions>;
  /** Register the repeatable `sweep` and `stale-cleanup` jobs (default true). */
  schedule?: boolean;
  /**
   * Close gracefully on SIGTERM/SIGINT (default true). A launcher that runs several services in one
   * process should pass false and call close() itself.
   */
  handleSignals?: boolean;
}

export interface RunningAgreementWorker {
  app: INestApplicationContext;
  settlement: Settlement;
  /** Stops taking jobs, waits for the running ones, then closes every connection. */
  close(): Promise<void>;
}

const REPEAT_OPTS = { removeOnComplete: true, removeOnFail: 50 };

/** Starts an agreement-worker in this process: consumes `agreement-check` jobs until close(). */
export async function createAgreementWorker(
  config: ParleyConfig,
  options: AgreementWorkerRunOptions = {},
): Promise<RunningAgreementWorker> {
  const logger = options.logger ?? createLogger(config.logLevel, 'agreement-worker');
  const app = await NestFactory.createApplicationContext(
    AgreementWorkerModule.register(config, logger, {
      scorer: options.scorer,
      hooks: options.hooks,
      now: options.now,
      locks: options.locks,
      claimStaleMs: options.claimStaleMs ?? 30_000,
      worker: options.worker,
    }),
    {
      logger: config.logLevel === 'silent' ? false : new PinoNestLogger(logger),
      abortOnError: false,
    },
  );
  if (options.schedule !== false) {
    try {
      // upsert: N workers starting share one schedule instead of multiplying it
      const queue = app.get<BullQueue>(getQueueToken(Queue.AgreementCheck));
      await queue.upsertJobScheduler('sweep', { every: config.sweepIntervalMs }, { name: 'sweep', data: {}, opts: REPEAT_OPTS });
      await queue.upsertJobScheduler(
        'stale-cleanup',
        { every: options.staleCleanupEveryMs ?? 600_000 },
        { name: 'stale-cleanup', data: {}, opts: REPEAT_OPTS },
      );
      // one pass now (checks lost while no worker ran); workers starting together share it
      await queue.add('sweep', {}, { jobId: 'sweep-on-start', removeOnComplete: true, removeOnFail: true });
    } catch (e) {
      await app.close();
      throw e;
    }
  }
  if (options.handleSignals !== false) app.enableShutdownHooks();
  logger.info(
    { concurrency: options.worker?.concurrency ?? config.agreementConcurrency, redis_prefix: config.redisPrefix },
    'agreement-worker started',
  );
  let closing: Promise<void> | null = null;
  return {
    app,
    settlement: app.get(Settlement),
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
