/**
 * `npm start` as an operator sees it: the build runs only when sources changed, a bad setting or a
 * taken port is one line and an exit, and a good start ends in one "Parley is ready at …" line
 * telling the instructor what to do first; SIGTERM stops every process of the tree.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser } from '../apps/cli/src/users';
import { buildIfChanged, freePort, listen, portOf, ROOT, start, until } from './support/npm-start';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-start-'));
    dirs.push(dir);
    return dir;
  };
  const base = () => ({
    HOST: '127.0.0.1',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `t${randomBytes(5).toString('hex')}`,
    DATA_DIR: dataDir(),
    JWT_SECRET: 'start-test-secret-start-test-secret',
  });

  beforeAll(async () => {
    // what `npm start` runs first (prestart): builds when dist is missing or stale
    expect((await buildIfChanged()).status).toBe(0);
  }, 600_000);
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('does not build again when no source changed', async () => {
    const main = join(ROOT, 'dist/apps/gateway/src/main.js');
    const before = statSync(main).mtimeMs;
    const again = await buildIfChanged();
    expect({ status: again.status, out: again.stdout }).toEqual({ status: 0, out: '' });
    expect(statSync(main).mtimeMs).toBe(before);
    expect(again.ms).toBeLessThan(3000);
    expect(readFileSync(join(ROOT, 'dist/.build-stamp'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  });

  it('refuses a bad value with one line naming the variable, the value and the default', async () => {
    const run = start({ ...base(), PORT: 'abc' });
    expect(await run.exited).toBe(1);
    expect(run.err).toEqual(['Invalid configuration: PORT="abc" must be a whole number (default 3000)']);
    expect(run.out).toEqual([]);
  });

  it('refuses a taken port with one line, before starting anything', async () => {
    const taken = await listen('127.0.0.1');
    try {
      const run = start({ ...base(), PORT: String(portOf(taken)) });
      expect(await run.exited).toBe(1);
      expect(run.err).toEqual([expect.stringContaining(`Cannot listen on port ${portOf(taken)}: another program`)]);
      // nothing was started: no service logged a line
      expect(run.out).toEqual([]);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('ends its start-up with one "ready" line sending the instructor to #/setup with the setup code, in JSON when not a terminal', async () => {
    const port = await freePort();
    const env = { ...base(), PORT: String(port) };
    const run = start(env);
    try {
      await until('the ready line', () => run.out.some((l) => l.includes('Parley is ready')), 60_000);
      const entries = run.out.map((l) => JSON.parse(l) as { msg: string; service: string; pid: number });
      const ready = entries.find((e) => e.msg.startsWith('Parley is ready'))!;
      const codeFile = join(env.DATA_DIR, 'setup', 'code.json');
      const { code } = JSON.parse(readFileSync(codeFile, 'utf8')) as { code: string };
      expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
      expect(statSync(codeFile).mode & 0o777).toBe(0o600);
      expect(ready.msg).toBe(
        `Parley is ready at http://localhost:${port}  (instructor: open http://localhost:${port}/#/setup — setup code ${code} ` +
          '(or: npm run parley -- users add --email you@school.edu --password <at least 8 characters> --role instructor))',
      );
      // the gateway's own log says it too, for whoever runs the gateway without npm start
      expect(entries.some((e) => e.service === 'gateway' && e.msg.includes(`setup code ${code}`))).toBe(true);
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(res.status).toBe(200);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    const pids = new Set(run.out.map((l) => (JSON.parse(l) as { pid: number }).pid));
    expect(pids.size).toBe(4); // start-all and its three services
    expect([...pids].filter(alive)).toEqual([]);
  }, 90_000);

  it('prints readable lines with LOG_FORMAT=pretty and, once an instructor exists, says to sign in and import the class', async () => {
    const env = { ...base(), PORT: String(await freePort()), LOG_FORMAT: 'pretty' };
    await addUser(env.DATA_DIR, { email: 'prof@uni.edu', password: 'secret12', role: 'instructor' });
    const run = start(env);
    try {
      await until('the ready line', () => run.out.some((l) => l.startsWith('Parley is ready')), 60_000);
      expect(run.out.find((l) => l.startsWith('Parley is ready'))).toBe(
        `Parley is ready at http://localhost:${env.PORT}  (instructor: sign in as prof@uni.edu, then add your class on Accounts: ` +
          `http://localhost:${env.PORT}/#/accounts (see docs/sample-roster.csv))`,
      );
      expect(run.out.some((l) => l.startsWith('{'))).toBe(false);
      expect(run.out.some((l) => /gateway: listening on 127\.0\.0\.1:/.test(l))).toBe(true);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
  }, 90_000);
});
