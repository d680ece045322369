import { Inject, OnModuleDestroy, Type } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { LOGGER } from '@parley/config';
import type { QueueName } from './jobs';
import { JobHandlers, JobRegistry } from './registry';
import { ParleyMetrics } from './metrics';
import { WorkerTuning, workerOptions } from './worker-options';

export interface ProcessorSpec<Q extends QueueName> {
  queue: Q;
  tuning: WorkerTuning;
  /** The injection token of this queue's JobHandlers. */
  handlers: string;
  /** Error codes another attempt would only repeat; a job failing with one is not retried. */
  finalCodes?: string[];
  /** What the job returns to BullMQ, from what its handler returned. */
  result?: (value: unknown) => unknown;
}

/**
 * A BullMQ consumer for one queue. A factory, because @Processor takes its worker options (concurrency
 * from the config) when the class is decorated. Thin: times the job, dispatches it through the
 * JobRegistry (which checks the payload), and makes errors that would only repeat final.
 */
export function jobProcessor<Q extends QueueName>(spec: ProcessorSpec<Q>): Type<WorkerHost> {
  const finalCodes = [ErrorCode.InvalidPayload as string, ...(spec.finalCodes ?? [])];

  @Processor(spec.queue, workerOptions(spec.tuning))
  class JobProcessor extends WorkerHost implements OnModuleDestroy {
    private readonly registry: JobRegistry<Q>;

    constructor(
      @Inject(spec.handlers) handlers: JobHandlers<Q>,
      @Inject(LOGGER) private readonly log: Logger,
      @Inject(ParleyMetrics) private readonly metrics: ParleyMetrics,
    ) {
      super();
      this.registry = new JobRegistry(spec.queue, handlers);
    }

    async process(job: Job): Promise<unknown> {
      try {
        const value = await this.metrics.timeJob(spec.queue, job, () =>
          // attemptsStarted counts every move to active: above 1 after a failed attempt or a stall
          this.registry.dispatch(job.name, job.data ?? {}, { redelivered: job.attemptsStarted > 1 }),
        );
        return spec.result ? spec.result(value) : value;
      } catch (e) {
        if (e instanceof ParleyError && finalCodes.includes(e.code)) throw new UnrecoverableError(`${e.code}: ${e.message}`);
        throw e;
      }
    }

    /** Before anything else closes: stop taking jobs and let the running ones finish. */
    async onModuleDestroy(): Promise<void> {
      await this.worker.close();
    }

    @OnWorkerEvent('failed')
    onFailed(job: Job | undefined, error: Error): void {
      this.log.warn({ job: job?.name, job_id: job?.id, attempts: job?.attemptsMade, err: error.message }, `${spec.queue} job failed`);
    }

    @OnWorkerEvent('stalled')
    onStalled(jobId: string): void {
      this.log.warn({ job_id: jobId }, `${spec.queue} job stalled (its worker died or hung); it runs again`);
    }

    @OnWorkerEvent('error')
    onError(error: Error): void {
      this.log.error({ err: error.message }, `${spec.queue} worker error`);
    }
  }
  return JobProcessor;
}
