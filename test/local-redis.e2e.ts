import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedis, ensureLocalRedis, redisAnswers, shutdownLocalRedis } from '@parley/queues';

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** `npm start`'s embedded Redis: started from the PATH when nothing answers, files under DATA_DIR. */
describe('the embedded Redis of npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-redis-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts a private redis-server with AOF under DATA_DIR, and reuses one that answers', async () => {
    const port = await freePort();
    const first = await ensureLocalRedis(dataDir, port);
    expect(first).toEqual({ url: `redis://127.0.0.1:${port}`, started: true });
    const r = createRedis(first.url);
    try {
      expect(await r.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await r.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await r.config('GET', 'dir')).toEqual(['dir', join(dataDir, 'redis')]);
      expect(await ensureLocalRedis(dataDir, port)).toEqual({ url: first.url, started: false });
    } finally {
      r.disconnect();
      await shutdownLocalRedis(first.url);
    }
    expect(await redisAnswers(first.url, 500)).toBe(false);
    expect(existsSync(join(dataDir, 'redis'))).toBe(true);
  });

  it('says what to do in one line when there is no redis-server to start', async () => {
    const port = await freePort();
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(ensureLocalRedis(dataDir, port)).rejects.toThrow(/no redis-server is on the PATH: install Redis .* or set REDIS_URL/);
    } finally {
      process.env.PATH = path;
    }
  });
});
