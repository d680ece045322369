/** Queue names and the typed payload of every job name (one map, shared by producers and workers). */
export const Queue = {
  AiResponse: 'ai-response',
  AgreementCheck: 'agreement-check',
} as const;
export type QueueName = (typeof Queue)[keyof typeof Queue];

export interface JobPayloads {
  'ai-response': {
    /** Reply to the party's latest state and messages up to `trigger_seq`. */
    reply: { negotiation_id: string; owner: string; trigger_seq: number; reason: 'message' | 'offer' | 'dev' };
  };
  'agreement-check': {
    check: { negotiation_id: string; owner: string };
    sweep: Record<string, never>;
    'stale-cleanup': Record<string, never>;
  };
}

export type JobName<Q extends QueueName> = keyof JobPayloads[Q] & string;
export type JobData<Q extends QueueName, N extends JobName<Q>> = JobPayloads[Q][N];

/** The job names each queue must have a handler for; a worker refuses to start without one. */
export const JOB_NAMES: { [Q in QueueName]: JobName<Q>[] } = {
  'ai-response': ['reply'],
  'agreement-check': ['check', 'sweep', 'stale-cleanup'],
};

/** Job ids that make duplicates collapse: a burst of offer updates leaves one pending check. */
export const jobId = {
  aiReply: (negotiationId: string, triggerSeq: number) => `ai-${negotiationId}-${triggerSeq}`,
  agreementCheck: (negotiationId: string) => `check-${negotiationId}`,
};
