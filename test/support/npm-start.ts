import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { join, resolve } from 'node:path';

/** Launching the built `npm start` (dist/apps/cli/src/start-all.js) as an operator does, for end-to-end tests. */
export const ROOT = resolve(__dirname, '../..');
export const START = join(ROOT, 'dist/apps/cli/src/start-all.js');
export const BUILD_IF_CHANGED = join(ROOT, 'scripts/build-if-changed.mjs');

const BUILD_LOCK = join(ROOT, 'dist', '.build-lock');

/**
 * What `npm start` runs first (prestart): builds when dist is missing or stale. Test files calling it in parallel
 * take turns (a lock file in dist/), so two jest workers never build into the same dist at once.
 */
export async function buildIfChanged(): Promise<{ status: number | null; stdout: string; ms: number }> {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      closeSync(openSync(BUILD_LOCK, 'wx'));
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${BUILD_LOCK} held for 5 minutes`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    const started = Date.now();
    const run = spawnSync(process.execPath, [BUILD_IF_CHANGED], { cwd: ROOT, encoding: 'utf8' });
    return { status: run.status, stdout: run.stdout, ms: Date.now() - started };
  } finally {
    rmSync(BUILD_LOCK, { force: true });
  }
}

export interface Run {
  child: ChildProcess;
  out: string[];
  err: string[];
  exited: Promise<number | null>;
}

export function start(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [START], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
  const out: string[] = [];
  const err: string[] = [];
  const collect = (into: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      into.push(...lines.filter(Boolean));
    };
  };
  child.stdout!.on('data', collect(out));
  child.stderr!.on('data', collect(err));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out, err, exited };
}

export async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function listen(host: string): Promise<Server> {
  return new Promise((r) => {
    const server = createServer();
    server.listen(0, host, () => r(server));
  });
}
export const portOf = (s: Server) => (s.address() as { port: number }).port;
export async function freePort(): Promise<number> {
  const s = await listen('127.0.0.1');
  const port = portOf(s);
  await new Promise((r) => s.close(r));
  return port;
}
