import { UnrecoverableError } from 'bullmq';
import { JOB_NAMES, JobName, JobPayloads, QueueName } from './jobs';

export type JobHandlers<Q extends QueueName> = {
  [N in JobName<Q>]: (data: JobPayloads[Q][N]) => Promise<unknown>;
};

/** Checks at start-up that every job name of a queue has a handler; dispatches by name. */
export class JobRegistry<Q extends QueueName> {
  constructor(
    readonly queue: Q,
    private readonly handlers: JobHandlers<Q>,
  ) {
    const missing = JOB_NAMES[queue].filter((name) => typeof (handlers as Record<string, unknown>)[name] !== 'function');
    if (missing.length) throw new Error(`Queue ${queue}: no handler for job ${missing.join(', ')}`);
  }

  dispatch(name: string, data: unknown): Promise<unknown> {
    const handler = (this.handlers as Record<string, (d: unknown) => Promise<unknown>>)[name];
    if (!handler || !(JOB_NAMES[this.queue] as string[]).includes(name)) {
      // another attempt would only fail the same way
      throw new UnrecoverableError(`Queue ${this.queue}: unknown job name ${name}`);
    }
    return handler(data);
  }
}
