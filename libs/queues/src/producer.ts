import { Queue as BullQueue } from 'bullmq';
import type IORedis from 'ioredis';
import { JobPayloads, Queue, jobId } from './jobs';
import { bullPrefix } from './redis';

const KEEP = { removeOnComplete: true, removeOnFail: 500 } as const;

/** Typed producers for both queues; used by the gateway and by workers that enqueue follow-ups. */
export class JobProducer {
  readonly aiResponse: BullQueue;
  readonly agreementCheck: BullQueue;

  constructor(connection: IORedis, redisPrefix: string) {
    const prefix = bullPrefix(redisPrefix);
    this.aiResponse = new BullQueue(Queue.AiResponse, { connection, prefix });
    this.agreementCheck = new BullQueue(Queue.AgreementCheck, { connection, prefix });
  }

  async enqueueAiReply(data: JobPayloads['ai-response']['reply']): Promise<void> {
    await this.aiResponse.add('reply', data, {
      jobId: jobId.aiReply(data.negotiation_id, data.trigger_seq),
      attempts: 3,
      backoff: { type: 'exponential', delay: 500 },
      ...KEEP,
    });
  }

  /**
   * One pending check per negotiation: a burst of state writes collapses into it. When the check
   * with that id is already running it may have read the states before this write, so a follow-up
   * check is queued under a second id.
   */
  async enqueueAgreementCheck(data: JobPayloads['agreement-check']['check']): Promise<void> {
    const base = jobId.agreementCheck(data.negotiation_id);
    for (const id of [base, `${base}-followup`]) {
      const job = await this.agreementCheck.add('check', data, {
        jobId: id,
        attempts: 5,
        backoff: { type: 'exponential', delay: 200 },
        ...KEEP,
      });
      if ((await job.getState()) !== 'active') return;
    }
    await this.agreementCheck.add('check', data, { jobId: `${base}-${Date.now()}`, attempts: 5, ...KEEP });
  }

  /**
   * The round-end job: at the round's end time (when 'time'), or at once when its instructor ends it
   * ('now'). Either closes each unfinished negotiation once; the two ids let both exist.
   */
  async enqueueRoundEnd(data: JobPayloads['agreement-check']['round-end'], when: 'time' | 'now', delayMs = 0): Promise<void> {
    await this.agreementCheck.add('round-end', data, {
      jobId: jobId.roundEnd(data.session_id, data.round, when),
      delay: Math.max(0, delayMs),
      attempts: 10,
      backoff: { type: 'exponential', delay: 500 },
      ...KEEP,
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.aiResponse.close(), this.agreementCheck.close()]);
  }
}
