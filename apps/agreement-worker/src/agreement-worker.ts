import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue as BullQueue } from 'bullmq';
import type { Logger } from 'pino';
import type { ParleyConfig } from '@parley/config';
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
  // a settlement's fsyncs hold libuv pool threads: with Node's 4, every other file call waits behind four flushes
  // (takes effect when the pool has not started yet, as at the start of the worker's process)
  process.env.UV_THREADPOOL_SIZE ??= '16';
  const logger = options.logger ?? createLogger(config.logLevel, 'agreement-worker');
  const app = await NestFactory.createApplicationContext(
    AgreementWorkerModule.register(config, logger, {
      scorer: options.scorer,
      hooks: options.hooks,
      now: options.now,
      claimStaleMs: options.claimStaleMs ?? 30_000,
      worker: options.worker,
    }),
    {
      logger: config.logLevel === 'silent' ? false : new PinoNestLogger(logger),
      abortOnError: false,
    },
  );
  const settlement = app.get(Settlement);
  // what a killed worker journaled but did not write yet (its claims are finished by the sweep)
  const recovered = await settlement.recover();
  if (recovered.records) logger.info(recovered, 'settlement journal replayed');
  let watchdog: NodeJS.Timeout | undefined;
  if (options.schedule !== false) {
    try {
      const queue = app.get<BullQueue>(getQueueToken(Queue.AgreementCheck));
      // one pass now (checks lost while no worker ran, or while Redis was empty); workers share it
      const sweepNow = () => queue.add('sweep', {}, { jobId: 'sweep-on-start', removeOnComplete: true, removeOnFail: true });
      const schedule = {
        sweep: () => queue.upsertJobScheduler('sweep', { every: config.sweepIntervalMs }, { name: 'sweep', data: {}, opts: REPEAT_OPTS }),
        'stale-cleanup': () =>
          queue.upsertJobScheduler(
            'stale-cleanup',
            { every: options.staleCleanupEveryMs ?? 600_000 },
            { name: 'stale-cleanup', data: {}, opts: REPEAT_OPTS },
          ),
      };
      // at start: upsert, so N workers share one schedule (and the newest interval wins)
      await schedule.sweep();
      await schedule['stale-cleanup']();
      await sweepNow();
      // later only what is missing: a Redis that came back empty gets both again without a worker restart
      const ensureSchedules = async () => {
        for (const name of ['sweep', 'stale-cleanup'] as const) {
          if (await queue.getJobScheduler(name)) continue;
          await schedule[name]();
          if (name === 'sweep') await sweepNow();
        }
      };
      watchdog = setInterval(
        () => ensureSchedules().catch((e) => logger.warn({ err: (e as Error).message }, 'could not check the schedules')),
        Math.max(1000, Math.min(config.sweepIntervalMs, 30_000)),
      );
      watchdog.unref();
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
    settlement,
    close() {
      clearInterval(watchdog);
      closing ??= app.close().then(() => settlement.shutdown());
      return closing;
    },
  };
}
