import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// relative, not @parley/queues: jest loads global setup outside the test environment, without moduleNameMapper
import { ensureLocalRedis } from '../../libs/queues/src/local-redis';
import { redisAnswers } from '../../libs/queues/src/redis';

/** A real Redis for every test: REDIS_URL if set, else the local one, started like `npm start` does. */
export default async function globalSetup(): Promise<void> {
  if (process.env.REDIS_URL) {
    if (!(await redisAnswers(process.env.REDIS_URL))) throw new Error(`REDIS_URL ${process.env.REDIS_URL} does not answer`);
    return;
  }
  const { url } = await ensureLocalRedis(mkdtempSync(join(tmpdir(), 'parley-redis-')));
  process.env.REDIS_URL = url;
}
