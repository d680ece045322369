import { ErrorCode } from '@parley/contracts';
import { Queue, WorkerTuning, jobProcessor } from '@parley/queues';
import type { ReplyOutcome } from '@parley/ai-reply';

/** The injection token of the `ai-response` job handlers. */
export const AI_RESPONSE_HANDLERS = 'AI_RESPONSE_HANDLERS';

export type AiResponseWorkerOptions = WorkerTuning;

/**
 * The `ai-response` consumer. Errors that another attempt would only repeat (and, for the engine,
 * would show the student twice) are final.
 */
export const aiResponseProcessor = (tuning: AiResponseWorkerOptions) =>
  jobProcessor({
    queue: Queue.AiResponse,
    tuning,
    handlers: AI_RESPONSE_HANDLERS,
    finalCodes: [ErrorCode.AiTimeout, ErrorCode.AiFailed],
    result: (value) => {
      const outcome = value as ReplyOutcome;
      return { status: outcome.status, seq: 'message' in outcome ? outcome.message.seq : undefined };
    },
  });
