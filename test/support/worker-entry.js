/**
 * A worker process for the cluster and fault tests: the same createAiWorker / createAgreementWorker
 * that dist/apps/<worker>/src/main.js runs, from the same build, with two differences a test needs:
 *  - BullMQ's lock and stall check come from the environment (production keeps BullMQ's 30 s), so the
 *    job of a worker killed with SIGKILL is taken over in seconds, not a minute;
 *  - it prints {"event":"started"} on stdout once it consumes jobs (the harness waits for that line).
 *
 *   node test/support/worker-entry.js ai|agreement
 *   TEST_JOB_LOCK_MS (default 3000), TEST_STALLED_INTERVAL_MS (default 1000), TEST_CLAIM_STALE_MS (default 3000)
 */
require('reflect-metadata');
const { join } = require('node:path');

const dist = join(__dirname, '..', '..', 'dist');
const { loadConfig } = require(join(dist, 'libs/config/src'));

async function main() {
  const kind = process.argv[2];
  const config = loadConfig();
  const worker = {
    lockDuration: Number(process.env.TEST_JOB_LOCK_MS || 3000),
    stalledInterval: Number(process.env.TEST_STALLED_INTERVAL_MS || 1000),
  };
  if (kind === 'ai') {
    const { createAiWorker } = require(join(dist, 'apps/ai-worker/src/ai-worker'));
    await createAiWorker(config, { worker });
  } else if (kind === 'agreement') {
    const { createAgreementWorker } = require(join(dist, 'apps/agreement-worker/src/agreement-worker'));
    await createAgreementWorker(config, { worker, claimStaleMs: Number(process.env.TEST_CLAIM_STALE_MS || 3000) });
  } else {
    throw new Error(`usage: worker-entry.js ai|agreement (got ${kind})`);
  }
  process.stdout.write(JSON.stringify({ event: 'started', kind, pid: process.pid }) + '\n');
}

main().catch((e) => {
  process.stderr.write(String((e && e.stack) || e) + '\n');
  process.exit(1);
});
