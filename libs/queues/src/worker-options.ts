import { BullModule } from '@nestjs/bullmq';
import type { QueueName } from './jobs';
import { bullPrefix } from './redis';

/**
 * How often a job may lose its worker (crash, SIGKILL, OOM) and still run again. BullMQ's default (1)
 * fails a job whose worker died twice; every Parley job is idempotent, so running it again is safe.
 */
export const MAX_STALLED_COUNT = 5;

export interface WorkerTuning {
  concurrency: number;
  /** BullMQ lock/stall settings; tests shorten them so a killed worker's job is picked up quickly. */
  lockDuration?: number;
  stalledInterval?: number;
  maxStalledCount?: number;
}

/** The BullMQ worker options both processors pass to @Processor. */
export function workerOptions(t: WorkerTuning) {
  return {
    concurrency: t.concurrency,
    ...(t.lockDuration ? { lockDuration: t.lockDuration } : {}),
    ...(t.stalledInterval ? { stalledInterval: t.stalledInterval } : {}),
    maxStalledCount: t.maxStalledCount ?? MAX_STALLED_COUNT,
  };
}

/** BullModule.forRoot options of a worker: the deployment's Redis and key prefix. */
export function bullRootOptions(redisUrl: string, redisPrefix: string) {
  return { connection: { url: redisUrl, maxRetriesPerRequest: null }, prefix: bullPrefix(redisPrefix) };
}

/** What a worker module imports for its queue: BullMQ on the deployment's Redis and prefix, and the queue. */
export function workerQueueImports(redisUrl: string, redisPrefix: string, queue: QueueName) {
  return [BullModule.forRoot(bullRootOptions(redisUrl, redisPrefix)), BullModule.registerQueue({ name: queue })];
}
