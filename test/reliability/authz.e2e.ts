import jwt from 'jsonwebtoken';
import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { ClientEvent } from '@parley/contracts';
import { testConfig } from '../support/env';
import { addTeam, connect, createSession, emitAck, http, login } from '../support/harness';
import { BadInputRow, recordSuite, reliabilityMode } from '../support/reliability-report';
import { dropRedisPrefix, prototypeFingerprint } from '../support/attack';

/**
 * Who may do what: every socket event and HTTP route against every kind of caller, with the expected
 * answer written down in the tables below. An outsider must get exactly the answer a missing id gets,
 * an instructor may observe but not act, and no bad token gets past the handshake or a route guard.
 */
type Outcome = 'ok' | string; // 'ok', an ErrorCode, or an HTTP status like '200' / '401 AUTHENTICATION_ERROR'

describe('authorization matrix', () => {
  const config = testConfig({ MESSAGES_PER_MINUTE: '100000', LOGIN_ATTEMPTS_PER_15_MIN: '100000' });
  const rows: BadInputRow[] = [];
  const sockets: Socket[] = [];
  let gw: RunningGateway;
  /** The same deployment with NODE_ENV=development, so the dev events get past DEV_ONLY to the access check. */
  let devGw: RunningGateway;
  const tokens: Record<string, string> = {};
  let trade: string, practice: string, missingTrade: string, missingPractice: string;
  /** A class session of prof's: alice and bob are members (paired in round 1), carol is not. */
  let sessionId: string, otherCode: string, roleplay: string;

  beforeAll(async () => {
    await addTeam(config, 'alice@uni.edu');
    await addTeam(config, 'bob@uni.edu');
    await addTeam(config, 'carol@uni.edu');
    await addTeam(config, 'prof@uni.edu', { role: 'instructor' });
    gw = await createGateway(config);
    devGw = await createGateway({ ...config, devMode: true });
    for (const u of ['alice', 'bob', 'carol', 'prof']) tokens[u] = await login(gw.url, `${u}@uni.edu`);
    const order = await http(gw.url, 'POST', '/api/orders', { side: 'buy', chemical: 'C', price: 5, quantity: 10 }, tokens.alice);
    trade = (await http(gw.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, tokens.bob)).body.negotiation_id;
    practice = (await http(gw.url, 'POST', '/api/negotiations', { scenario_id: 'salary' }, tokens.alice)).body.negotiation_id;
    await addTeam(config, 'prof2@uni.edu', { role: 'instructor' });
    tokens.prof2 = await login(gw.url, 'prof2@uni.edu');
    const newSession = () => createSession(gw.url, tokens.prof, { title: 'Class', round_seconds: 3600, pairing: 'random' });
    const session = await newSession();
    sessionId = session.id;
    otherCode = (await newSession()).code;
    for (const u of ['alice', 'bob']) await http(gw.url, 'POST', '/api/sessions/join', { code: session.code }, tokens[u]);
    roleplay = (await http(gw.url, 'POST', `/api/sessions/${sessionId}/rounds`, {}, tokens.prof)).body.pairs[0].negotiation_id;
    missingTrade = `alice_bob_C_${Math.floor(Date.now() / 1000) - 999_999}`;
    missingPractice = '00000000-0000-4000-8000-000000000000';
    // tokens no one should get past with
    const past = Math.floor(Date.now() / 1000) - 60;
    tokens.expired = jwt.sign({ sub: 'alice@uni.edu', role: 'student', exp: past }, config.jwtSecret, { algorithm: 'HS256' });
    tokens.forged = jwt.sign({ sub: 'alice@uni.edu', role: 'student' }, 'not-the-secret-not-the-secret-not', { algorithm: 'HS256' });
    tokens.algNone = jwt.sign({ sub: 'alice@uni.edu', role: 'student' }, '', { algorithm: 'none' });
    tokens.ghost = jwt.sign({ sub: 'ghost@uni.edu', role: 'instructor' }, config.jwtSecret, { algorithm: 'HS256' });
    // a correctly signed student token that claims the instructor role: the role comes from init.json
    tokens.roleClaim = jwt.sign({ sub: 'carol@uni.edu', role: 'instructor' }, config.jwtSecret, { algorithm: 'HS256', expiresIn: 3600 });
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await Promise.all([gw?.close(), devGw?.close()]);
    await dropRedisPrefix(config.redisUrl, config.redisPrefix).catch(() => undefined);
    config.cleanup();
    recordSuite({ suite: 'attack-authz', mode: reliabilityMode(), bad_inputs: rows });
  });

  const open = async (g: RunningGateway, who: string) => {
    const s = await connect(g.url, tokens[who]);
    sockets.push(s);
    return s;
  };

  // ------------------------------------------------------------ sockets

  interface EventCase {
    event: string;
    /** Payload for a negotiation id; dev events aim at the AI practice, the rest at the peer trade. */
    payload: (id: string) => Record<string, unknown>;
    ai?: boolean;
    party: Outcome;
    /** Another student: exactly what an id that does not exist gets. */
    other: Outcome;
    instructor: Outcome;
  }

  const terms = { price: 5, quantity: 10 };
  // reject last: it ends the party's part of the negotiation
  const EVENTS: EventCase[] = [
    {
      event: ClientEvent.JoinNegotiation,
      payload: (id) => ({ negotiation_id: id }),
      party: 'ok',
      other: 'NEGOTIATION_NOT_FOUND',
      instructor: 'ok',
    },
    {
      event: ClientEvent.SyncMessages,
      payload: (id) => ({ negotiation_id: id, after_seq: 0 }),
      party: 'ok',
      other: 'NEGOTIATION_NOT_FOUND',
      instructor: 'ok',
    },
    {
      event: ClientEvent.SendMessage,
      payload: (id) => ({ negotiation_id: id, content: 'hello' }),
      party: 'ok',
      other: 'NEGOTIATION_NOT_FOUND',
      instructor: 'NOT_A_PARTY',
    },
    {
      event: ClientEvent.TypingStart,
      payload: (id) => ({ negotiation_id: id }),
      party: 'ok',
      other: 'NEGOTIATION_NOT_FOUND',
      instructor: 'NOT_A_PARTY',
    },
    {
      event: ClientEvent.TypingStop,
      payload: (id) => ({ negotiation_id: id }),
      party: 'ok',
      other: 'NEGOTIATION_NOT_FOUND',
      instructor: 'NOT_A_PARTY',
    },
    {
      event: ClientEvent.ProposeOffer,
      payload: (id) => ({ negotiation_id: id, terms }),
      party: 'ok',
      other: 'NEGOTIATION_NOT_FOUND',
      instructor: 'NOT_A_PARTY',
    },
    {
      event: ClientEvent.AgreeOffer,
      payload: (id) => ({ negotiation_id: id, terms }),
      party: 'ok',
      other: 'NEGOTIATION_NOT_FOUND',
      instructor: 'NOT_A_PARTY',
    },
    // leaving a room is not access to anything: everyone gets ok, an outsider the same as for a missing id
    { event: ClientEvent.LeaveNegotiation, payload: (id) => ({ negotiation_id: id }), party: 'ok', other: 'ok', instructor: 'ok' },
    {
      event: ClientEvent.DevTriggerAi,
      payload: (id) => ({ negotiation_id: id }),
      ai: true,
      party: 'ok',
      other: 'NEGOTIATION_NOT_FOUND',
      instructor: 'NOT_A_PARTY',
    },
    {
      event: ClientEvent.DevCompleteNegotiation,
      payload: (id) => ({ negotiation_id: id, outcome: 'failure' }),
      ai: true,
      party: 'ok',
      other: 'NEGOTIATION_NOT_FOUND',
      instructor: 'NOT_A_PARTY',
    },
    {
      event: ClientEvent.RejectNegotiation,
      payload: (id) => ({ negotiation_id: id }),
      party: 'ok',
      other: 'NEGOTIATION_NOT_FOUND',
      instructor: 'NOT_A_PARTY',
    },
  ];

  const outcomeOf = (ack: any): Outcome => (ack?.ok ? 'ok' : (ack?.error?.code ?? `no answer ${JSON.stringify(ack)}`));

  it('socket events × {party, other student, instructor} (dev events on a development gateway)', async () => {
    const mismatches: string[] = [];
    const s = { party: await open(gw, 'alice'), other: await open(gw, 'carol'), instructor: await open(gw, 'prof') };
    const dev = { party: await open(devGw, 'alice'), other: await open(devGw, 'carol'), instructor: await open(devGw, 'prof') };
    for (const c of EVENTS) {
      const id = c.ai ? practice : trade;
      const missing = c.ai ? missingPractice : missingTrade;
      const on = c.ai ? dev : s;
      const got: Record<string, Outcome> = {};
      // outsiders and observers first, so the party's reject comes last
      for (const who of ['other', 'instructor', 'party'] as const) {
        const ack = await emitAck(on[who], c.event, c.payload(id));
        got[who] = outcomeOf(ack);
        if (got[who] !== c[who])
          mismatches.push(`${c.event} as ${who}: expected ${c[who]}, got ${got[who]} (${JSON.stringify(ack).slice(0, 120)})`);
        if (who === 'other') {
          const forMissing = await emitAck(on.other, c.event, c.payload(missing));
          // the only difference allowed is the id the caller sent itself
          if (JSON.stringify(ack).split(id).join('<id>') !== JSON.stringify(forMissing).split(missing).join('<id>'))
            mismatches.push(
              `${c.event}: an outsider's answer ${JSON.stringify(ack)} differs from a missing id's ${JSON.stringify(forMissing)}`,
            );
        }
      }
      rows.push({
        input: `authz socket ${c.event}${c.ai ? ' (AI practice, development gateway)' : ' (peer trade)'}`,
        tried: 4,
        answered: `party ${got.party} · other student ${got.other} (same as a missing id) · instructor ${got.instructor}`,
        server_stayed_up: true,
        wrote_outside_data_dir: false,
      });
    }
    // in production the dev events answer DEV_ONLY to everyone, before any lookup
    for (const who of ['party', 'other', 'instructor'] as const) {
      for (const event of [ClientEvent.DevTriggerAi, ClientEvent.DevCompleteNegotiation]) {
        const code = outcomeOf(await emitAck(s[who], event, { negotiation_id: practice }));
        if (code !== 'DEV_ONLY') mismatches.push(`${event} as ${who} in production: ${code}`);
      }
    }
    rows.push({
      input: 'authz socket dev-* events on a production gateway × {party, other, instructor}',
      tried: 6,
      answered: 'DEV_ONLY ×6',
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
    expect(mismatches).toEqual([]);
  });

  it('socket handshake refuses every bad token (so no event is reachable)', async () => {
    const got: string[] = [];
    for (const who of [undefined, 'expired', 'forged', 'algNone', 'ghost']) {
      const answer = await connect(gw.url, who ? tokens[who] : undefined).then(
        (sock) => {
          sock.close();
          return 'connected';
        },
        (e: Error) => e.message,
      );
      got.push(`${who ?? 'no token'}: ${answer}`);
      expect(answer).toBe('Authentication error');
    }
    rows.push({
      input: 'authz socket handshake × {no token, expired, forged signature, alg:none, deleted user}',
      tried: 5,
      answered: 'Authentication error ×5',
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
    // a student token that claims the instructor role connects as the student it is
    const s = await open(gw, 'roleClaim');
    const join = await emitAck(s, 'join-negotiation', { negotiation_id: trade });
    expect(join.error.code).toBe('NEGOTIATION_NOT_FOUND');
    rows.push({
      input: 'authz socket: signed student token claiming role "instructor" joins a trade it is not in',
      tried: 1,
      answered: 'NEGOTIATION_NOT_FOUND (role read from init.json, not the token)',
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  });

  // ------------------------------------------------------------ HTTP

  interface RouteCase {
    name: string;
    method: string;
    path: () => string;
    body?: () => unknown;
    /** Expected status (and code) per caller; bad tokens always expect 401 AUTHENTICATION_ERROR unless `public`. */
    party: Outcome;
    other: Outcome;
    instructor: Outcome;
    public?: boolean;
    /** Run once per caller with a fresh resource (e.g. an order to delete). */
    fresh?: () => Promise<void>;
  }

  let orderToDelete = '';
  let orderToRespond = '';
  const newOrder = async () =>
    (await http(gw.url, 'POST', '/api/orders', { side: 'sell', chemical: 'N', price: 3, quantity: 5 }, tokens.alice)).body.id as string;

  /** A row of the table: the name starts with the method; the answers are the party's, another student's, the instructor's. */
  const route = (
    name: string,
    path: string | (() => string),
    [party, other, instructor]: readonly [Outcome, Outcome, Outcome],
    more: Pick<RouteCase, 'body' | 'public' | 'fresh'> = {},
  ): RouteCase => ({
    name,
    method: name.split(' ')[0],
    path: typeof path === 'string' ? () => path : path,
    party,
    other,
    instructor,
    ...more,
  });
  const EVERYONE = ['200', '200', '200'] as const;
  const INSTRUCTORS_ONLY = ['403 FORBIDDEN', '403 FORBIDDEN', '200'] as const;
  const NOT_AN_OUTSIDER = ['200', '404 NEGOTIATION_NOT_FOUND', '200'] as const;
  // session isolation: party = alice (a member), other = carol (not a member), instructor = prof (its instructor)
  const ITS_INSTRUCTOR_ONLY = ['403 NOT_SESSION_MEMBER', '404 SESSION_NOT_FOUND', '200'] as const;

  const ROUTES: RouteCase[] = [
    route('GET /health', '/health', EVERYONE, { public: true }),
    route('GET /metrics (Prometheus, open by design)', '/metrics', EVERYONE, { public: true }),
    route('GET /api/scenarios', '/api/scenarios', EVERYONE),
    route('GET /api/scenarios/:id', '/api/scenarios/salary', EVERYONE),
    route('GET /api/negotiations', '/api/negotiations', EVERYONE),
    // alice is in a peer session on used-car: AI practice on it would show her partner's brief
    route('POST /api/negotiations', '/api/negotiations', ['403 FORBIDDEN', '201', '201'], { body: () => ({ scenario_id: 'used-car' }) }),
    route('GET /api/negotiations/:id (peer trade)', () => `/api/negotiations/${trade}`, NOT_AN_OUTSIDER),
    route('GET /api/negotiations/:id (AI practice)', () => `/api/negotiations/${practice}`, NOT_AN_OUTSIDER),
    route('GET /api/orders', '/api/orders', EVERYONE),
    route('POST /api/orders', '/api/orders', ['201', '201', '201'], {
      body: () => ({ side: 'buy', chemical: 'D', price: 2, quantity: 1 }),
    }),
    route('DELETE /api/orders/:id (alice is the owner)', () => `/api/orders/${orderToDelete}`, ['204', '403 FORBIDDEN', '403 FORBIDDEN'], {
      fresh: async () => void (orderToDelete = await newOrder()),
    }),
    route(
      'POST /api/orders/:id/respond (alice is the owner)',
      () => `/api/orders/${orderToRespond}/respond`,
      ['409 CONFLICT', '201', '201'],
      {
        fresh: async () => void (orderToRespond = await newOrder()),
      },
    ),
    route('GET /api/teams/me', '/api/teams/me', EVERYONE),
    route('GET /api/admin/audit', '/api/admin/audit', INSTRUCTORS_ONLY),
    ...['negotiations', 'transactions', 'grades.csv', 'transcripts.csv'].map((part) =>
      route(`GET /api/instructor/${part}`, `/api/instructor/${part}`, INSTRUCTORS_ONLY),
    ),
    route('GET /api/sessions', '/api/sessions', EVERYONE),
    route('POST /api/sessions', '/api/sessions', ['403 FORBIDDEN', '403 FORBIDDEN', '201'], {
      body: () => ({ title: 'x', mode: 'ai', scenario_ids: ['salary'], round_seconds: 60 }),
    }),
    route('GET /api/sessions/:id', () => `/api/sessions/${sessionId}`, ['200', '404 SESSION_NOT_FOUND', '200']),
    ...['live', 'debrief', 'grades.csv', 'transcripts.csv', 'export.json'].map((part) =>
      route(`GET /api/sessions/:id/${part}`, () => `/api/sessions/${sessionId}/${part}`, ITS_INSTRUCTOR_ONLY),
    ),
    route('POST /api/sessions/:id/broadcast', () => `/api/sessions/${sessionId}/broadcast`, ITS_INSTRUCTOR_ONLY, {
      body: () => ({ text: 'Five minutes left' }),
    }),
    route(
      'POST /api/sessions/:id/rounds (one is running)',
      () => `/api/sessions/${sessionId}/rounds`,
      ['403 NOT_SESSION_MEMBER', '404 SESSION_NOT_FOUND', '409 ROUND_ALREADY_RUNNING'],
      { body: () => ({}) },
    ),
    route('GET /api/negotiations/:id (session role-play of alice and bob)', () => `/api/negotiations/${roleplay}`, NOT_AN_OUTSIDER),
    route('POST /api/sessions/join (another session of prof)', '/api/sessions/join', ['200', '200', '403 FORBIDDEN'], {
      body: () => ({ code: otherCode }),
    }),
    route('GET /api/users', '/api/users', INSTRUCTORS_ONLY),
    route('PATCH /api/users/:email', '/api/users/bob@uni.edu', INSTRUCTORS_ONLY, { body: () => ({ name: 'Bob B' }) }),
    route('GET /admin/queues (bull-board)', '/admin/queues', INSTRUCTORS_ONLY),
    route('GET /admin/queues/api/queues (bull-board API)', '/admin/queues/api/queues', INSTRUCTORS_ONLY),
  ];
  const callers = { party: 'alice', other: 'carol', instructor: 'prof' } as const;
  const badCallers = ['none', 'expired', 'forged', 'algNone', 'ghost', 'garbage'] as const;

  async function call(c: RouteCase, token: string | undefined): Promise<{ outcome: Outcome; body: any }> {
    const res = await http(gw.url, c.method, c.path(), c.body?.(), token);
    const code = res.status >= 400 && typeof res.body === 'object' && res.body ? res.body.code : undefined;
    return { outcome: code ? `${res.status} ${code}` : `${res.status}`, body: res.body };
  }

  it('HTTP routes × {party, other student, instructor, no token, expired, forged, alg:none, deleted user, garbage}', async () => {
    const mismatches: string[] = [];
    for (const c of ROUTES) {
      const got: Record<string, Outcome> = {};
      for (const [who, user] of Object.entries(callers)) {
        await c.fresh?.();
        const { outcome } = await call(c, tokens[user]);
        got[who] = outcome;
        const expected = c[who as keyof typeof callers];
        if (outcome !== expected) mismatches.push(`${c.name} as ${who}: expected ${expected}, got ${outcome}`);
      }
      for (const who of badCallers) {
        await c.fresh?.();
        const token = who === 'none' ? undefined : who === 'garbage' ? 'garbage.garbage.garbage' : tokens[who];
        const { outcome } = await call(c, token);
        got[who] = outcome;
        const expected = c.public ? '200' : '401 AUTHENTICATION_ERROR';
        if (outcome !== expected) mismatches.push(`${c.name} with ${who} token: expected ${expected}, got ${outcome}`);
      }
      const bad = badCallers.map((b) => got[b]);
      rows.push({
        input: `authz HTTP ${c.name}`,
        tried: 3 + badCallers.length,
        answered: `party ${got.party} · other student ${got.other} · instructor ${got.instructor} · bad tokens (none/expired/forged/alg:none/deleted/garbage) ${[...new Set(bad)].join(', ')} ×${bad.length}`,
        server_stayed_up: true,
        wrote_outside_data_dir: false,
      });
    }
    expect(mismatches).toEqual([]);
  });

  it("session isolation: only members and the session's own instructor reach a session, its room and its negotiations", async () => {
    const mismatches: string[] = [];
    const expect1 = (what: string, got: Outcome, want: Outcome) => {
      if (got !== want) mismatches.push(`${what}: expected ${want}, got ${got}`);
    };
    const missing = '00000000-0000-4000-8000-00000000beef';
    const callers2 = { member: 'alice', outsider: 'carol', instructor: 'prof', otherInstructor: 'prof2' } as const;
    const want = { member: 'ok', outsider: 'SESSION_NOT_FOUND', instructor: 'ok', otherInstructor: 'SESSION_NOT_FOUND' } as const;
    const got: Record<string, Outcome> = {};
    for (const [who, user] of Object.entries(callers2)) {
      const sock = await open(gw, user);
      const ack = await emitAck(sock, ClientEvent.JoinSession, { session_id: sessionId });
      got[who] = outcomeOf(ack);
      expect1(`join-session as ${who}`, got[who], want[who as keyof typeof want]);
      if (who === 'outsider') {
        const forMissing = await emitAck(sock, ClientEvent.JoinSession, { session_id: missing });
        expect1('join-session: outsider vs missing id', JSON.stringify(ack), JSON.stringify(forMissing));
      }
    }
    rows.push({
      input: 'authz socket join-session × {member, outsider student, its instructor, another instructor}',
      tried: 5,
      answered: `member ${got.member} · outsider ${got.outsider} (same as a missing id) · its instructor ${got.instructor} · another instructor ${got.otherInstructor}`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
    // another instructor is an outsider to every instructor route of the session
    const other = await http(gw.url, 'GET', `/api/sessions/${sessionId}/grades.csv`, undefined, tokens.prof2);
    expect1('grades.csv as another instructor', `${other.status} ${other.body.code}`, '404 SESSION_NOT_FOUND');
    const sock = await open(gw, 'carol');
    expect1(
      'outsider joins the role-play',
      outcomeOf(await emitAck(sock, ClientEvent.JoinNegotiation, { negotiation_id: roleplay })),
      'NEGOTIATION_NOT_FOUND',
    );
    rows.push({
      input: "authz session: another instructor reads grades.csv; an outsider joins a member pair's role-play",
      tried: 2,
      answered: '404 SESSION_NOT_FOUND · NEGOTIATION_NOT_FOUND',
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
    expect(mismatches).toEqual([]);
  });

  it("a student of a peer session cannot read the partner's brief: not from /api/scenarios, not by starting an AI practice", async () => {
    const briefOf = async (user: string, path: string) => {
      const res = await http(gw.url, 'GET', path, undefined, tokens[user]);
      const one = path.endsWith('/api/scenarios') ? res.body.scenarios.find((x: { id: string }) => x.id === 'used-car') : res.body;
      return `${res.status} ${one.student_brief ? 'brief' : 'no brief'}`;
    };
    await addTeam(config, 'dave@uni.edu');
    tokens.dave = await login(gw.url, 'dave@uni.edu');
    const got: Record<string, string> = {};
    for (const user of ['alice', 'bob', 'dave', 'prof'])
      for (const path of ['/api/scenarios/used-car', '/api/scenarios']) got[`${user} ${path}`] = await briefOf(user, path);
    // a scenario outside the session stays readable to its members
    got['alice /api/scenarios/salary'] = await briefOf('alice', '/api/scenarios/salary');
    for (const user of ['alice', 'bob']) {
      const res = await http(gw.url, 'POST', '/api/negotiations', { scenario_id: 'used-car' }, tokens[user]);
      got[`${user} AI practice on used-car`] = `${res.status} ${res.body.code}`;
    }
    // each member still reads their own side's brief, with their negotiation
    const briefs = new Set<string>();
    for (const user of ['alice', 'bob']) {
      const res = await http(gw.url, 'GET', `/api/negotiations/${roleplay}`, undefined, tokens[user]);
      expect(typeof res.body.brief).toBe('string');
      briefs.add(res.body.brief);
    }
    expect(briefs.size).toBe(2);
    expect(got).toEqual({
      'alice /api/scenarios/used-car': '200 no brief',
      'alice /api/scenarios': '200 no brief',
      'bob /api/scenarios/used-car': '200 no brief',
      'bob /api/scenarios': '200 no brief',
      'dave /api/scenarios/used-car': '200 brief',
      'dave /api/scenarios': '200 brief',
      'prof /api/scenarios/used-car': '200 brief',
      'prof /api/scenarios': '200 brief',
      'alice /api/scenarios/salary': '200 brief',
      'alice AI practice on used-car': '403 FORBIDDEN',
      'bob AI practice on used-car': '403 FORBIDDEN',
    });
    rows.push({
      input: 'authz scenario briefs × {two members of a peer session, an outsider student, the instructor}',
      tried: Object.keys(got).length,
      answered: "members: no student_brief for the session's scenarios, AI practice on them 403 FORBIDDEN; others: the brief",
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  });

  it('an outsider learns nothing: a foreign negotiation answers like a missing one, and lists never show it', async () => {
    for (const id of [trade, practice]) {
      const missing = id === trade ? missingTrade : missingPractice;
      const foreign = await http(gw.url, 'GET', `/api/negotiations/${id}`, undefined, tokens.carol);
      const absent = await http(gw.url, 'GET', `/api/negotiations/${missing}`, undefined, tokens.carol);
      expect(foreign).toEqual(absent);
    }
    const list = await http(gw.url, 'GET', '/api/negotiations', undefined, tokens.carol);
    const me = await http(gw.url, 'GET', '/api/teams/me', undefined, tokens.carol);
    const text = JSON.stringify([list.body, me.body]);
    expect(text).not.toContain(trade);
    expect(text).not.toContain(practice);
    // the role claim in a signed token does not make a student an instructor
    expect((await http(gw.url, 'GET', '/api/admin/audit', undefined, tokens.roleClaim)).status).toBe(403);
    expect((await http(gw.url, 'GET', '/api/instructor/negotiations', undefined, tokens.roleClaim)).status).toBe(403);
    // a token in the dashboard's URL is no longer accepted, not even an instructor's (session cookie instead)
    expect((await http(gw.url, 'GET', `/admin/queues?token=${tokens.alice}`)).status).toBe(401);
    expect((await http(gw.url, 'GET', `/admin/queues?token=${tokens.algNone}`)).status).toBe(401);
    expect((await http(gw.url, 'GET', `/admin/queues?token=${tokens.prof}`)).status).toBe(401);
    rows.push({
      input:
        'authz: foreign negotiation vs missing id (HTTP body compared byte for byte), lists of an outsider, role claim, dashboard ?token=',
      tried: 9,
      answered: 'identical 404 NEGOTIATION_NOT_FOUND ×2, ids absent from lists ×2, 403 FORBIDDEN ×3, 401 ×1, 200 for the instructor ×1',
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
    expect(prototypeFingerprint()).not.toContain('yes');
  });
});
