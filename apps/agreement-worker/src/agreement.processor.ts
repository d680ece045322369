import { Queue, WorkerTuning, jobProcessor } from '@parley/queues';

/** The injection token of the `agreement-check` job handlers. */
export const AGREEMENT_HANDLERS = 'AGREEMENT_HANDLERS';

export type AgreementWorkerOptions = WorkerTuning;

/** The `agreement-check` consumer (jobs `check`, `sweep`, `stale-cleanup`); a bad id or e-mail is final. */
export const agreementProcessor = (tuning: AgreementWorkerOptions) =>
  jobProcessor({ queue: Queue.AgreementCheck, tuning, handlers: AGREEMENT_HANDLERS });
