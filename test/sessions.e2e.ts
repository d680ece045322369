import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { parse } from 'csv-parse/sync';
import { createGateway, RunningGateway } from '../apps/gateway/src/gateway';
import { createAiWorker, RunningAiWorker } from '../apps/ai-worker/src/ai-worker';
import { createAgreementWorker, RunningAgreementWorker } from '../apps/agreement-worker/src/agreement-worker';
import { RoundCloser } from '@parley/sessions';
import { testConfig } from './support/env';
import { addTeam, collect, connect, createSession, emitAck, http, login, sleep, waitFor } from './support/harness';

/**
 * A class runs without a browser: an instructor creates a peer role-play session, four students join
 * by code and are paired, one pair reaches a deal while the other runs out of time, each student gets
 * their own score and feedback, the live view, debrief and grade sheet are right; an odd head count
 * gets the AI as partner. Gateway, two agreement-workers and an ai-worker, real Redis and sockets.
 */
describe('class sessions end to end', () => {
  const config = testConfig({ MESSAGES_PER_MINUTE: '100000' });
  let gw: RunningGateway;
  let workers: RunningAgreementWorker[];
  let ai: RunningAiWorker;
  const tokens: Record<string, string> = {};
  const sockets: Socket[] = [];
  const students = ['ann@uni.edu', 'john_doe@uni.edu', 'alice@uni.edu', 'alice@other.edu'];
  const names: Record<string, string> = {
    'ann@uni.edu': 'Ann Archer',
    'john_doe@uni.edu': 'John Doe',
    'alice@uni.edu': 'Alice Uni',
    'alice@other.edu': 'Alice Other',
    'odd@uni.edu': 'Odd One',
    'out@uni.edu': 'Outsider',
  };

  beforeAll(async () => {
    await addTeam(config, 'prof@uni.edu', { role: 'instructor' });
    await addTeam(config, 'prof2@uni.edu', { role: 'instructor' });
    gw = await createGateway(config);
    workers = [
      await createAgreementWorker(config, { handleSignals: false }),
      await createAgreementWorker(config, { handleSignals: false, schedule: false }),
    ];
    ai = await createAiWorker(config, { handleSignals: false });
    tokens.prof = await login(gw.url, 'prof@uni.edu');
    tokens.prof2 = await login(gw.url, 'prof2@uni.edu');
    // the instructor adds the class over HTTP: any valid e-mail works, names are what people read
    for (const email of [...students, 'odd@uni.edu', 'out@uni.edu']) {
      const res = await http(gw.url, 'POST', '/api/users', { email, name: names[email], password: 'password1' }, tokens.prof);
      expect(res.status).toBe(201);
      tokens[email] = await login(gw.url, email);
    }
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await Promise.all([gw?.close(), ai?.close(), ...(workers ?? []).map((w) => w.close())]);
    config.cleanup();
  });

  const open = async (who: string) => {
    const s = await connect(gw.url, tokens[who]);
    sockets.push(s);
    return s;
  };
  /** Waits until `check` holds (events that may have arrived already), at most `ms`. */
  const until = async (check: () => boolean, ms = 5000) => {
    for (const t0 = Date.now(); !check();) {
      if (Date.now() - t0 > ms) throw new Error('condition not met in time');
      await sleep(20);
    }
  };
  const api = (who: string, method: string, path: string, body?: unknown) => http(gw.url, method, path, body, tokens[who]);

  let session: any;
  let profUpdates: any[] = [];
  const studentSockets: Record<string, Socket> = {};
  const roundStarted: Record<string, any> = {};

  it('creates a peer session with a join code; four students join by code and the instructor sees them live', async () => {
    const created = await api('prof', 'POST', '/api/sessions', {
      title: 'Negotiation 101, week 3',
      mode: 'peer',
      scenario_ids: ['used-car'],
      round_seconds: 10,
      pairing: 'random',
    });
    expect(created.status).toBe(201);
    session = created.body;
    expect(session.code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{6}$/);
    expect(session.join_url).toBe(`/join/${session.code}`);
    const link = await fetch(`${gw.url}/join/${session.code.toLowerCase()}`, { redirect: 'manual' });
    expect([link.status, link.headers.get('location')]).toEqual([302, `/#/join/${session.code}`]);
    expect(JSON.parse(readFileSync(join(config.dataDir, 'sessions', session.id, 'session.json'), 'utf8'))).toMatchObject({
      code: session.code,
      mode: 'peer',
      instructor: 'prof@uni.edu',
    });

    const prof = await open('prof');
    profUpdates = collect(prof, 'negotiation-update');
    expect((await emitAck(prof, 'join-session', { session_id: session.id })).ok).toBe(true);
    const live = collect(prof, 'live-update');
    for (const email of students) {
      const joined = await api(email, 'POST', '/api/sessions/join', { code: session.code.toLowerCase() });
      expect(joined.status).toBe(200);
      expect(joined.body).toMatchObject({ id: session.id, title: 'Negotiation 101, week 3' });
      expect(joined.body.instructor).toBeUndefined();
      const s = await open(email);
      studentSockets[email] = s;
      await emitAck(s, 'join-session', { session_id: session.id });
      s.on('round-started', (p) => (roundStarted[email] = p));
    }
    // joining twice changes nothing
    expect((await api('ann@uni.edu', 'POST', '/api/sessions/join', { code: session.code })).status).toBe(200);
    await until(() => live.at(-1)?.members.length === 4);
    expect(
      live
        .at(-1)
        .members.map((m: any) => m.name)
        .sort(),
    ).toEqual(students.map((e) => names[e]).sort());
    expect(live.at(-1).members.every((m: any) => m.state === 'waiting')).toBe(true);
    const mine = await api('ann@uni.edu', 'GET', `/api/sessions/${session.id}`);
    expect(mine.body.members).toHaveLength(4);
    expect(JSON.stringify(mine.body.members)).not.toContain('@');
    expect((await api('bad', 'POST', '/api/sessions/join', { code: 'ZZZZZZ' })).status).toBe(401);
    expect((await api('out@uni.edu', 'POST', '/api/sessions/join', { code: 'ZZZZZZ' })).body.code).toBe('BAD_JOIN_CODE');
  });

  it('keeps sessions apart: outsiders, other instructors and members each reach only what the session gives them', async () => {
    expect((await api('out@uni.edu', 'GET', `/api/sessions/${session.id}`)).body.code).toBe('SESSION_NOT_FOUND');
    expect((await api('prof2', 'GET', `/api/sessions/${session.id}/live`)).body.code).toBe('SESSION_NOT_FOUND');
    expect((await api('ann@uni.edu', 'GET', `/api/sessions/${session.id}/grades.csv`)).body.code).toBe('NOT_SESSION_MEMBER');
    expect((await api('ann@uni.edu', 'POST', `/api/sessions/${session.id}/rounds`, {})).status).toBe(403);
    const outsider = await open('out@uni.edu');
    expect((await emitAck(outsider, 'join-session', { session_id: session.id })).error.code).toBe('SESSION_NOT_FOUND');
    expect((await api('out@uni.edu', 'GET', '/api/sessions')).body.sessions).toEqual([]);
    expect((await api('prof2', 'GET', '/api/sessions')).body.sessions).toEqual([]);
  });

  let pairs: any[];
  it('pairs the four students; each sees only their own brief and their partner by name', async () => {
    const round = await api('prof', 'POST', `/api/sessions/${session.id}/rounds`, {});
    expect(round.status).toBe(201);
    pairs = round.body.pairs;
    expect(pairs).toHaveLength(2);
    expect(pairs.flatMap((p: any) => [p.a, p.b]).sort()).toEqual([...students].sort());
    expect(round.body.ends_at - round.body.started_at).toBe(10_000);
    expect((await api('prof', 'POST', `/api/sessions/${session.id}/rounds`, {})).body.code).toBe('ROUND_ALREADY_RUNNING');
    for (const email of students) {
      await until(() => !!roundStarted[email]);
      const got = roundStarted[email];
      const pair = pairs.find((p: any) => p.a === email || p.b === email);
      const partner = pair.a === email ? pair.b : pair.a;
      expect(got).toMatchObject({ session_id: session.id, round: 1, ends_at: round.body.ends_at, partner: names[partner] });
      expect(got.negotiation_id).toBe(pair.negotiation_id);
      const detail = await api(email, 'GET', `/api/negotiations/${pair.negotiation_id}`);
      expect(detail.body).toMatchObject({ kind: 'roleplay', my_role: pair.a === email ? 'buyer' : 'seller', session_id: session.id });
      // the buyer reads the buyer's brief, the seller the seller's; neither sees the other's walk-away
      if (pair.a === email) expect(detail.body.brief).toMatch(/^You are buying/);
      else expect(detail.body.brief).toMatch(/^You are the seller\./);
      expect(detail.body.own_side.issues[0].walk_away).toBe(pair.a === email ? 9400 : 7800);
      expect(JSON.stringify(detail.body)).not.toContain(pair.a === email ? '7,800' : '9,400');
    }
    // the other pair's negotiation is out of reach
    const [p1, p2] = pairs;
    const s = studentSockets[p1.a];
    expect((await emitAck(s, 'join-negotiation', { negotiation_id: p2.negotiation_id })).error.code).toBe('NEGOTIATION_NOT_FOUND');
  });

  it('one pair agrees through the offer panel; the other runs out of time and closes exactly once as no deal (time)', async () => {
    const [deal, late] = pairs;
    const [buyer, seller] = [studentSockets[deal.a], studentSockets[deal.b]];
    const updates: Record<string, any[]> = {};
    for (const email of students) updates[email] = collect(studentSockets[email], 'negotiation-update');
    await emitAck(buyer, 'join-negotiation', { negotiation_id: deal.negotiation_id });
    await emitAck(seller, 'join-negotiation', { negotiation_id: deal.negotiation_id });
    const heard = waitFor(seller, 'message-received', (m) => m.content === 'Would 8,200 work?');
    await emitAck(buyer, 'send-message', { negotiation_id: deal.negotiation_id, content: 'Would 8,200 work?' });
    await heard;
    await emitAck(buyer, 'propose-offer', { negotiation_id: deal.negotiation_id, terms: { price: 8200 } });
    await emitAck(seller, 'propose-offer', { negotiation_id: deal.negotiation_id, terms: { price: 8600 } });
    await emitAck(seller, 'propose-offer', { negotiation_id: deal.negotiation_id, terms: { price: 8200 } });
    await emitAck(buyer, 'agree-offer', { negotiation_id: deal.negotiation_id, terms: { price: 8200 } });
    const done = Promise.all(
      [deal.a, deal.b].map((e) => waitFor(studentSockets[e], 'negotiation-update', (u) => u.status === 'completed', 8000)),
    );
    await emitAck(seller, 'agree-offer', { negotiation_id: deal.negotiation_id, terms: { price: 8200 } });
    const [ub, us] = await done;
    expect(ub.deal_terms).toEqual({ agreed: true, terms: { price: 8200 } });
    // each scored from their own brief: 8,200 sits in the buyer's part of the zone (7,800 .. 9,400)
    expect(ub.final_score.claiming_value).toBeGreaterThan(us.final_score.claiming_value);
    expect(ub.score_explanations.claiming_value).not.toEqual(us.score_explanations.claiming_value);

    // the late pair only chats; the round's end closes it
    await emitAck(studentSockets[late.a], 'join-negotiation', { negotiation_id: late.negotiation_id });
    await emitAck(studentSockets[late.a], 'send-message', { negotiation_id: late.negotiation_id, content: 'Hello, about the car.' });
    const ended = waitFor(studentSockets[late.b], 'round-ended', (p) => p.round === 1, 12_000);
    const closed = await Promise.all(
      [late.a, late.b].map((e) =>
        waitFor(studentSockets[e], 'negotiation-update', (u) => u.negotiation_id === late.negotiation_id, 12_000),
      ),
    );
    expect((await ended).by).toBe('time');
    for (const u of closed) expect(u).toMatchObject({ status: 'expired', reason: 'no deal (time)' });
    // both workers ran the round-end job's pass too: still exactly one update each, one outcome
    await Promise.all(workers.map((w) => w.app.get(RoundCloser).close(session.id, 1)));
    await sleep(500);
    for (const email of students) expect(updates[email]).toHaveLength(1);
    // the instructor's dashboard hears both, without the students' scores
    expect(profUpdates.map((u) => u.status).sort()).toEqual(['completed', 'expired']);
    expect(profUpdates.every((u) => u.final_score === undefined)).toBe(true);
    const archive = join(config.dataDir, 'teams', late.a, 'negotiations_archive', late.negotiation_id, 'outcome.json');
    expect(JSON.parse(readFileSync(archive, 'utf8'))).toMatchObject({ status: 'expired', reason: 'no deal (time)' });
    expect(existsSync(join(config.dataDir, 'teams', late.a, 'negotiations', late.negotiation_id))).toBe(false);
  });

  it('gives each student their own score and feedback afterwards', async () => {
    for (const pair of pairs) {
      for (const email of [pair.a, pair.b]) {
        const d = await api(email, 'GET', `/api/negotiations/${pair.negotiation_id}/debrief`);
        expect(d.status).toBe(200);
        expect(d.body.you.role).toBe(email === pair.a ? 'buyer' : 'seller');
        expect(d.body.feedback).toBeTruthy();
        const one = await api(email, 'GET', `/api/negotiations/${pair.negotiation_id}`);
        expect(one.body.outcome.scores).toBeUndefined();
        expect(one.body.outcome.final_score.overall).toEqual(expect.any(Number));
      }
    }
  });

  it('shows the live view, the debrief data and a grade sheet with four rows', async () => {
    const live = (await api('prof', 'GET', `/api/sessions/${session.id}/live`)).body;
    expect(live).toMatchObject({ deals: 1, no_deals: 1 });
    expect(live.members.map((m: any) => m.state)).toEqual(['done', 'done', 'done', 'done']);
    expect(live.round.ended_at).toEqual(expect.any(Number));

    const debrief = (await api('prof', 'GET', `/api/sessions/${session.id}/debrief?round=1`)).body.debriefs[0];
    expect(debrief.roles).toEqual(['buyer', 'seller']);
    expect(debrief.deal_rate).toEqual({ deals: 1, closed: 2, rate: 0.5 });
    const point = debrief.deals.find((d: any) => d.terms);
    // price 8,200: buyer (best 7,000, worst 11,000) 70 points, seller (best 11,000, worst 7,000) 30
    expect(point).toMatchObject({ x: 70, y: 30, a: names[pairs[0].a], b: names[pairs[0].b] });
    expect(debrief.deals.find((d: any) => !d.terms)).toMatchObject({ status: 'expired', x: null, y: null });
    expect(debrief.per_role[0].main_issue.values).toEqual([8200]);
    expect(debrief.frontier.length).toBeGreaterThan(2);
    expect(debrief.briefs.map((b: any) => b.role)).toEqual(['buyer', 'seller']);
    const anon = (await api('prof', 'GET', `/api/sessions/${session.id}/debrief?anonymise=1`)).body.debriefs[0];
    expect(JSON.stringify(anon.deals)).not.toMatch(/Ann|John|Alice/);

    const csv = await api('prof', 'GET', `/api/sessions/${session.id}/grades.csv`);
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.name).sort()).toEqual(students.map((e) => names[e]).sort());
    expect(rows.filter((r) => r.outcome === 'deal').map((r) => r.terms)).toEqual(['Price: $8,200', 'Price: $8,200']);
    expect(rows.filter((r) => r.outcome === 'no deal (time)')).toHaveLength(2);
    for (const r of rows) expect(Number(r.overall)).toBeGreaterThanOrEqual(0);
    const transcripts = parse((await api('prof', 'GET', `/api/sessions/${session.id}/transcripts.csv`)).body, { columns: true }) as any[];
    expect(transcripts.find((t) => t.content === 'Hello, about the car.')).toMatchObject({ name: names[pairs[1].a], round: '1' });
    const exported = (await api('prof', 'GET', `/api/sessions/${session.id}/export.json`)).body;
    expect(exported.negotiations).toHaveLength(2);
    expect(exported.members).toHaveLength(4);
    // each download is saved under a name with the session's join code
    const saved: string[] = [];
    for (const file of ['grades.csv', 'transcripts.csv', 'export.json']) {
      const res = await fetch(`${gw.url}/api/sessions/${session.id}/${file}`, { headers: { authorization: `Bearer ${tokens.prof}` } });
      saved.push(res.headers.get('content-disposition') ?? 'none');
    }
    expect(saved).toEqual([
      `attachment; filename="grades-${session.code}.csv"`,
      `attachment; filename="transcripts-${session.code}.csv"`,
      `attachment; filename="session-${session.code}.json"`,
    ]);
  });

  it('re-pairs round 2 with roles swapped', async () => {
    const round = (await api('prof', 'POST', `/api/sessions/${session.id}/rounds`, {})).body;
    const roleIn = (ps: any[], e: string) => (ps.find((p) => p.a === e) ? 'a' : 'b');
    for (const e of students) expect(roleIn(round.pairs, e)).not.toBe(roleIn(pairs, e));
    const ended = await api('prof', 'POST', `/api/sessions/${session.id}/rounds/current/end`);
    expect(ended.status).toBe(200);
    expect((await api('prof', 'POST', `/api/sessions/${session.id}/rounds/current/end`)).body.code).toBe('ROUND_NOT_RUNNING');
  });

  it('debriefs one round or all of them, and says so when a round was never played', async () => {
    const debrief = async (query: string) => (await api('prof', 'GET', `/api/sessions/${session.id}/debrief${query}`)).body;
    // round 2 was ended at once: its negotiations close as no deal (time) on the agreement-worker
    for (const t0 = Date.now(); (await debrief('?round=2')).debriefs[0]?.deal_rate.closed !== 2; await sleep(100))
      if (Date.now() - t0 > 10_000) throw new Error('round 2 did not close');
    const [one, two, all, allByName] = await Promise.all(['?round=1', '?round=2', '', '?round=all'].map(debrief));
    expect([one.round, two.round, all.round]).toEqual([1, 2, null]);
    expect(one.rounds).toEqual([1, 2]);
    expect(one.debriefs[0].deal_rate).toEqual({ deals: 1, closed: 2, rate: 0.5 });
    expect(two.debriefs[0].deal_rate).toEqual({ deals: 0, closed: 2, rate: 0 });
    expect(all.debriefs[0].deal_rate).toEqual({ deals: 1, closed: 4, rate: 0.25 });
    expect(allByName).toEqual(all);
    const ids = (d: any) => d.debriefs[0].deals.map((x: any) => x.negotiation_id).sort();
    expect(ids(one)).toEqual(pairs.map((p) => p.negotiation_id).sort());
    expect(ids(all)).toEqual([...ids(one), ...ids(two)].sort());
    const never = await api('prof', 'GET', `/api/sessions/${session.id}/debrief?round=3`);
    expect([never.status, never.body.message]).toEqual([404, 'round 3 has not been played: rounds 1, 2']);
    const bad = await api('prof', 'GET', `/api/sessions/${session.id}/debrief?round=first`);
    expect([bad.status, bad.body.code]).toEqual([400, 'INVALID_PAYLOAD']);
    expect(bad.body.message).toContain('round must be a round number (1, 2, …) or "all"');
  });

  it('gives an odd head count an AI partner, who answers as the other side', async () => {
    const odd = await createSession(gw.url, tokens.prof, { title: 'Odd', round_seconds: 60, pairing: 'random' });
    for (const e of ['ann@uni.edu', 'john_doe@uni.edu', 'odd@uni.edu']) await api(e, 'POST', '/api/sessions/join', { code: odd.code });
    const round = (await api('prof', 'POST', `/api/sessions/${odd.id}/rounds`, {})).body;
    expect(round.pairs).toHaveLength(2);
    const withAi = round.pairs.find((p: any) => p.b === 'ai');
    expect(withAi).toMatchObject({ roles: { a: 'buyer', b: 'seller' } });
    const s = studentSockets[withAi.a] ?? (await open(withAi.a));
    await emitAck(s, 'join-negotiation', { negotiation_id: withAi.negotiation_id });
    const reply = waitFor(s, 'ai-message', (m) => m.negotiation_id === withAi.negotiation_id, 10_000);
    await emitAck(s, 'send-message', { negotiation_id: withAi.negotiation_id, content: 'I could pay 8,000 for the car.' });
    expect((await reply).content.length).toBeGreaterThan(0);
    const live = (await api('prof', 'GET', `/api/sessions/${odd.id}/live`)).body;
    expect(live.members.find((m: any) => m.email === withAi.a)).toMatchObject({ partner: 'AI', state: 'negotiating' });
  });

  it("pairs by hand: the instructor's pairs with their roles, the one left over with the AI, and clear errors for bad pairs", async () => {
    const byHand = await createSession(gw.url, tokens.prof, { title: 'By hand', round_seconds: 60, pairing: 'manual' });
    const auto = await api('prof', 'POST', '/api/sessions', {
      title: 'By hand, by itself',
      mode: 'peer',
      scenario_ids: ['used-car'],
      round_seconds: 60,
      pairing: 'manual',
      start_when_all_joined: true,
      expected_members: 2,
    });
    expect([auto.status, auto.body.message]).toEqual([
      400,
      'start_when_all_joined: a session paired by hand starts when the instructor sends the pairs',
    ]);
    const trio = ['ann@uni.edu', 'john_doe@uni.edu', 'odd@uni.edu'];
    for (const e of trio) await api(e, 'POST', '/api/sessions/join', { code: byHand.code });
    const start = (pairs: unknown) => api('prof', 'POST', `/api/sessions/${byHand.id}/rounds`, { pairs });
    for (const [pairs, message] of [
      [[{ a: 'ann@uni.edu', b: 'out@uni.edu' }], 'pairs: out@uni.edu is not a member of this session'],
      [[{ a: 'ann@uni.edu', b: 'ann@uni.edu' }], 'pairs: ann@uni.edu cannot be paired with themselves'],
      [
        [
          { a: 'ann@uni.edu', b: 'odd@uni.edu' },
          { a: 'john_doe@uni.edu', b: 'ann@uni.edu' },
        ],
        'pairs: ann@uni.edu appears in two pairs',
      ],
      [[{ a: 'ai', b: 'ann@uni.edu' }], 'pairs: the AI plays the second role only: put a student first'],
    ] as const) {
      const refused = await start(pairs);
      expect([refused.status, refused.body.code, refused.body.message]).toEqual([400, 'INVALID_PAYLOAD', message]);
    }
    for (const pairs of [undefined, []]) {
      const none = await start(pairs);
      expect([none.status, none.body.code, none.body.message]).toEqual([
        400,
        'INVALID_PAYLOAD',
        'pairs: this session is paired by hand: send the pairs to start a round',
      ]);
    }
    expect((await api('prof', 'GET', `/api/sessions/${byHand.id}`)).body.rounds).toEqual([]);
    const aiOnly = await createSession(gw.url, tokens.prof, { title: 'Practice', mode: 'ai', round_seconds: 60 });
    await api('ann@uni.edu', 'POST', '/api/sessions/join', { code: aiOnly.code });
    const notPeer = await api('prof', 'POST', `/api/sessions/${aiOnly.id}/rounds`, { pairs: [{ a: 'ann@uni.edu', b: 'ai' }] });
    expect([notPeer.status, notPeer.body.message]).toEqual([400, 'pairs: only a peer role-play session is paired by hand']);

    const round = await start([{ a: 'odd@uni.edu', b: 'ann@uni.edu' }]);
    expect(round.status).toBe(201);
    expect(round.body.pairs.map((p: any) => [p.a, p.b, p.roles.a, p.roles.b])).toEqual([
      ['odd@uni.edu', 'ann@uni.edu', 'buyer', 'seller'],
      ['john_doe@uni.edu', 'ai', 'buyer', 'seller'],
    ]);
    const seller = await api('ann@uni.edu', 'GET', `/api/negotiations/${round.body.pairs[0].negotiation_id}`);
    expect(seller.body).toMatchObject({ kind: 'roleplay', my_role: 'seller' });
    await api('prof', 'POST', `/api/sessions/${byHand.id}/rounds/current/end`);
    // round 2 by hand too: the instructor's pairs replace the swap
    const second = await start([{ a: 'ann@uni.edu', b: 'odd@uni.edu' }]);
    expect(second.body.pairs[0]).toMatchObject({ a: 'ann@uni.edu', b: 'odd@uni.edu' });
    await api('prof', 'POST', `/api/sessions/${byHand.id}/rounds/current/end`);
  });

  it('shows a student renamed after joining by the new name: live view, members list, partner', async () => {
    expect((await api('prof', 'PATCH', '/api/users/ann@uni.edu', { name: 'Ann Archer-Lee' })).status).toBe(200);
    const live = (await api('prof', 'GET', `/api/sessions/${session.id}/live`)).body;
    expect(live.members.find((m: any) => m.email === 'ann@uni.edu').name).toBe('Ann Archer-Lee');
    expect(live.members.filter((m: any) => m.partner === 'Ann Archer-Lee')).toHaveLength(1);
    const theirs = (await api('john_doe@uni.edu', 'GET', `/api/sessions/${session.id}`)).body.members.map((m: any) => m.name);
    expect(theirs).toContain('Ann Archer-Lee');
    expect(theirs).not.toContain('Ann Archer');
  });
});
