import { z } from 'zod';
import { NEGOTIATION_ID_PATTERN } from '@parley/contracts';

/** Queue names and the typed payload of every job name (one map, shared by producers and workers). */
export const Queue = {
  AiResponse: 'ai-response',
  AgreementCheck: 'agreement-check',
} as const;
export type QueueName = (typeof Queue)[keyof typeof Queue];

const negotiationId = z.string().regex(NEGOTIATION_ID_PATTERN, 'invalid negotiation id');
/** The initiator's e-mail; libs/store checks it strictly before it becomes a path. */
const owner = z.string().min(3, 'invalid owner e-mail').max(254, 'invalid owner e-mail');
const none = z.object({}).strict();

/** The payload schema of every job name, checked by the JobRegistry before a handler runs (as client events are). */
export const JobSchema = {
  'ai-response': {
    /** Reply to the party's latest state and messages up to `trigger_seq`. */
    reply: z.object({
      negotiation_id: negotiationId,
      owner,
      trigger_seq: z.number().int().min(0),
      reason: z.enum(['message', 'offer', 'dev']),
    }),
  },
  'agreement-check': {
    check: z.object({ negotiation_id: negotiationId, owner }),
    sweep: none,
    'stale-cleanup': none,
    /** A class session's round is over (its time, or its instructor): every unfinished negotiation closes as no deal (time). */
    'round-end': z.object({ session_id: z.string().uuid('invalid session id'), round: z.number().int().min(1).max(10_000) }),
  },
} as const;

export type JobPayloads = { [Q in QueueName]: { [N in keyof (typeof JobSchema)[Q]]: z.infer<(typeof JobSchema)[Q][N]> } };

export type JobName<Q extends QueueName> = keyof JobPayloads[Q] & string;
export type JobData<Q extends QueueName, N extends JobName<Q>> = JobPayloads[Q][N];

/** The job names each queue must have a handler for; a worker refuses to start without one. */
export const JOB_NAMES: { [Q in QueueName]: JobName<Q>[] } = {
  'ai-response': ['reply'],
  'agreement-check': ['check', 'sweep', 'stale-cleanup', 'round-end'],
};

/** Job ids that make duplicates collapse: a burst of offer updates leaves one pending check. */
export const jobId = {
  aiReply: (negotiationId: string, triggerSeq: number) => `ai-${negotiationId}-${triggerSeq}`,
  agreementCheck: (negotiationId: string) => `check-${negotiationId}`,
  roundEnd: (sessionId: string, round: number, when: 'time' | 'now') => `round-end-${sessionId}-${round}-${when}`,
};
