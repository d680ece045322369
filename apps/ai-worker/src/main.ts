import 'reflect-metadata';
import { ConfigError, exitOnStartupError, loadConfig } from '@parley/config';
import { redisAnswers } from '@parley/queues';
import { createAiWorker } from './ai-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!(await redisAnswers(config.redisUrl, 3000))) {
    throw new ConfigError(`Redis does not answer at ${config.redisUrl}: start Redis or set REDIS_URL.`);
  }
  await createAiWorker(config);
}

main().catch((e) => exitOnStartupError('ai-worker', e));
