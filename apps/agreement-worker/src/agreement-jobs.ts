import type { Logger } from 'pino';
import { owedAiTurns, type AuditLog, type DataPaths } from '@parley/store';
import type { JobHandlers, JobProducer, ParleyMetrics, Queue } from '@parley/queues';
import type { Settlement, SettlementResult } from '@parley/settlement';
import type { RoundCloser } from '@parley/sessions';

export type AgreementHandlers = JobHandlers<typeof Queue.AgreementCheck>;

export interface AgreementJobsDeps {
  settlement: Settlement;
  /** The `round-end` job: a class round's unfinished negotiations close as no deal (time). */
  rounds: Pick<RoundCloser, 'close' | 'closeOverdue'>;
  paths: DataPaths;
  /** Re-queues AI turns whose reply job was lost (e.g. Redis came back empty). */
  producer: Pick<JobProducer, 'enqueueAiReply'>;
  metrics: ParleyMetrics;
  audit: AuditLog;
  logger: Logger;
  /** A claimed negotiation untouched this long is finished by the sweep. */
  claimStaleMs: number;
  staleAfterMs: number;
}

/** A student line this old with no AI line after it lost its reply job. */
const OWED_AI_TURN_AFTER_MS = 5_000;

/** The `agreement-check` jobs (`check`, `sweep`, `stale-cleanup`) on the settlement, each result counted, audited and logged. */
export function agreementJobs(deps: AgreementJobsDeps): AgreementHandlers {
  const { settlement, rounds, paths, producer, metrics, audit, logger, claimStaleMs, staleAfterMs } = deps;
  const report = (r: SettlementResult) => {
    if (['untouched', 'busy', 'missing'].includes(r.action)) return;
    if (r.action !== 'skipped') {
      metrics.settlements.inc({ status: r.action });
      audit.record({
        who: 'system',
        what: 'settle',
        negotiation_id: r.negotiation_id,
        result: r.action,
        ...(r.reason ? { detail: r.reason } : {}),
      });
    }
    const level = r.action === 'error' ? 'error' : r.action === 'skipped' ? 'warn' : 'info';
    logger[level]({ negotiation_id: r.negotiation_id, owner: r.owner, action: r.action, reason: r.reason }, `negotiation ${r.action}`);
  };
  const summary = (results: SettlementResult[]) => {
    // what a pass could not judge stays as it is; saying so every minute would only be noise
    results.filter((r) => r.action !== 'skipped').forEach(report);
    const counts: Record<string, number> = {};
    for (const r of results) counts[r.action] = (counts[r.action] ?? 0) + 1;
    return counts;
  };
  return {
    check: async ({ negotiation_id, owner }) => {
      const r = await settlement.checkJob(owner, negotiation_id);
      report(r);
      return { action: r.action, reason: r.reason };
    },
    sweep: async () => {
      const counts = summary(await settlement.sweep({ claimStaleMs }));
      // a class round whose timer job was lost still ends
      const overdue = await rounds.closeOverdue().catch((e) => {
        logger.warn({ err: (e as Error).message }, 'could not look for overdue rounds');
        return [];
      });
      if (overdue.length) summary(overdue);
      // reply jobs are idempotent (one id per turn, and the AI skips a turn it answered): re-adding is safe
      const owed = await owedAiTurns(paths, OWED_AI_TURN_AFTER_MS).catch((e) => {
        logger.warn({ err: (e as Error).message }, 'could not look for unanswered AI turns');
        return [];
      });
      for (const t of owed) await producer.enqueueAiReply({ ...t, reason: 'message' });
      if (owed.length) logger.warn({ count: owed.length }, 'AI turns without a reply job re-queued');
      return { ...counts, ai_turns_requeued: owed.length };
    },
    'stale-cleanup': async () => summary(await settlement.staleCleanup(staleAfterMs)),
    'round-end': async ({ session_id, round }) => {
      const counts = summary(await rounds.close(session_id, round));
      logger.info({ session_id, round, ...counts }, 'round ended');
      return counts;
    },
  };
}
