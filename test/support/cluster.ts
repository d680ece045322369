import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import IORedis from 'ioredis';

/**
 * A process harness for the cluster and fault tests: gateways and workers as separate Node processes
 * started from the build (`npm run build` → dist/), each on loopback, with bounded waits for readiness,
 * SIGKILL / SIGTERM / restart, and the last lines of every process's output kept for failure messages.
 * Every process started here is killed when the test process exits, even when a test fails.
 */

export const ROOT = resolve(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const WORKER_ENTRY = join(ROOT, 'test', 'support', 'worker-entry.js');
const LOG_LINES = 300;

export type ServiceKind = 'gateway' | 'ai-worker' | 'agreement-worker';

export interface ClusterEnv {
  redisUrl: string;
  redisPrefix: string;
  dataDir: string;
  jwtSecret: string;
  /** Extra environment for every process (MESSAGES_PER_MINUTE, SWEEP_INTERVAL_MS, LOG_LEVEL...). */
  env?: Record<string, string>;
}

const everyChild = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of everyChild) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` returns truthy, polling every `everyMs`; throws naming `what` after `ms`. */
export async function until<T>(what: string, check: () => T | Promise<T>, ms = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

/** A free TCP port on 127.0.0.1 (the OS picks it; closed again before it is used). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

export function assertBuilt(): void {
  for (const f of ['apps/gateway/src/main.js', 'apps/ai-worker/src/ai-worker.js', 'apps/agreement-worker/src/agreement-worker.js']) {
    if (!existsSync(join(DIST, f)))
      throw new Error(`dist/${f} is missing: run \`npm run build\` first (npm run test:cluster / test:reliability do)`);
  }
}

/** One service process. `start()` waits until it serves; `kill()` is SIGKILL; `stop()` is SIGTERM. */
export class Service {
  child: ChildProcess | null = null;
  readonly logs: string[] = [];
  starts = 0;
  kills = 0;
  port = 0;
  private readonly readyLine = { seen: false };

  constructor(
    readonly kind: ServiceKind,
    readonly name: string,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(timeoutMs = 30_000): Promise<this> {
    if (this.running) throw new Error(`${this.name} is already running`);
    if (this.kind === 'gateway' && !this.port) this.port = await freePort();
    const args =
      this.kind === 'gateway' ? [join(DIST, 'apps/gateway/src/main.js')] : [WORKER_ENTRY, this.kind === 'ai-worker' ? 'ai' : 'agreement'];
    this.readyLine.seen = false;
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...this.env, ...(this.kind === 'gateway' ? { PORT: String(this.port), HOST: '127.0.0.1' } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    everyChild.add(child);
    child.once('exit', () => everyChild.delete(child));
    const take = (stream: NodeJS.ReadableStream, tag: string) => {
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          if (line.includes('"event":"started"')) this.readyLine.seen = true;
          this.logs.push(`${tag} ${line}`);
          if (this.logs.length > LOG_LINES) this.logs.shift();
        }
      });
    };
    take(child.stdout!, 'out');
    take(child.stderr!, 'err');
    const what = `${this.name} to serve`;
    await until(
      what,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`${this.name} exited (${child.exitCode ?? child.signalCode}):\n${this.tail(20)}`);
        if (this.kind !== 'gateway') return this.readyLine.seen;
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1000) }).catch(() => null);
        return res?.status === 200;
      },
      timeoutMs,
      100,
    ).catch((e) => {
      child.kill('SIGKILL');
      throw e;
    });
    return this;
  }

  /** SIGKILL: no shutdown hook runs, like a crash or an OOM kill. Resolves once the process is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.kills++;
    const exited = new Promise((r) => this.child!.once('exit', r));
    this.child!.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM and wait for a graceful exit; SIGKILL after `ms`. */
  async stop(ms = 15_000): Promise<void> {
    if (!this.running) return;
    const child = this.child!;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    await exited;
    clearTimeout(timer);
  }

  async restart(how: 'kill' | 'term' = 'term'): Promise<this> {
    if (how === 'kill') await this.kill();
    else await this.stop();
    return this.start();
  }

  tail(n = 30): string {
    return this.logs.slice(-n).join('\n');
  }
}

