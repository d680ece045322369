import type { Logger } from 'pino';
import type { AuditLog } from '@parley/store';
import type { JobHandlers, ParleyMetrics, Queue } from '@parley/queues';
import type { Settlement, SettlementResult } from '@parley/settlement';

export type AgreementHandlers = JobHandlers<typeof Queue.AgreementCheck>;

export interface AgreementJobsDeps {
  settlement: Settlement;
  metrics: ParleyMetrics;
  audit: AuditLog;
  logger: Logger;
  /** A claimed negotiation untouched this long is finished by the sweep. */
  claimStaleMs: number;
  staleAfterMs: number;
}

/** The `agreement-check` jobs (`check`, `sweep`, `stale-cleanup`) on the settlement, each result counted, audited and logged. */
export function agreementJobs({ settlement, metrics, audit, logger, claimStaleMs, staleAfterMs }: AgreementJobsDeps): AgreementHandlers {
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
      const r = await settlement.check(owner, negotiation_id);
      report(r);
      return { action: r.action, reason: r.reason };
    },
    sweep: async () => summary(await settlement.sweep({ claimStaleMs })),
    'stale-cleanup': async () => summary(await settlement.staleCleanup(staleAfterMs)),
  };
}
