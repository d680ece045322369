/**
 * An agreement-worker in its own process for fencing.e2e.ts. PAUSE_AT maps a seller to the point
 * where this worker stops for that seller's trades ("seller@x.edu=before-leg,other@x.edu=before-decision";
 * points: before-leg, before-decision, between-transactions). At the point it prints
 * {"event":"at-hook","point":…,"negotiation_id":…} and waits PAUSE_MS (the test sends SIGSTOP meanwhile).
 */
import { loadConfig } from '@parley/config';
import type { Trade } from '@parley/store';
import { createAgreementWorker } from '../../apps/agreement-worker/src/agreement-worker';

const say = (event: string, extra: object = {}) => process.stdout.write(JSON.stringify({ event, ...extra }) + '\n');
const pauseAt = new Map(
  (process.env.PAUSE_AT ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('=') as [string, string]),
);
const pauseMs = Number(process.env.PAUSE_MS ?? 4000);
const paused = new Set<string>();

async function at(point: string, trade: Trade): Promise<void> {
  const key = `${point}:${trade.negotiation_id}`;
  if (pauseAt.get(trade.seller) !== point || paused.has(key)) return;
  paused.add(key);
  say('at-hook', { point, negotiation_id: trade.negotiation_id });
  await new Promise((r) => setTimeout(r, pauseMs));
  say('resumed', { point, negotiation_id: trade.negotiation_id });
}

async function main(): Promise<void> {
  const config = loadConfig();
  await createAgreementWorker(config, {
    scorer: null,
    claimStaleMs: process.env.CLAIM_STALE_MS ? Number(process.env.CLAIM_STALE_MS) : undefined,
    hooks: {
      beforeLeg: (trade) => at('before-leg', trade),
      beforeDecision: (trade) => at('before-decision', trade),
      betweenTransactions: (trade) => at('between-transactions', trade),
    },
  });
  say('started');
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
