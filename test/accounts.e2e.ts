import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../apps/gateway/src/gateway';
import { hashPassword } from '@parley/store';
import { testConfig } from './support/env';
import { addTeam, collect, connect, createSession, emitAck, http, login, sleep } from './support/harness';

/**
 * Accounts over HTTP for instructors: list, add, import a roster (every problem by line, nothing
 * written for a bad file, a `session` column pre-assigns the join code), rename, reset a password,
 * remove. Any valid e-mail gets an account; an existing account keeps the file prefix it had.
 */
describe('accounts and roster over HTTP', () => {
  const config = testConfig();
  let gw: RunningGateway;
  let prof: string;
  const sockets: Socket[] = [];
  const api = (method: string, path: string, body?: unknown, token = prof) => http(gw.url, method, path, body, token);

  beforeAll(async () => {
    await addTeam(config, 'prof@uni.edu', { role: 'instructor' });
    // an account from before prefixes were stored: no prefix in its init.json
    const legacy = join(config.dataDir, 'teams', 'alice@uni.edu');
    mkdirSync(legacy, { recursive: true });
    writeFileSync(
      join(legacy, 'init.json'),
      JSON.stringify({
        email: 'alice@uni.edu',
        name: 'Alice',
        role: 'student',
        password_hash: await hashPassword('password1'),
        holdings: { cash: 50000, C: 2000, N: 2000, D: 2000, Q: 2000 },
      }),
    );
    gw = await createGateway(config);
    prof = await login(gw.url, 'prof@uni.edu');
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await gw?.close();
    config.cleanup();
  });

  it('adds any valid e-mail; the existing alice keeps "alice", the new ones get their own prefixes', async () => {
    for (const email of ['alice@other.edu', 'john_doe@uni.edu']) {
      const res = await api('POST', '/api/users', { email, name: `Name of ${email}`, password: 'password1' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ email, name: `Name of ${email}`, role: 'student' });
    }
    const prefix = (e: string) => JSON.parse(readFileSync(join(config.dataDir, 'teams', e, 'init.json'), 'utf8')).prefix;
    expect([prefix('alice@other.edu'), prefix('john_doe@uni.edu')]).toEqual(['alice-2', 'john-doe']);
    expect(prefix('alice@uni.edu')).toBeUndefined();
    // both alices practise: their own files carry their own prefixes
    for (const [email, file] of [
      ['alice@uni.edu', 'alice_messages.jsonl'],
      ['alice@other.edu', 'alice-2_messages.jsonl'],
    ]) {
      const token = await login(gw.url, email);
      const { negotiation_id: id } = (await api('POST', '/api/negotiations', { scenario_id: 'salary' }, token)).body;
      const s = await connect(gw.url, token);
      sockets.push(s);
      await emitAck(s, 'join-negotiation', { negotiation_id: id });
      expect((await emitAck(s, 'send-message', { negotiation_id: id, content: 'Hello' })).ok).toBe(true);
      expect(readdirSync(join(config.dataDir, 'teams', email, 'negotiations', id))).toContain(file);
    }
    const bad = await api('POST', '/api/users', { email: 'not an email', password: 'password1' });
    expect(bad.body.code).toBe('INVALID_PAYLOAD');
    expect((await api('POST', '/api/users', { email: 'alice@uni.edu', password: 'password1' })).body.code).toBe('CONFLICT');
    const list = (await api('GET', '/api/users')).body.users;
    expect(list.map((u: any) => u.email)).toEqual(['alice@other.edu', 'alice@uni.edu', 'john_doe@uni.edu', 'prof@uni.edu']);
    expect(JSON.stringify(list)).not.toMatch(/password_hash|prefix/);
  });

  it('imports a roster all or nothing, naming each bad line; a session column pre-assigns the student', async () => {
    const session = await createSession(gw.url, prof, { title: 'Week 1', round_seconds: 60 });
    const bad = await api('POST', '/api/users/import', {
      csv: `email,name,role,password,session\nann@uni.edu,Ann,student,password1,${session.code}\nnope,X,student,password1,\nann@uni.edu,Ann again,student,password1,\nbo@uni.edu,Bo,student,short,\ncy@uni.edu,Cy,student,password1,ZZZZZZ\n`,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { line: 3, message: expect.stringMatching(/^invalid e-mail "nope"/) },
      { line: 4, message: 'ann@uni.edu repeats line 2' },
      { line: 5, message: 'password must have at least 8 characters' },
      { line: 6, message: 'no session has the join code "ZZZZZZ"' },
    ]);
    expect(existsSync(join(config.dataDir, 'teams', 'ann@uni.edu'))).toBe(false);

    const good = await api('POST', '/api/users/import', {
      csv: `email,name,role,password,session,group\nann@uni.edu,Ann,student,password1,${session.code},g1\nbo@uni.edu,Bo,student,password1,,\n`,
    });
    expect(good.status).toBe(201);
    expect(good.body.imported.map((u: any) => u.email)).toEqual(['ann@uni.edu', 'bo@uni.edu']);
    const members = (await api('GET', `/api/sessions/${session.id}`)).body.members;
    expect(members).toEqual([
      expect.objectContaining({ email: 'ann@uni.edu', name: 'Ann', columns: { session: session.code, group: 'g1' } }),
    ]);
    expect(good.body.lines.map((l: any) => l.result)).toEqual([`added, added to session ${session.code}`, 'added']);

    // week 2: the same roster again pre-assigns the existing accounts; a different name is a conflict
    const week2 = await createSession(gw.url, prof, { title: 'Week 2', round_seconds: 60 });
    const conflict = await api('POST', '/api/users/import', {
      csv: `email,name,password,session,group\nann@uni.edu,Ann,,${week2.code},g2\nbo@uni.edu,Bob,,${week2.code},g2\n`,
    });
    expect([conflict.status, conflict.body.errors]).toEqual([
      400,
      [{ line: 3, message: expect.stringMatching(/^bo@uni\.edu already has an account named "Bo", not "Bob"/) }],
    ]);
    expect((await api('GET', `/api/sessions/${week2.id}`)).body.members).toEqual([]);
    const again = await api('POST', '/api/users/import', {
      csv: `email,name,password,session,group\nann@uni.edu,Ann,,${week2.code},g2\nbo@uni.edu,,,${week2.code},g3\ndan@uni.edu,Dan,password1,${week2.code},g3\n`,
    });
    expect(again.status).toBe(201);
    expect(again.body.imported.map((u: any) => u.email)).toEqual(['dan@uni.edu']);
    expect(again.body.lines.map((l: any) => [l.line, l.email, l.result])).toEqual([
      [2, 'ann@uni.edu', `already had an account: added to session ${week2.code}`],
      [3, 'bo@uni.edu', `already had an account: added to session ${week2.code}`],
      [4, 'dan@uni.edu', `added, added to session ${week2.code}`],
    ]);
    const week2Members = (await api('GET', `/api/sessions/${week2.id}`)).body.members;
    expect(week2Members.map((m: any) => [m.email, m.columns.group]).sort()).toEqual([
      ['ann@uni.edu', 'g2'],
      ['bo@uni.edu', 'g3'],
      ['dan@uni.edu', 'g3'],
    ]);
    await login(gw.url, 'ann@uni.edu'); // the password is kept
    const repeat = await api('POST', '/api/users/import', { csv: `email,name,password,session\nann@uni.edu,,,${week2.code}\n` });
    expect(repeat.body.lines[0].result).toBe(`already had an account: already in session ${week2.code}`);
  });

  it('renames, resets a password and removes an account, keeping its files', async () => {
    const bo = await login(gw.url, 'bo@uni.edu');
    expect((await api('PATCH', '/api/users/bo@uni.edu', { name: 'Bo Brown' })).body).toMatchObject({ name: 'Bo Brown' });
    expect((await api('PATCH', '/api/users/bo@uni.edu', { password: 'short' })).body.code).toBe('INVALID_PAYLOAD');
    expect((await api('PATCH', '/api/users/bo@uni.edu', { password: 'brand-new-1' })).status).toBe(200);
    await expect(login(gw.url, 'bo@uni.edu')).rejects.toThrow(/401/);
    await login(gw.url, 'bo@uni.edu', 'brand-new-1');
    expect((await api('PATCH', '/api/users/ghost@uni.edu', { name: 'X' })).body.code).toBe('NOT_FOUND');
    expect((await api('DELETE', '/api/users/prof@uni.edu')).body.code).toBe('CONFLICT');

    expect((await api('DELETE', '/api/users/bo@uni.edu')).status).toBe(204);
    expect((await api('GET', '/api/teams/me', undefined, bo)).status).toBe(401);
    expect(readdirSync(join(config.dataDir, 'teams_removed'))).toEqual([expect.stringMatching(/^bo@uni\.edu\./)]);
    expect((await api('GET', '/api/users')).body.users.map((u: any) => u.email)).not.toContain('bo@uni.edu');
  });

  it('starts round 1 by itself when the expected class has joined', async () => {
    await addTeam(config, 'cy@uni.edu');
    const session = await createSession(gw.url, prof, {
      title: 'Auto',
      round_seconds: 60,
      start_when_all_joined: true,
      expected_members: 2,
    });
    const [ann, cy] = [await login(gw.url, 'ann@uni.edu'), await login(gw.url, 'cy@uni.edu')];
    const s = await connect(gw.url, cy);
    sockets.push(s);
    const started = collect(s, 'round-started');
    await api('POST', '/api/sessions/join', { code: session.code }, ann);
    expect((await api('GET', `/api/sessions/${session.id}`)).body.current_round).toBeNull();
    await api('POST', '/api/sessions/join', { code: session.code }, cy);
    const view = (await api('GET', `/api/sessions/${session.id}`)).body;
    expect(view.current_round.pairs).toHaveLength(1);
    for (let i = 0; i < 50 && !started.length; i++) await sleep(20);
    expect(started[0]).toMatchObject({ session_id: session.id, round: 1, negotiation_id: view.current_round.pairs[0].negotiation_id });
  });

  it('keeps a roster column with the account: imported before the session, joined by code, paired by that column', async () => {
    const roster = ['dee', 'eve', 'fay', 'gus'].map((n, i) => `${n}@uni.edu,${n},password1,${i % 2 ? 'blue' : 'red'}`);
    expect((await api('POST', '/api/users/import', { csv: ['email,name,password,group', ...roster].join('\n') })).status).toBe(201);
    const session = await createSession(gw.url, prof, { title: 'By group', round_seconds: 60, pairing: 'column', pairing_column: 'group' });
    for (const n of ['dee', 'eve', 'fay', 'gus'])
      expect((await api('POST', '/api/sessions/join', { code: session.code }, await login(gw.url, `${n}@uni.edu`))).status).toBe(200);
    const members = (await api('GET', `/api/sessions/${session.id}`)).body.members;
    expect(members.map((m: { email: string; columns?: object }) => [m.email, m.columns])).toEqual([
      ['dee@uni.edu', { group: 'red' }],
      ['eve@uni.edu', { group: 'blue' }],
      ['fay@uni.edu', { group: 'red' }],
      ['gus@uni.edu', { group: 'blue' }],
    ]);
    const round = (await api('POST', `/api/sessions/${session.id}/rounds`, {})).body;
    const groups = round.pairs.map((p: { a: string; b: string }) => [p.a, p.b].sort().join(' & ')).sort();
    expect(groups).toEqual(['dee@uni.edu & fay@uni.edu', 'eve@uni.edu & gus@uni.edu']);
  });

  it('refuses "start when all have joined" without the head count to wait for', async () => {
    const res = await api('POST', '/api/sessions', {
      title: 'Auto',
      mode: 'peer',
      scenario_ids: ['used-car'],
      round_seconds: 60,
      start_when_all_joined: true,
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_PAYLOAD', message: expect.stringMatching(/^expected_members: /) });
  });
});
