/**
 * An agreement worker in its own process for the market bench (so one can be killed with SIGKILL):
 * production's createAgreementWorker with BullMQ's lock and stall check shortened, so a killed worker's
 * jobs are taken over in seconds. Prints {"event":"started"} once it consumes jobs.
 */
import 'reflect-metadata';
import { loadConfig } from '@parley/config';
import { createAgreementWorker } from '../../apps/agreement-worker/src/agreement-worker';

createAgreementWorker(loadConfig(), { scorer: null, claimStaleMs: 3000, worker: { lockDuration: 3000, stalledInterval: 1000 } })
  .then(() => process.stdout.write(JSON.stringify({ event: 'started', pid: process.pid }) + '\n'))
  .catch((e) => {
    process.stderr.write(String(e?.stack ?? e) + '\n');
    process.exit(1);
  });
