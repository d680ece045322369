import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createGateway, RunningGateway } from '../apps/gateway/src/gateway';
import { testConfig } from './support/env';
import { http, login } from './support/harness';

/**
 * The first instructor without the CLI: while no instructor exists the gateway holds a one-time setup
 * code (DATA_DIR/setup/code.json, 0600); POST /api/setup with it creates the instructor and signs them
 * in; afterwards setup answers 409, and wrong codes are rate-limited like logins.
 */
describe('first-run setup over HTTP', () => {
  const config = testConfig({ LOGIN_ATTEMPTS_PER_15_MIN: '3' });
  let gw: RunningGateway;
  const codeFile = join(config.dataDir, 'setup', 'code.json');
  const api = (method: string, path: string, body?: unknown, token?: string) => http(gw.url, method, path, body, token);

  beforeAll(async () => {
    gw = await createGateway(config);
  });
  afterAll(async () => {
    await gw?.close();
    config.cleanup();
  });

  it('says setup is needed and keeps the code private to the server', async () => {
    expect(await api('GET', '/api/setup')).toEqual({ status: 200, body: { needed: true, token_required: true } });
    expect(statSync(codeFile).mode & 0o777).toBe(0o600);
    expect(JSON.stringify((await api('GET', '/api/setup')).body)).not.toContain(code());
  });

  it('refuses a wrong code, then locks that guesser out like a login', async () => {
    const attempt = () => api('POST', '/api/setup', { email: 'mallory@uni.edu', password: 'secret12', token: 'AAAA-AAAA' });
    for (let i = 0; i < 3; i++) expect(await attempt()).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
    const locked = await attempt();
    expect(locked).toMatchObject({ status: 429, body: { code: 'TOO_MANY_ATTEMPTS' } });
    // even the right code does not get through for the locked-out guesser
    expect((await api('POST', '/api/setup', { email: 'mallory@uni.edu', password: 'secret12', token: code() })).status).toBe(429);
    expect((await api('GET', '/api/setup')).body.needed).toBe(true);
  });

  it('says which field is wrong', async () => {
    const res = await api('POST', '/api/setup', { email: 'not-an-email', password: 'secret12', token: code() });
    expect(res).toMatchObject({ status: 400, body: { code: 'INVALID_PAYLOAD', message: expect.stringContaining('invalid e-mail') } });
    const short = await api('POST', '/api/setup', { email: 'prof@uni.edu', password: '123', token: code() });
    expect(short).toMatchObject({ status: 400, body: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/password/) } });
  });

  it('creates the instructor with the code (typed in lower case, no dash), signs them in, and closes setup for good', async () => {
    const typed = code().replace('-', '').toLowerCase();
    const res = await api('POST', '/api/setup', { email: 'Prof@Uni.edu', name: 'Prof. Ada', password: 'secret12', token: typed });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ email: 'prof@uni.edu', name: 'Prof. Ada', role: 'instructor' });
    // the token is an instructor's: the accounts list opens
    expect((await api('GET', '/api/users', undefined, res.body.accessToken)).status).toBe(200);
    expect(await login(gw.url, 'prof@uni.edu', 'secret12')).toEqual(expect.any(String));
    expect(await api('GET', '/api/setup')).toEqual({ status: 200, body: { needed: false, token_required: true } });
    const again = await api('POST', '/api/setup', { email: 'other@uni.edu', password: 'secret12', token: typed });
    expect(again).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
  });

  it('lets exactly one of two racing requests through', async () => {
    const cfg = testConfig();
    const g = await createGateway(cfg);
    try {
      const c = JSON.parse(readFileSync(join(cfg.dataDir, 'setup', 'code.json'), 'utf8')).code;
      const results = await Promise.all(
        ['a@uni.edu', 'b@uni.edu', 'c@uni.edu'].map((email) =>
          http(g.url, 'POST', '/api/setup', { email, password: 'secret12', token: c }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    } finally {
      await g.close();
      cfg.cleanup();
    }
  });

  function code(): string {
    return JSON.parse(readFileSync(codeFile, 'utf8')).code;
  }
});
