/**
 * An agreement-worker in its own process for test/agreement-worker-processes.e2e.ts, which bundles
 * this file with esbuild, runs two of them side by side and kills one with SIGKILL. Config comes from
 * the environment as in production.
 *
 *   CLAIM_STALE_MS=n                resume claims older than n ms on sweep (default 30 s)
 *   CRASH_AT=between-transactions   stop dead after the buyer's transaction file is written (the test
 *                                   then sends SIGKILL); the seller's file is never written
 *
 * Prints one JSON line per milestone on stdout: {"event":"started"}, {"event":"at-hook","negotiation_id":…}.
 */
import { loadConfig } from '@parley/config';
import { createAgreementWorker } from '../../apps/agreement-worker/src/agreement-worker';

const say = (event: string, extra: object = {}) => process.stdout.write(JSON.stringify({ event, ...extra }) + '\n');

async function main(): Promise<void> {
  const config = loadConfig();
  const crash = process.env.CRASH_AT === 'between-transactions';
  await createAgreementWorker(config, {
    scorer: null,
    claimStaleMs: process.env.CLAIM_STALE_MS ? Number(process.env.CLAIM_STALE_MS) : undefined,
    hooks: crash
      ? {
          betweenTransactions: (trade) => {
            say('at-hook', { negotiation_id: trade.negotiation_id });
            return new Promise(() => undefined);
          },
        }
      : undefined,
  });
  say('started');
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
