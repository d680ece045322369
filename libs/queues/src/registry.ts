import { UnrecoverableError } from 'bullmq';
import type { z } from 'zod';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { JOB_NAMES, JobName, JobPayloads, JobSchema, QueueName } from './jobs';

/** How a job reached its handler: `redelivered` when an earlier run of it failed, stalled or its worker died. */
export interface Delivery {
  redelivered: boolean;
}

export type JobHandlers<Q extends QueueName> = {
  [N in JobName<Q>]: (data: JobPayloads[Q][N], delivery: Delivery) => Promise<unknown>;
};

/** Checks at start-up that every job name of a queue has a handler; dispatches by name, the payload checked against its schema. */
export class JobRegistry<Q extends QueueName> {
  constructor(
    readonly queue: Q,
    private readonly handlers: JobHandlers<Q>,
  ) {
    const missing = JOB_NAMES[queue].filter((name) => typeof (handlers as Record<string, unknown>)[name] !== 'function');
    if (missing.length) throw new Error(`Queue ${queue}: no handler for job ${missing.join(', ')}`);
  }

  dispatch(name: string, data: unknown, delivery: Delivery = { redelivered: false }): Promise<unknown> {
    const handler = (this.handlers as Record<string, (d: unknown, delivery: Delivery) => Promise<unknown>>)[name];
    if (!handler || !(JOB_NAMES[this.queue] as string[]).includes(name)) {
      // another attempt would only fail the same way
      throw new UnrecoverableError(`Queue ${this.queue}: unknown job name ${name}`);
    }
    return handler(parseJob(this.queue, name as JobName<Q>, data), delivery);
  }
}

/** The job's data if it fits its schema; otherwise INVALID_PAYLOAD naming the field (another attempt would fail the same way). */
export function parseJob<Q extends QueueName, N extends JobName<Q>>(queue: Q, name: N, data: unknown): JobPayloads[Q][N] {
  const schema = (JobSchema[queue] as Record<string, z.ZodType>)[name];
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data as JobPayloads[Q][N];
  const issue = parsed.error.issues[0];
  throw new ParleyError(
    ErrorCode.InvalidPayload,
    `${issue.message} (${queue} job ${name}${issue.path.length ? `, ${issue.path.join('.')}` : ''})`,
  );
}
