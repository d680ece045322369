import { Inject, OnModuleDestroy, Type } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { JobRegistry, ParleyMetrics, Queue, WorkerTuning, workerOptions } from '@parley/queues';
import { AiReplyService } from '@parley/ai-reply';

export const AI_WORKER_LOGGER = 'AI_WORKER_LOGGER';

/** Errors that another attempt would only repeat (and, for the engine, would show the student twice). */
const FINAL_CODES: string[] = [ErrorCode.AiTimeout, ErrorCode.AiFailed, ErrorCode.InvalidPayload];
export type AiResponseWorkerOptions = WorkerTuning;

/**
 * The `ai-response` consumer. A factory, because @Processor takes its worker options (concurrency
 * from the config) when the class is decorated. Thin: dispatches through the JobRegistry.
 */
export function aiResponseProcessor(options: AiResponseWorkerOptions): Type<WorkerHost> {
  @Processor(Queue.AiResponse, workerOptions(options))
  class AiResponseProcessor extends WorkerHost implements OnModuleDestroy {
    private readonly registry: JobRegistry<typeof Queue.AiResponse>;

    constructor(
      @Inject(AiReplyService) replies: AiReplyService,
      @Inject(AI_WORKER_LOGGER) private readonly log: Logger,
      @Inject(ParleyMetrics) private readonly metrics: ParleyMetrics,
    ) {
      super();
      this.registry = new JobRegistry(Queue.AiResponse, { reply: (data) => replies.handle(data) });
    }

    async process(job: Job): Promise<unknown> {
      try {
        const outcome = (await this.metrics.timeJob(Queue.AiResponse, job, () => this.registry.dispatch(job.name, job.data))) as {
          status: string;
          message?: { seq: number };
        };
        return { status: outcome.status, seq: outcome.message?.seq };
      } catch (e) {
        if (e instanceof ParleyError && FINAL_CODES.includes(e.code)) throw new UnrecoverableError(`${e.code}: ${e.message}`);
        throw e;
      }
    }

    /** Before anything else closes: stop taking jobs and let the running ones finish. */
    async onModuleDestroy(): Promise<void> {
      await this.worker.close();
    }

    @OnWorkerEvent('failed')
    onFailed(job: Job | undefined, error: Error): void {
      this.log.warn({ job_id: job?.id, attempts: job?.attemptsMade, err: error.message }, 'ai-response job failed');
    }

    @OnWorkerEvent('stalled')
    onStalled(jobId: string): void {
      this.log.warn({ job_id: jobId }, 'ai-response job stalled (its worker died or hung); it runs again');
    }

    @OnWorkerEvent('error')
    onError(error: Error): void {
      this.log.error({ err: error.message }, 'ai-response worker error');
    }
  }
  return AiResponseProcessor;
}
