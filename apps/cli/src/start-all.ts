import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@parley/config';
import { ensureLocalRedis, redisAnswers, shutdownLocalRedis } from '@parley/queues';

/**
 * `npm start`: gateway, ai-worker and agreement-worker as child processes of this one, against a
 * local Redis. With REDIS_URL unset and nothing on the default port, a private redis-server is
 * started with its files under DATA_DIR. A child that dies is restarted after a short pause.
 */
const SERVICES = ['gateway', 'ai-worker', 'agreement-worker'] as const;

async function main(): Promise<void> {
  const config = loadConfig();
  let redisUrl = config.redisUrl;
  let ownRedis = false;
  if (config.redisUrlSet) {
    if (!(await redisAnswers(redisUrl, 3000)))
      throw new ConfigError(`REDIS_URL ${redisUrl} does not answer: start that Redis or unset REDIS_URL to use a local one.`);
  } else {
    const local = await ensureLocalRedis(config.dataDir);
    redisUrl = local.url;
    ownRedis = local.started;
    if (ownRedis) log(`started a private redis-server on ${redisUrl} (files in ${join(config.dataDir, 'redis')})`);
  }
  const env = { ...process.env, REDIS_URL: redisUrl, DATA_DIR: config.dataDir, JWT_SECRET: config.jwtSecret };
  const children = new Map<string, ChildProcess>();
  let stopping = false;

  const run = (name: (typeof SERVICES)[number]) => {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', name, 'src', 'main.js')], { env, stdio: 'inherit' });
    children.set(name, child);
    child.on('exit', (code, signal) => {
      children.delete(name);
      if (stopping) return;
      log(`${name} exited (${signal ?? code}); restarting in 2 s`);
      setTimeout(() => !stopping && run(name), 2000);
    });
  };
  SERVICES.forEach(run);
  log(`Parley is starting: open http://localhost:${config.port}/ (DATA_DIR ${config.dataDir})`);

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    const exits = [...children.values()].map((c) => new Promise((r) => c.once('exit', r)));
    children.forEach((c) => c.kill('SIGTERM'));
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 15000))]);
    if (ownRedis) await shutdownLocalRedis(redisUrl);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function log(msg: string) {
  console.log(JSON.stringify({ level: 'info', service: 'parley', msg }));
}

main().catch((e) => {
  console.error(e instanceof ConfigError || e instanceof Error ? e.message : e);
  process.exit(1);
});
