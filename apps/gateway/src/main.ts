import 'reflect-metadata';
import { ConfigError, loadConfig } from '@parley/config';
import { redisAnswers } from '@parley/queues';
import { createGateway } from './gateway';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!(await redisAnswers(config.redisUrl, 3000))) {
    throw new ConfigError(`Redis does not answer at ${config.redisUrl}: start Redis or set REDIS_URL.`);
  }
  const gw = await createGateway(config);
  console.log(JSON.stringify({ level: 'info', msg: `Parley gateway listening on ${config.host}:${gw.port}`, data_dir: config.dataDir }));
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
