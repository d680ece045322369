import { Inject, OnModuleDestroy, Type } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { JobHandlers, JobRegistry, ParleyMetrics, Queue, WorkerTuning, workerOptions } from '@parley/queues';

export const AGREEMENT_HANDLERS = 'AGREEMENT_HANDLERS';
export const AGREEMENT_LOGGER = 'AGREEMENT_LOGGER';

export type AgreementHandlers = JobHandlers<typeof Queue.AgreementCheck>;

export type AgreementWorkerOptions = WorkerTuning;

/**
 * The `agreement-check` consumer (jobs `check`, `sweep`, `stale-cleanup`). A factory, because
 * @Processor takes its worker options (concurrency from the config) when the class is decorated.
 * Thin: dispatches through the JobRegistry to the settlement.
 */
export function agreementProcessor(options: AgreementWorkerOptions): Type<WorkerHost> {
  @Processor(Queue.AgreementCheck, workerOptions(options))
  class AgreementProcessor extends WorkerHost implements OnModuleDestroy {
    private readonly registry: JobRegistry<typeof Queue.AgreementCheck>;

    constructor(
      @Inject(AGREEMENT_HANDLERS) handlers: AgreementHandlers,
      @Inject(AGREEMENT_LOGGER) private readonly log: Logger,
      @Inject(ParleyMetrics) private readonly metrics: ParleyMetrics,
    ) {
      super();
      this.registry = new JobRegistry(Queue.AgreementCheck, handlers);
    }

    async process(job: Job): Promise<unknown> {
      try {
        return await this.metrics.timeJob(Queue.AgreementCheck, job, () => this.registry.dispatch(job.name, job.data ?? {}));
      } catch (e) {
        // a bad id or e-mail will be just as bad on the next attempt
        if (e instanceof ParleyError && e.code === ErrorCode.InvalidPayload) throw new UnrecoverableError(`${e.code}: ${e.message}`);
        throw e;
      }
    }

    /** Before anything else closes: stop taking jobs and let the running ones finish. */
    async onModuleDestroy(): Promise<void> {
      await this.worker.close();
    }

    @OnWorkerEvent('failed')
    onFailed(job: Job | undefined, error: Error): void {
      this.log.warn({ job: job?.name, job_id: job?.id, attempts: job?.attemptsMade, err: error.message }, 'agreement-check job failed');
    }

    @OnWorkerEvent('error')
    onError(error: Error): void {
      this.log.error({ err: error.message }, 'agreement-check worker error');
    }
  }
  return AgreementProcessor;
}
