import { readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { runCli } from '../../apps/cli/src/parley';
import { DataPaths } from '@parley/store';
import { testConfig } from '../support/env';
import { addTeam, connect, emitAck, http, login, sleep } from '../support/harness';
import { Service, assertBuilt } from '../support/cluster';
import { BadInputRow, recordSuite, reliabilityMode } from '../support/reliability-report';
import { Tally, dropRedisPrefix } from '../support/attack';

/**
 * The smaller holes: security headers, the queue dashboard's session cookie, a demoted instructor's
 * open socket, reserved prefixes, one password rule, and the connection counts of a SIGKILLed gateway.
 */
describe('hardening', () => {
  const config = testConfig({ CONNECTIONS_PER_IP: '3' });
  const rows: BadInputRow[] = [];
  const sockets: Socket[] = [];
  let gw: RunningGateway;
  const tokens: Record<string, string> = {};
  let trade: string;
  const row = (input: string, tried: number, answered: string) =>
    rows.push({ input, tried, answered, server_stayed_up: true, wrote_outside_data_dir: false });

  beforeAll(async () => {
    for (const u of ['alice', 'bob']) await addTeam(config, `${u}@uni.edu`);
    await addTeam(config, 'prof@uni.edu', { role: 'instructor' });
    gw = await createGateway(config);
    for (const u of ['alice', 'bob', 'prof']) tokens[u] = await login(gw.url, `${u}@uni.edu`);
    const order = await http(gw.url, 'POST', '/api/orders', { side: 'buy', chemical: 'C', price: 5, quantity: 10 }, tokens.alice);
    trade = (await http(gw.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, tokens.bob)).body.negotiation_id;
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await gw?.close();
    await dropRedisPrefix(config.redisUrl, config.redisPrefix).catch(() => undefined);
    config.cleanup();
    recordSuite({ suite: 'attack-hardening', mode: reliabilityMode(), bad_inputs: rows });
  });

  const setRole = (email: string, role: 'student' | 'instructor') => {
    const file = new DataPaths(config.dataDir).init(email);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), role }));
  };

  it('security headers: no framing by another origin, no MIME sniffing, a CSP that allows only the app itself', async () => {
    const paths = ['/', '/auth/login', '/api/orders', '/health'];
    for (const p of paths) {
      const res = await fetch(gw.url + p);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    row(
      `headers: GET ${paths.join(', ')}`,
      paths.length,
      `CSP frame-ancestors 'none' + script-src 'self', X-Frame-Options DENY, X-Content-Type-Options nosniff ×${paths.length}`,
    );
  });

  it('queue dashboard: a token in the URL is refused; a session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) is the way in', async () => {
    expect((await http(gw.url, 'GET', `/admin/queues?token=${tokens.prof}`)).status).toBe(401);
    const student = await fetch(`${gw.url}/admin/queues/session`, { method: 'POST', headers: { authorization: `Bearer ${tokens.alice}` } });
    expect(student.status).toBe(403);
    expect(student.headers.get('set-cookie')).toBeNull();
    const plain = await fetch(`${gw.url}/admin/queues/session`, { method: 'POST', headers: { authorization: `Bearer ${tokens.prof}` } });
    expect(plain.status).toBe(204);
    const cookie = plain.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/admin\/queues/);
    expect(cookie).not.toContain(tokens.prof);
    // behind a TLS-terminating proxy (trusted: loopback) the cookie is Secure
    const tls = await fetch(`${gw.url}/admin/queues/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.prof}`, 'x-forwarded-proto': 'https' },
    });
    expect(tls.headers.get('set-cookie')).toMatch(/; Secure/);
    const session = cookie.split(';')[0];
    const page = await fetch(`${gw.url}/admin/queues`, { headers: { cookie: session } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const api = await fetch(`${gw.url}/admin/queues/api/queues`, { headers: { cookie: session } });
    expect(api.status).toBe(200);
    // a demoted instructor's session stops working at once; a forged cookie never worked
    setRole('prof@uni.edu', 'student');
    expect((await fetch(`${gw.url}/admin/queues`, { headers: { cookie: session } })).status).toBe(403);
    setRole('prof@uni.edu', 'instructor');
    expect((await fetch(`${gw.url}/admin/queues`, { headers: { cookie: `parley_admin=${'A'.repeat(43)}` } })).status).toBe(401);
    const out = await fetch(`${gw.url}/admin/queues/session`, { method: 'DELETE', headers: { cookie: session } });
    expect(out.status).toBe(204);
    expect((await fetch(`${gw.url}/admin/queues`, { headers: { cookie: session } })).status).toBe(401);
    row(
      'dashboard: ?token=<instructor JWT>, session by a student, session by an instructor (http and X-Forwarded-Proto https), page with cookie, after demotion, forged cookie, after logout',
      9,
      '401 ×1, 403 ×1 (no cookie), 204 + HttpOnly; SameSite=Strict; Path=/admin/queues (+ Secure over https), 200 ×2, 403 after demotion, 401 forged, 401 after logout',
    );
  });

  it('an instructor demoted to student loses observer access on the socket that is already open', async () => {
    const observer = await connect(gw.url, tokens.prof);
    sockets.push(observer);
    const join = await emitAck(observer, 'join-negotiation', { negotiation_id: trade });
    expect(join.data.state.my_role).toBe('observer');
    const seen: unknown[] = [];
    observer.on('message-received', (m) => seen.push(m));
    const closed = new Promise<number>((resolve) => {
      const t0 = Date.now();
      observer.once('disconnect', () => resolve(Date.now() - t0));
    });
    setRole('prof@uni.edu', 'student');
    // an event on the open socket is refused at once
    const again = await emitAck(observer, 'join-negotiation', { negotiation_id: trade });
    expect(again.error.code).toBe('NEGOTIATION_NOT_FOUND');
    const ms = await Promise.race([closed, sleep(12_000).then(() => -1)]);
    expect(ms).toBeGreaterThanOrEqual(0);
    const bob = await connect(gw.url, tokens.bob);
    sockets.push(bob);
    await emitAck(bob, 'send-message', { negotiation_id: trade, content: 'after the demotion' });
    await sleep(300);
    expect(seen).toHaveLength(0);
    setRole('prof@uni.edu', 'instructor');
    bob.close();
    row(
      'demotion: an observing instructor is made a student in init.json while its socket is open',
      3,
      `next join NEGOTIATION_NOT_FOUND; socket closed by the server after ${ms} ms; later messages in the room not received`,
    );
  }, 20_000);

  it("the CLI keeps Parley's own file prefix for Parley and refuses passwords outside 8 characters–72 bytes; bcrypt truncation cannot be used", async () => {
    const out: string[] = [];
    const cli = (...args: string[]) =>
      runCli(args, (l) => out.push(l), { DATA_DIR: config.dataDir, JWT_SECRET: config.jwtSecret }).catch((e: Error) => e.message);
    const answers = new Tally();
    // ai@… gets an account, but never the AI party's file prefix "ai"
    expect(await cli('users', 'add', '--email', 'ai@uni.edu', '--password', 'long-enough-1')).toBe(0);
    expect(out.at(-1)).toBe('added student ai@uni.edu (file prefix ai-2)');
    answers.add('reserved prefix kept for the AI (ai@… gets ai-2)');
    for (const bad of ['123456', 'x'.repeat(250), 'é'.repeat(37)]) {
      const res = await cli('users', 'add', '--email', `p${bad.length}@uni.edu`, '--password', bad);
      expect(res).toMatch(/at least 8 characters|at most 72 bytes/);
      answers.add('password refused');
    }
    const exact = 'k'.repeat(72);
    expect(await cli('users', 'add', '--email', 'long@uni.edu', '--password', exact)).toBe(0);
    const tail = await http(gw.url, 'POST', '/auth/login', { email: 'long@uni.edu', password: exact + 'anything' });
    expect(tail.status).toBe(401);
    expect((await http(gw.url, 'POST', '/auth/login', { email: 'long@uni.edu', password: exact })).status).toBe(200);
    row(
      "rules: users add ai@…, passwords '123456', 250 × 'x', 37 × 'é' (74 bytes); a 72-byte password + tail at login",
      6,
      `${answers}; the 72 bytes + tail 401, the exact 72 bytes 200`,
    );
  });

  it("a SIGKILLed gateway's connections stop counting against the per-address limit within the heartbeat window", async () => {
    assertBuilt();
    const victim = new Service('gateway', 'gw-killed', {
      REDIS_URL: config.redisUrl,
      REDIS_PREFIX: config.redisPrefix,
      DATA_DIR: config.dataDir,
      JWT_SECRET: config.jwtSecret,
      CONNECTIONS_PER_IP: '3',
      LOG_LEVEL: 'silent',
    });
    await victim.start();
    try {
      const held: Socket[] = [];
      for (let i = 0; i < 3; i++) held.push(await connect(victim.url, tokens.alice));
      const refusedBefore = await connect(gw.url, tokens.bob).then(
        (s) => (s.close(), 'connected'),
        (e: Error) => e.message,
      );
      expect(refusedBefore).toMatch(/too many connections from this address/);
      await victim.kill();
      held.forEach((s) => s.close());
      const t0 = Date.now();
      let admitted = -1;
      for (let i = 0; i < 30 && admitted < 0; i++) {
        await sleep(1000);
        const s = await connect(gw.url, tokens.bob).catch(() => null);
        if (s) {
          admitted = Date.now() - t0;
          s.close();
        }
      }
      expect(admitted).toBeGreaterThan(0);
      expect(admitted).toBeLessThan(25_000);
      row(
        'connections: 3 sockets (the per-address limit) on a gateway that is then SIGKILLed; another gateway tries every second',
        1 + Math.ceil(admitted / 1000),
        `refused while the victim lived; admitted ${Math.round(admitted / 1000)} s after the kill (heartbeat window 15 s; before: the key's 1 h TTL)`,
      );
    } finally {
      await victim.kill();
    }
  }, 60_000);
});
