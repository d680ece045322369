import { ChildProcess, spawn } from 'node:child_process';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ConfigError, createLogger, EXIT_CANNOT_START, loadConfig, ParleyConfig, prettyLogs, startupProblem } from '@parley/config';
import { ensureLocalRedis, redisAnswers, shutdownLocalRedis } from '@parley/queues';
import { DataPaths, MIN_PASSWORD_CHARS, SetupCodeStore, TeamStore } from '@parley/store';

/**
 * `npm start`: gateway, ai-worker and agreement-worker as child processes of this one, against a
 * local Redis. With REDIS_URL unset and nothing on the default port, a private redis-server is
 * started with its files under DATA_DIR. Once the gateway answers /ready, one line says where to
 * open Parley and what the instructor does first.
 *
 * A service that cannot start (bad setting, port taken: exit EXIT_CANNOT_START, or any exit within
 * STARTUP_MS of its start) stops the whole tree: restarting it would only fail again. A service that
 * dies after running for a while is restarted after a short pause.
 */
const SERVICES = ['gateway', 'ai-worker', 'agreement-worker'] as const;
type Service = (typeof SERVICES)[number];
const STARTUP_MS = 15_000;
const READY_TIMEOUT_MS = 60_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, 'parley', config.logFormat);
  await assertPortFree(config);
  let redisUrl = config.redisUrl;
  let ownRedis = false;
  if (config.redisUrlSet) {
    if (!(await redisAnswers(redisUrl, 3000)))
      throw new ConfigError(`REDIS_URL ${redisUrl} does not answer: start that Redis or unset REDIS_URL to use a local one.`);
  } else {
    const local = await ensureLocalRedis(config.dataDir);
    redisUrl = local.url;
    ownRedis = local.started;
    if (ownRedis) log.info(`started a private redis-server on ${redisUrl} (files in ${join(config.dataDir, 'redis')})`);
  }
  const env = { ...process.env, REDIS_URL: redisUrl, DATA_DIR: config.dataDir, JWT_SECRET: config.jwtSecret };
  const children = new Map<Service, ChildProcess>();
  let stopping = false;

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (code === 0) log.info('stopping…');
    const exits = [...children.values()].map((c) => new Promise((r) => c.once('exit', r)));
    children.forEach((c) => c.kill('SIGTERM'));
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 15000))]);
    children.forEach((c) => c.kill('SIGKILL'));
    if (ownRedis) await shutdownLocalRedis(redisUrl).catch(() => undefined);
    process.exit(code);
  };

  const run = (name: Service) => {
    const started = Date.now();
    const child = spawn(process.execPath, [join(__dirname, '..', '..', name, 'src', 'main.js')], { env, stdio: 'inherit' });
    children.set(name, child);
    child.on('exit', (code, signal) => {
      children.delete(name);
      if (stopping) return;
      if (code === EXIT_CANNOT_START || Date.now() - started < STARTUP_MS) {
        // the service has said why in one line; say what happens to the rest
        console.error(`Parley could not start (${name} exited during start-up); stopping.`);
        void stop(1);
        return;
      }
      log.warn(`${name} exited (${signal ?? code}); restarting in 2 s`);
      setTimeout(() => !stopping && run(name), 2000);
    });
  };
  SERVICES.forEach(run);
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  // `npm start` killed on its own (npm does not pass SIGTERM on): this process is re-parented, so stop too
  const launcher = process.ppid;
  setInterval(() => process.ppid !== launcher && void stop(0), 1000).unref();

  if (!(await untilReady(config, () => stopping))) {
    if (!stopping) log.warn(`the gateway did not answer /ready within ${READY_TIMEOUT_MS / 1000} s; still trying`);
    return;
  }
  const line = `Parley is ready at ${publicUrl(config)}  (instructor: ${await instructorNextStep(config.dataDir, publicUrl(config))})`;
  if (prettyLogs(config.logFormat)) console.log(`\n${line}\n`);
  else log.info({ url: publicUrl(config) }, line);
}

/** Refuses a taken port before anything starts, so the operator sees one line instead of a crashing gateway. */
function assertPortFree(config: ParleyConfig): Promise<void> {
  if (config.port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e) => reject(new ConfigError(startupProblem(e, config.port) ?? (e as Error).message)));
    probe.listen(config.port, config.host, () => probe.close(() => resolve()));
  });
}

/** Polls the gateway's /ready until it answers 200 (true), the tree stops, or the time is up (false). */
async function untilReady(config: ParleyConfig, stopped: () => boolean): Promise<boolean> {
  const host = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !stopped()) {
    const status = await new Promise<number>((resolve) => {
      const req = get({ host, port: config.port, path: '/ready', timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.on('timeout', () => req.destroy());
    });
    if (status === 200) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function publicUrl(config: ParleyConfig): string {
  const host = ['0.0.0.0', '::', '127.0.0.1'].includes(config.host) ? 'localhost' : config.host;
  return `http://${host}:${config.port}`;
}

/** What the instructor does first: create their account, or sign in and import the class. */
export async function instructorNextStep(dataDir: string, url: string): Promise<string> {
  const paths = new DataPaths(dataDir);
  const teams = new TeamStore(paths);
  const emails = await teams.list().catch(() => [] as string[]);
  const users = await Promise.all(emails.map((e) => teams.read(e).catch(() => null)));
  const instructor = users.find((u) => u?.role === 'instructor');
  if (!instructor) {
    // the gateway wrote the code before it answered /ready
    const code = await new SetupCodeStore(paths).read().catch(() => null);
    const cli = `npm run parley -- users add --email you@school.edu --password <at least ${MIN_PASSWORD_CHARS} characters> --role instructor`;
    return code ? `open ${url}/#/setup — setup code ${code} (or: ${cli})` : `first create your account: ${cli}`;
  }
  const students = users.filter((u) => u?.role === 'student').length;
  if (students === 0)
    return `sign in as ${instructor.email}, then add your class on Accounts: ${url}/#/accounts (see docs/sample-roster.csv)`;
  return `sign in as ${instructor.email}; ${students} student account${students === 1 ? '' : 's'} ready`;
}

if (require.main === module)
  main().catch((e) => {
    console.error(startupProblem(e) ?? (e instanceof Error ? e.message : String(e)));
    process.exit(1);
  });
