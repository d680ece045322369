import jwt from 'jsonwebtoken';
import { createGateway, RunningGateway } from '../apps/gateway/src/gateway';
import { testConfig } from './support/env';
import { addTeam, connect, emitAck, http, login, sleep, waitFor } from './support/harness';

/** What an operator checks: health, readiness, metrics, the audit trail, the queue dashboard, limits, shutdown. */
describe('operating a gateway', () => {
  const config = testConfig({ CONNECTIONS_PER_IP: '3', ACTIONS_PER_MINUTE: '20' });
  let gw: RunningGateway;
  let alice: string, prof: string;

  beforeAll(async () => {
    await addTeam(config, 'alice@uni.edu');
    await addTeam(config, 'prof@uni.edu', { role: 'instructor' });
    gw = await createGateway(config);
    [alice, prof] = await Promise.all([login(gw.url, 'alice@uni.edu'), login(gw.url, 'prof@uni.edu')]);
  });
  afterAll(async () => {
    await gw.close().catch(() => undefined);
    config.cleanup();
  });

  it('is alive, and not ready while no worker consumes the queues', async () => {
    expect((await http(gw.url, 'GET', '/health')).body).toEqual({ status: 'ok' });
    const ready = await http(gw.url, 'GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({
      redis: true,
      data_dir: true,
      'ai-response workers': false,
      'agreement-check workers': false,
    });
  });

  it('counts events in /metrics and writes accepted and refused events to the audit log', async () => {
    const s = await connect(gw.url, alice);
    await emitAck(s, 'join-negotiation', { negotiation_id: 'alice_bob_C_1700000000' });
    s.close();
    const metrics = await http<string>(gw.url, 'GET', '/metrics');
    expect(metrics.body).toMatch(/parley_socket_events_total\{[^}]*event="join-negotiation"[^}]*result="NEGOTIATION_NOT_FOUND"[^}]*\} 1/);
    expect(metrics.body).toMatch(/parley_sockets_connected/);

    expect((await http(gw.url, 'GET', '/api/admin/audit', undefined, alice)).status).toBe(403);
    const audit = await http(gw.url, 'GET', '/api/admin/audit', undefined, prof);
    const entries = audit.body.entries as any[];
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ who: 'alice@uni.edu', what: 'login', result: 'ok' }),
        expect.objectContaining({
          who: 'alice@uni.edu',
          what: 'join-negotiation',
          negotiation_id: 'alice_bob_C_1700000000',
          result: 'NEGOTIATION_NOT_FOUND',
        }),
      ]),
    );
  });

  it('opens the queue dashboard to instructors only', async () => {
    expect((await fetch(`${gw.url}/admin/queues`)).status).toBe(401);
    // a session cookie from POST /admin/queues/session, never a token in the URL
    expect((await fetch(`${gw.url}/admin/queues?token=${prof}`)).status).toBe(401);
    const session = (token: string) =>
      fetch(`${gw.url}/admin/queues/session`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect((await session(alice)).status).toBe(403);
    const opened = await session(prof);
    expect(opened.status).toBe(204);
    expect(opened.headers.get('set-cookie')).toMatch(/parley_admin=.*HttpOnly/i);
    const ok = await fetch(`${gw.url}/admin/queues`, { headers: { cookie: opened.headers.get('set-cookie')!.split(';')[0] } });
    expect(ok.status).toBe(200);
  });

  it('refuses connections past the per-IP limit and admits again when one closes', async () => {
    const open = [await connect(gw.url, alice), await connect(gw.url, alice), await connect(gw.url, alice)];
    await expect(connect(gw.url, alice)).rejects.toThrow(/too many connections/);
    open[0].close();
    await sleep(200);
    const again = await connect(gw.url, alice);
    again.close();
    open.slice(1).forEach((s) => s.close());
    await sleep(200);
  });

  it('caps every kind of event per user per minute, not only chat', async () => {
    await addTeam(config, 'typist@uni.edu');
    const s = await connect(gw.url, await login(gw.url, 'typist@uni.edu'));
    const codes: string[] = [];
    for (let i = 0; i < 22; i++) {
      const r = await emitAck(s, 'typing-start', { negotiation_id: 'typist_bob_C_1700000000' });
      codes.push(r.error.code);
    }
    s.close();
    expect(codes.slice(0, 20).every((c) => c === 'NEGOTIATION_NOT_FOUND')).toBe(true);
    expect(codes.slice(20)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('closes a socket when its token expires', async () => {
    const short = jwt.sign({ sub: 'alice@uni.edu', role: 'student' }, config.jwtSecret, { algorithm: 'HS256', expiresIn: 2 });
    const s = await connect(gw.url, short);
    const reason = await new Promise<string>((r) => s.once('disconnect', r));
    expect(reason).toBe('io server disconnect');
    s.close();
  });

  it('tells clients to reconnect elsewhere when it shuts down', async () => {
    const s = await connect(gw.url, alice);
    const notice = waitFor(s, 'server-shutdown');
    const gone = new Promise<string>((r) => s.once('disconnect', (reason) => r(reason)));
    await gw.close();
    expect(await notice).toEqual({ reconnect_in_ms: 1000 });
    expect(await gone).toBe('transport close');
    s.close();
  });
});
