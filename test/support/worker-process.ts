import { ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { ParleyConfig } from '@parley/config';
import { until } from './agreement-worker';

const ROOT = resolve(__dirname, '..', '..');

export interface ChildEvent {
  event: string;
  point?: string;
  negotiation_id?: string;
}

/** A worker in its own process that reports what it does as JSON lines ({"event": …}) on stdout. */
export interface WorkerProcess {
  child: ChildProcess;
  events: ChildEvent[];
  /** every other line of stdout and stderr */
  logs: string[];
  /** the first event of that name, once it came */
  waitFor(event: string, ms?: number): Promise<ChildEvent>;
  /** SIGTERM, failing when the process is not gone within 10 s */
  stop(): Promise<void>;
  /** SIGKILL, once it has exited */
  kill(): Promise<void>;
}

/** Bundles a TypeScript entry (test child, CLI) with esbuild into `outfile`, packages left external. */
export function bundle(entry: string, outfile: string) {
  return build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile,
    packages: 'external',
    tsconfig: join(ROOT, 'tsconfig.json'),
    logLevel: 'error',
  });
}

/**
 * Starts a bundled worker on the test's DATA_DIR and Redis prefix (logs at info, 4 jobs at once, `env`
 * on top) and waits for its {"event":"started"}.
 */
export async function startWorkerProcess(
  script: string,
  config: ParleyConfig,
  env: Record<string, string> = {},
  startMs = 20_000,
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_PATH: join(ROOT, 'node_modules'),
      REDIS_URL: config.redisUrl,
      REDIS_PREFIX: config.redisPrefix,
      DATA_DIR: config.dataDir,
      LOG_LEVEL: 'info',
      AGREEMENT_CONCURRENCY: '4',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const w: WorkerProcess = {
    child,
    events: [],
    logs: [],
    waitFor: (event, ms = 20_000) =>
      until(`child event ${event}`, () => w.events.some((e) => e.event === event), ms, 10).then(() =>
        w.events.find((e) => e.event === event)!,
      ),
    stop: async () => {
      if (gone()) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
      if (!gone()) {
        child.kill('SIGKILL');
        throw new Error('the worker did not stop within 10 s of SIGTERM');
      }
    },
    kill: async () => {
      if (gone()) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      try {
        const parsed = JSON.parse(line);
        if (parsed.event) w.events.push(parsed);
        else w.logs.push(line);
      } catch {
        w.logs.push(line);
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => w.logs.push(chunk.toString()));
  await w.waitFor('started', startMs).catch(async (e) => {
    await w.kill();
    throw new Error(`${e.message}; child output: ${w.logs.join('\n')}`);
  });
  return w;
}
