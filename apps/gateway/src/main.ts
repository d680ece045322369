import './threadpool';
import 'reflect-metadata';
import { ConfigError, exitOnStartupError, LOGGER, loadConfig } from '@parley/config';
import type { Logger } from 'pino';
import { redisAnswers } from '@parley/queues';
import { createGateway } from './gateway';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!(await redisAnswers(config.redisUrl, 3000))) {
    throw new ConfigError(`Redis does not answer at ${config.redisUrl}: start Redis or set REDIS_URL.`);
  }
  const gw = await createGateway(config);
  gw.app.get<Logger>(LOGGER).info({ data_dir: config.dataDir }, `listening on ${config.host}:${gw.port}`);
}

main().catch((e) => exitOnStartupError('gateway', e, Number(process.env.PORT ?? 3000)));
