import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { redisAnswers } from './redis';

/**
 * The embedded default for one machine: when nothing answers on the default port, start a private
 * redis-server from the PATH with its files under DATA_DIR (AOF on, never evict).
 * Returns the URL to use, or throws with one line saying what to do.
 */
export async function ensureLocalRedis(dataDir: string, port = 6379): Promise<{ url: string; started: boolean }> {
  const url = `redis://127.0.0.1:${port}`;
  if (await redisAnswers(url)) return { url, started: false };
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8', env: process.env });
  if (which.status !== 0) {
    throw new Error(
      `No Redis answers on ${url} and no redis-server is on the PATH: install Redis (apt-get install redis-server) or set REDIS_URL.`,
    );
  }
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
      '--daemonize',
      'yes',
      '--logfile',
      join(dir, 'redis.log'),
    ],
    { stdio: 'ignore', env: process.env },
  );
  await new Promise((res) => child.on('exit', res));
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(url, 500)) return { url, started: true };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Started redis-server on port ${port} but it does not answer; see ${join(dir, 'redis.log')}.`);
}

/** Stops a Redis this process started (a plain client: one that reconnects forever would wait on it). */
export async function shutdownLocalRedis(url: string): Promise<void> {
  const client = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.shutdown().catch(() => undefined);
  } catch {
    /* already gone */
  } finally {
    client.disconnect();
  }
}