/** The services of one test: one Redis prefix, one DATA_DIR, one JWT secret. */
export class Cluster {
  readonly services: Service[] = [];

  constructor(readonly env: ClusterEnv) {
    assertBuilt();
  }

  private baseEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      REDIS_URL: this.env.redisUrl,
      REDIS_PREFIX: this.env.redisPrefix,
      DATA_DIR: this.env.dataDir,
      JWT_SECRET: this.env.jwtSecret,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      AI_TYPING_DELAY_MS: '0',
      ...this.env.env,
      ...extra,
    };
  }

  /** Adds (does not start) a service; names are unique per cluster. */
  add(kind: ServiceKind, name: string, env: Record<string, string> = {}): Service {
    if (this.services.some((s) => s.name === name)) throw new Error(`duplicate service name ${name}`);
    const s = new Service(kind, name, this.baseEnv(env));
    this.services.push(s);
    return s;
  }

  /** Adds and starts several services at once (they boot in parallel). */
  async start(specs: { kind: ServiceKind; name: string; env?: Record<string, string> }[]): Promise<Service[]> {
    const added = specs.map((s) => this.add(s.kind, s.name, s.env));
    await Promise.all(added.map((s) => s.start()));
    return added;
  }

  get(name: string): Service {
    const s = this.services.find((x) => x.name === name);
    if (!s) throw new Error(`no service ${name}`);
    return s;
  }

  of(kind: ServiceKind): Service[] {
    return this.services.filter((s) => s.kind === kind);
  }

  /** SIGKILL every process still running (afterAll; also safe after a failure). */
  async killAll(): Promise<void> {
    await Promise.all(this.services.map((s) => s.kill().catch(() => undefined)));
  }

  /** The last lines of every process, for a failure message. */
  diagnostics(lines = 15): string {
    return this.services
      .map((s) => `--- ${s.name} (${s.running ? 'running' : 'stopped'}, starts ${s.starts}, kills ${s.kills})\n${s.tail(lines)}`)
      .join('\n');
  }

  /** Lines matching `re` across every process's kept output (e.g. BullMQ stall warnings). */
  grep(re: RegExp): string[] {
    return this.services.flatMap((s) => s.logs.filter((l) => re.test(l)).map((l) => `${s.name}: ${l}`));
  }
}

/**
 * A private redis-server on a free loopback port, for the tests that restart Redis. `appendonly`
 * keeps its data across restarts (AOF in `dir`); `wipe()` deletes that, so the next start is empty.
 */
export class RedisServer {
  port = 0;
  child: ChildProcess | null = null;
  readonly logs: string[] = [];

  constructor(
    readonly dir: string,
    private readonly options: { appendonly: boolean; appendfsync?: 'always' | 'everysec' | 'no' } = { appendonly: true },
  ) {
    mkdirSync(dir, { recursive: true });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Killed, and its data folder removed. */
  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 10_000): Promise<void> {
    if (!this.port) this.port = await freePort();
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      this.options.appendonly ? 'yes' : 'no',
      '--appendfsync',
      this.options.appendfsync ?? 'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--dir',
      this.dir,
    ];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    everyChild.add(child);
    child.once('exit', () => everyChild.delete(child));
    for (const s of [child.stdout!, child.stderr!]) {
      s.on('data', (d: Buffer) => {
        this.logs.push(...d.toString('utf8').split('\n').filter(Boolean));
        if (this.logs.length > LOG_LINES) this.logs.splice(0, this.logs.length - LOG_LINES);
      });
    }
    await until(
      `redis-server on ${this.port}`,
      async () => {
        if (!this.running) throw new Error(`redis-server exited: ${this.logs.slice(-5).join(' | ')}`);
        return ping(this.url);
      },
      timeoutMs,
      50,
    );
  }

  /** A clean shutdown: Redis finishes its AOF write. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((r) => this.child!.once('exit', r));
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** SIGKILL: whatever was not yet fsynced to the AOF is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((r) => this.child!.once('exit', r));
    this.child!.kill('SIGKILL');
    await exited;
  }

  /** Deletes the AOF and any dump: the next start() is an empty Redis. */
  wipe(): void {
    if (this.running) throw new Error('wipe() needs a stopped redis-server');
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }
}

async function ping(url: string): Promise<boolean> {
  const r = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
