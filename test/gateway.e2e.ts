import jwt from 'jsonwebtoken';
import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../apps/gateway/src/gateway';
import { testConfig } from './support/env';
import { addTeam, collect, connect, emitAck, http, login, sleep, waitFor } from './support/harness';

/** Auth, rooms, chat delivery and every refused case of the foundation, over real sockets and Redis. */
describe('gateway: auth, rooms, chat', () => {
  const config = testConfig({ MESSAGES_PER_MINUTE: '10', LOGIN_ATTEMPTS_PER_15_MIN: '3' });
  let gw: RunningGateway;
  let alice: string, bob: string, carol: string, prof: string;
  const sockets: Socket[] = [];
  const open = async (token: string) => {
    const s = await connect(gw.url, token);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    await addTeam(config, 'alice@uni.edu');
    await addTeam(config, 'bob@uni.edu');
    await addTeam(config, 'carol@uni.edu');
    await addTeam(config, 'prof@uni.edu', { role: 'instructor' });
    gw = await createGateway(config);
    [alice, bob, carol, prof] = await Promise.all(['alice', 'bob', 'carol', 'prof'].map((u) => login(gw.url, `${u}@uni.edu`)));
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await gw.close();
    config.cleanup();
  });

  async function openTrade(): Promise<string> {
    const order = await http(gw.url, 'POST', '/api/orders', { side: 'buy', chemical: 'C', price: 5.5, quantity: 1000 }, alice);
    expect(order.status).toBe(201);
    const res = await http(gw.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, bob);
    expect(res.status).toBe(201);
    return res.body.negotiation_id;
  }

  describe('login', () => {
    it('returns a token and the user without the password hash', async () => {
      const res = await http(gw.url, 'POST', '/auth/login', { email: 'Alice@Uni.edu ', password: 'password1' });
      expect(res.status).toBe(200);
      expect(typeof res.body.accessToken).toBe('string');
      expect(res.body.user).toMatchObject({ email: 'alice@uni.edu', role: 'student' });
      expect(JSON.stringify(res.body)).not.toContain('password_hash');
    });

    it('answers a wrong password and an unknown e-mail with the same 401', async () => {
      const wrong = await http(gw.url, 'POST', '/auth/login', { email: 'carol@uni.edu', password: 'nope-nope' });
      const unknown = await http(gw.url, 'POST', '/auth/login', { email: 'nobody@uni.edu', password: 'nope-nope' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
    });

    it('slows down repeated failures with 429, even for the right password', async () => {
      for (let i = 0; i < 3; i++) await http(gw.url, 'POST', '/auth/login', { email: 'bob@uni.edu', password: 'bad-guess' });
      const blocked = await http(gw.url, 'POST', '/auth/login', { email: 'bob@uni.edu', password: 'password1' });
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('TOO_MANY_ATTEMPTS');
    });

    it('answers malformed JSON with a clear 400', async () => {
      const res = await http(gw.url, 'POST', '/auth/login', '{"email":');
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_PAYLOAD');
    });
  });

  describe('socket handshake', () => {
    const refused = (token?: string) =>
      connect(gw.url, token).then(
        (s) => {
          s.close();
          return 'connected';
        },
        (e: Error) => e.message,
      );

    it('refuses missing, forged, expired and alg:none tokens with "Authentication error"', async () => {
      const forged = jwt.sign({ sub: 'alice@uni.edu', role: 'student' }, 'some-other-secret-some-other-secret', { algorithm: 'HS256' });
      const expired = jwt.sign({ sub: 'alice@uni.edu', role: 'student', exp: Math.floor(Date.now() / 1000) - 60 }, config.jwtSecret, {
        algorithm: 'HS256',
      });
      const none = jwt.sign({ sub: 'alice@uni.edu', role: 'student' }, '', { algorithm: 'none' });
      const ghost = jwt.sign({ sub: 'ghost@uni.edu', role: 'student' }, config.jwtSecret, { algorithm: 'HS256' });
      for (const token of [undefined, 'garbage', forged, expired, none, ghost]) {
        expect(await refused(token)).toBe('Authentication error');
      }
      expect(await refused(alice)).toBe('connected');
    });

    it('refuses HTTP API calls without a valid bearer token', async () => {
      expect((await http(gw.url, 'GET', '/api/orders')).status).toBe(401);
      expect((await http(gw.url, 'GET', '/api/orders', undefined, 'x.y.z')).status).toBe(401);
    });
  });

  describe('a two-team room', () => {
    it('delivers messages and typing to both parties, history on join, ack after save', async () => {
      const id = await openTrade();
      const [a, b] = [await open(alice), await open(bob)];
      const joinA = await emitAck(a, 'join-negotiation', { negotiation_id: id });
      expect(joinA.ok).toBe(true);
      expect(joinA.data.state).toMatchObject({ negotiation_id: id, kind: 'peer', status: 'active', my_role: 'buyer' });
      const stateB = waitFor(b, 'negotiation-state');
      const historyB = waitFor(b, 'message-history');
      await emitAck(b, 'join-negotiation', { negotiation_id: id });
      expect((await stateB).my_role).toBe('seller');
      expect((await historyB).messages).toEqual([]);

      const typing = waitFor(b, 'user-typing');
      a.emit('typing-start', { negotiation_id: id });
      expect(await typing).toEqual({ negotiation_id: id, user_id: 'alice@uni.edu', typing: true });

      const atB = waitFor(b, 'message-received');
      const atA = waitFor(a, 'message-received');
      const ack = await emitAck(a, 'send-message', {
        negotiation_id: id,
        content: 'I would like 1000 C at 5.50',
        type: 'user',
        client_message_id: 'm1',
      });
      expect(ack.ok).toBe(true);
      expect(ack.data).toMatchObject({ seq: 1, sender_type: 'user', sender: 'alice@uni.edu', content: 'I would like 1000 C at 5.50' });
      expect((await atB).id).toBe(ack.data.id);
      expect((await atA).id).toBe(ack.data.id);

      // a late joiner sees the history
      const c = await open(bob);
      const hist = waitFor(c, 'message-history');
      await emitAck(c, 'join-negotiation', { negotiation_id: id });
      expect((await hist).messages.map((m: any) => m.content)).toEqual(['I would like 1000 C at 5.50']);
    });

    it('makes a re-sent client message id a no-op, not a duplicate', async () => {
      const id = await openTrade();
      const [a, b] = [await open(alice), await open(bob)];
      await emitAck(a, 'join-negotiation', { negotiation_id: id });
      await emitAck(b, 'join-negotiation', { negotiation_id: id });
      const atB = collect(b, 'message-received');
      const first = await emitAck(a, 'send-message', { negotiation_id: id, content: 'once', client_message_id: 'retry-1' });
      const again = await emitAck(a, 'send-message', { negotiation_id: id, content: 'once', client_message_id: 'retry-1' });
      expect(again.data.id).toBe(first.data.id);
      await sleep(200);
      expect(atB.filter((m) => m.content === 'once')).toHaveLength(1);
      const sync = await emitAck(b, 'sync-messages', { negotiation_id: id, after_seq: 0 });
      expect(sync.data.messages.filter((m: any) => m.content === 'once')).toHaveLength(1);
    });

    it('stores and sends markup as plain text, exactly as typed', async () => {
      const id = await openTrade();
      const a = await open(alice);
      await emitAck(a, 'join-negotiation', { negotiation_id: id });
      const evil = '<img src=x onerror=alert(1)> & <b>bold</b>';
      const ack = await emitAck(a, 'send-message', { negotiation_id: id, content: evil });
      expect(ack.data.content).toBe(evil);
    });

    it('fills a gap with sync-messages after a given sequence number', async () => {
      const id = await openTrade();
      const a = await open(alice);
      await emitAck(a, 'join-negotiation', { negotiation_id: id });
      for (const content of ['one', 'two', 'three']) await emitAck(a, 'send-message', { negotiation_id: id, content });
      const sync = await emitAck(a, 'sync-messages', { negotiation_id: id, after_seq: 1 });
      expect(sync.data.messages.map((m: any) => [m.seq, m.content])).toEqual([
        [2, 'two'],
        [3, 'three'],
      ]);
    });
  });

  describe('refused events get distinct codes', () => {
    it('MESSAGE_TOO_LONG, INVALID_PAYLOAD, NEGOTIATION_NOT_FOUND (and an outsider learns nothing)', async () => {
      const id = await openTrade();
      const a = await open(alice);
      await emitAck(a, 'join-negotiation', { negotiation_id: id });
      const tooLong = waitFor(a, 'error');
      const ack = await emitAck(a, 'send-message', { negotiation_id: id, content: 'x'.repeat(1001) });
      expect(ack).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LONG' } });
      expect(await tooLong).toMatchObject({ code: 'MESSAGE_TOO_LONG', negotiation_id: id });
      expect(typeof (await tooLong).timestamp).toBe('string');

      for (const bad of [
        null,
        'hello',
        { negotiation_id: 42 },
        { negotiation_id: id },
        { negotiation_id: id, content: 5 },
        { negotiation_id: '../../etc', content: 'x' },
      ]) {
        const r = await emitAck(a, 'send-message', bad);
        expect(r.ok).toBe(false);
        expect(r.error.code).toBe('INVALID_PAYLOAD');
      }

      const outsider = await open(carol);
      const events = collect(outsider, 'negotiation-state');
      const msgs = collect(outsider, 'message-history');
      const join = await emitAck(outsider, 'join-negotiation', { negotiation_id: id });
      const missing = await emitAck(outsider, 'join-negotiation', { negotiation_id: 'alice_carol_C_1700000000' });
      expect(join.error.code).toBe('NEGOTIATION_NOT_FOUND');
      expect(join).toEqual(missing);
      const send = await emitAck(outsider, 'send-message', { negotiation_id: id, content: 'hi' });
      expect(send.error.code).toBe('NEGOTIATION_NOT_FOUND');
      const typing = await emitAck(outsider, 'typing-start', { negotiation_id: id });
      expect(typing.error.code).toBe('NEGOTIATION_NOT_FOUND');
      await sleep(100);
      expect(events).toEqual([]);
      expect(msgs).toEqual([]);
    });

    it('RATE_LIMITED on the 11th message within a minute', async () => {
      const id = await openTrade();
      const b = await open(bob);
      await emitAck(b, 'join-negotiation', { negotiation_id: id });
      const codes: string[] = [];
      for (let i = 0; i < 11; i++) {
        const r = await emitAck(b, 'send-message', { negotiation_id: id, content: `m${i}` });
        codes.push(r.ok ? 'ok' : r.error.code);
      }
      expect(codes.slice(0, 10).every((c) => c === 'ok')).toBe(true);
      expect(codes[10]).toBe('RATE_LIMITED');
    });

    it('dev events answer DEV_ONLY outside development', async () => {
      const id = await openTrade();
      const a = await open(alice);
      const r = await emitAck(a, 'dev-complete-negotiation', { negotiation_id: id, outcome: 'success' });
      expect(r.error.code).toBe('DEV_ONLY');
      expect((await emitAck(a, 'dev-trigger-ai', { negotiation_id: id })).error.code).toBe('DEV_ONLY');
    });

    it('lets an instructor observe but not act', async () => {
      const id = await openTrade();
      const p = await open(prof);
      const join = await emitAck(p, 'join-negotiation', { negotiation_id: id });
      expect(join.ok).toBe(true);
      expect(join.data.state.my_role).toBe('observer');
      const send = await emitAck(p, 'send-message', { negotiation_id: id, content: 'hello' });
      expect(send.error.code).toBe('NOT_A_PARTY');
    });
  });
});
