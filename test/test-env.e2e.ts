/**
 * scripts/test-env.sh, which `npm test` runs first on a fresh machine: with everything present it
 * says nothing; with something missing and installing not allowed it says, in one line, the command
 * that installs it, and fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '..', 'scripts', 'test-env.sh');
const which = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
const BASH = which('bash');
const run = (env: Record<string, string>) => {
  const r = spawnSync(BASH, [SCRIPT], { env: { HOME: tmpdir(), ...env }, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr.split('\n').filter(Boolean) };
};

describe('npm test sets up what the tests need', () => {
  const bin = mkdtempSync(join(tmpdir(), 'parley-bin-'));
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('says nothing when Redis answers and redis-server and Chromium are there', () => {
    // REDIS_URL as the tests use it, so the script checks the binaries only
    const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    expect(
      run({ PATH: process.env.PATH ?? '', REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', CHROMIUM_PATH: chromium }),
    ).toEqual({
      status: 0,
      out: '',
      err: [],
    });
  });

  it('names the install command in one line when redis-server is missing and installing is not allowed', () => {
    // a PATH with what the script itself uses, but no redis-server
    for (const tool of ['node', 'id', 'ls', 'dirname', 'mktemp', 'seq', 'sleep']) {
      symlinkSync(which(tool), join(bin, tool));
    }
    const r = run({ PATH: bin, PARLEY_INSTALL: 'no' });
    expect(r.status).toBe(1);
    expect(r.err).toEqual([
      expect.stringContaining(
        "redis-server is missing (the tests start Redis servers of their own): run 'sudo apt-get install -y redis-server'",
      ),
    ]);
  });

  it('refuses a CHROMIUM_PATH that is not there, in one line', () => {
    const r = run({ PATH: process.env.PATH ?? '', REDIS_URL: 'redis://127.0.0.1:6379', CHROMIUM_PATH: join(bin, 'no-chromium') });
    expect(r.status).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/^test-env: CHROMIUM_PATH=.*no-chromium is not an executable/)]);
  });
});
