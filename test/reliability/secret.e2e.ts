import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { testConfig } from '../support/env';
import { addTeam, connect, http, login } from '../support/harness';
import { BadInputRow, recordSuite, reliabilityMode } from '../support/reliability-report';
import { dropRedisPrefix } from '../support/attack';

/**
 * The token signing secret: a weak one (env or DATA_DIR/.jwt_secret) stops every service at start
 * with one line; a generated one is created whole, once, mode 0600, even by services starting
 * together; a token without `exp` is refused. Processes run from dist/ (npm run test:reliability builds).
 */
const ROOT = join(__dirname, '..', '..');
const GATEWAY = join(ROOT, 'dist/apps/gateway/src/main.js');
const CLI = join(ROOT, 'dist/apps/cli/src/parley.js');
const CONFIG = join(ROOT, 'dist/libs/config/src/index.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const base = {
      PATH: process.env.PATH ?? '',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      PORT: '0',
      HOST: '127.0.0.1',
    };
    execFile(process.execPath, args, { env: { ...base, ...env }, timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('the JWT secret', () => {
  const rows: BadInputRow[] = [];
  const dirs: string[] = [];
  const freshDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'parley-secret-'));
    dirs.push(d);
    return d;
  };

  beforeAll(() => {
    for (const f of [GATEWAY, CLI, CONFIG]) if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first`);
  });

  afterAll(() => {
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
    recordSuite({ suite: 'attack-secret', mode: reliabilityMode(), bad_inputs: rows });
  });

  it('a short or empty DATA_DIR/.jwt_secret, or a short JWT_SECRET, stops the gateway and the CLI at start with one line', async () => {
    const cases: { name: string; content?: string; env?: Record<string, string> }[] = [
      { name: '3-character .jwt_secret', content: 'abc' },
      { name: 'empty .jwt_secret', content: '' },
      { name: 'whitespace-only .jwt_secret', content: ' \n \n' },
      { name: '31-character .jwt_secret', content: 'x'.repeat(31) },
      { name: '31-character JWT_SECRET', env: { JWT_SECRET: 'y'.repeat(31) } },
    ];
    const answers: string[] = [];
    for (const c of cases) {
      const dir = freshDir();
      if (c.content !== undefined) writeFileSync(join(dir, '.jwt_secret'), c.content, { mode: 0o600 });
      for (const entry of [[GATEWAY], [CLI, 'token', '--email', 'prof@uni.edu']]) {
        const res = await run(entry, { DATA_DIR: dir, LOG_LEVEL: 'silent', ...c.env });
        expect(res.code).not.toBe(0);
        const lines = res.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/at least 32 characters|at least 32 are needed/);
        expect(res.stdout).not.toMatch(/listening/);
        answers.push(lines[0]);
      }
      // the weak file is left as it was, for the operator to look at
      if (c.content !== undefined) expect(readFileSync(join(dir, '.jwt_secret'), 'utf8')).toBe(c.content);
    }
    rows.push({
      input: `secret: ${cases.map((c) => c.name).join(', ')} — gateway and CLI started on each`,
      tried: answers.length,
      answered: `refused at start ×${answers.length} (exit ≠ 0, one line, e.g. "${answers[0]}")`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  });

  it('six processes starting together on an empty DATA_DIR agree on one generated secret, mode 0600', async () => {
    const dir = freshDir();
    const script = `const c=require(${JSON.stringify(CONFIG)}).loadConfig({DATA_DIR:process.env.DATA_DIR});process.stdout.write(c.jwtSecret)`;
    const runs = await Promise.all(Array.from({ length: 6 }, () => run(['-e', script], { DATA_DIR: dir })));
    expect(runs.map((r) => r.code)).toEqual(Array(6).fill(0));
    const file = join(dir, '.jwt_secret');
    const onDisk = readFileSync(file, 'utf8');
    expect(onDisk.length).toBeGreaterThanOrEqual(32);
    expect(new Set(runs.map((r) => r.stdout))).toEqual(new Set([onDisk]));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    rows.push({
      input: 'secret: 6 processes load the config at once on an empty DATA_DIR (no JWT_SECRET)',
      tried: 6,
      answered: `one secret of ${onDisk.length} characters, file mode 0${(statSync(file).mode & 0o777).toString(8)}, all 6 use it`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  });

  describe('tokens without exp', () => {
    const config = testConfig();
    let gw: RunningGateway;

    beforeAll(async () => {
      await addTeam(config, 'prof@uni.edu', { role: 'instructor' });
      gw = await createGateway(config);
    });

    afterAll(async () => {
      await gw?.close();
      await dropRedisPrefix(config.redisUrl, config.redisPrefix).catch(() => undefined);
      config.cleanup();
    });

    it('a correctly signed token with no exp is refused by the API and the socket handshake; a login token works', async () => {
      const noExp = jwt.sign({ sub: 'prof@uni.edu', role: 'instructor', name: 'prof' }, config.jwtSecret, { algorithm: 'HS256' });
      const api = await http(gw.url, 'GET', '/api/teams/me', undefined, noExp);
      expect(api.status).toBe(401);
      const handshake = await connect(gw.url, noExp).then(
        (s) => (s.close(), 'connected'),
        (e: Error) => e.message,
      );
      expect(handshake).toBe('Authentication error');
      const real = await login(gw.url, 'prof@uni.edu');
      expect(typeof (jwt.decode(real) as jwt.JwtPayload).exp).toBe('number');
      expect((await http(gw.url, 'GET', '/api/teams/me', undefined, real)).status).toBe(200);
      rows.push({
        input: 'secret: a validly signed instructor token without exp, on GET /api/teams/me and the socket handshake',
        tried: 2,
        answered: `401 ${api.body.code} ×1, handshake "Authentication error" ×1; a login token (with exp) 200`,
        server_stayed_up: true,
        wrote_outside_data_dir: false,
      });
    });
  });
});
