import 'reflect-metadata';
import { ConfigError, exitOnStartupError, loadConfig } from '@parley/config';
import { redisAnswers } from '@parley/queues';
import { createAgreementWorker } from './agreement-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!(await redisAnswers(config.redisUrl, 3000))) {
    throw new ConfigError(`Redis does not answer at ${config.redisUrl}: start Redis or set REDIS_URL.`);
  }
  await createAgreementWorker(config);
}

main().catch((e) => exitOnStartupError('agreement-worker', e));
