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
