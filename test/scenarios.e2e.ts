import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGateway, RunningGateway } from '../apps/gateway/src/gateway';
import { testConfig } from './support/env';
import { addTeam, http, login } from './support/harness';

/**
 * Scenario authoring over HTTP with the real gateway and real files in DATA_DIR/scenarios: broken
 * files reported to the instructor with their reason, create / edit / duplicate with field errors,
 * built-ins read-only, students kept out, and a new scenario usable at once without a restart.
 */
describe('scenario authoring', () => {
  const config = testConfig();
  const dir = join(config.dataDir, 'scenarios');
  let gw: RunningGateway;
  let prof = '';
  let student = '';
  const api = (method: string, path: string, body?: unknown, token = prof) => http(gw.url, method, path, body, token);

  beforeAll(async () => {
    await addTeam(config, 'prof@uni.edu', { role: 'instructor' });
    await addTeam(config, 'sam@uni.edu');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'half-written.json'), '{"id": "half-written", "title": ');
    gw = await createGateway(config);
    prof = await login(gw.url, 'prof@uni.edu');
    student = await login(gw.url, 'sam@uni.edu');
  });
  afterAll(async () => {
    await gw?.close();
    config.cleanup();
  });

  it('reports a broken scenario file to the instructor with the file and what is wrong', async () => {
    const salary = (await api('GET', '/api/scenarios/salary/full')).body;
    const noRange = {
      ...salary.scenario,
      id: 'bad-range',
      issues: salary.scenario.issues.map((i: any, n: number) => (n === 0 ? { ...i, max: i.min } : i)),
    };
    writeFileSync(join(dir, 'bad-range.json'), JSON.stringify(noRange));
    const res = await api('GET', '/api/scenarios/problems');
    expect(res.status).toBe(200);
    expect(res.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: 'half-written.json',
          origin: 'authored',
          path: '(file)',
          message: expect.stringMatching(/not valid JSON/),
        }),
        { file: 'bad-range.json', origin: 'authored', path: 'issues.0.max', message: 'max must be greater than min' },
      ]),
    );
    const ids = (await api('GET', '/api/scenarios')).body.scenarios.map((s: any) => s.id);
    expect(ids).not.toContain('bad-range');

    // the broken file is not overwritten by a create; a PUT with a valid scenario fixes it
    const fixed = { ...salary.scenario, id: 'bad-range', title: 'Fixed at last' };
    expect((await api('POST', '/api/scenarios', fixed)).status).toBe(409);
    expect(JSON.parse(readFileSync(join(dir, 'bad-range.json'), 'utf8')).title).toBe(salary.scenario.title);
    expect((await api('PUT', '/api/scenarios/bad-range', fixed)).status).toBe(200);
    expect((await api('GET', '/api/scenarios/problems')).body.problems.map((p: any) => p.file)).toEqual(['half-written.json']);
  });

  it('lists each scenario as built-in or authored for the instructor only', async () => {
    const mine = (await api('GET', '/api/scenarios')).body.scenarios;
    expect(mine.find((s: any) => s.id === 'used-car')).toMatchObject({ origin: 'built-in' });
    const theirs = (await api('GET', '/api/scenarios', undefined, student)).body.scenarios;
    expect(theirs.find((s: any) => s.id === 'used-car').origin).toBeUndefined();
  });

  it('duplicates a built-in into an authored copy, edits it, and a student can practise on it at once', async () => {
    const dup = await api('POST', '/api/scenarios/used-car/duplicate');
    expect(dup.status).toBe(201);
    expect(dup.body.scenario).toMatchObject({ id: 'used-car-copy' });
    expect(dup.body.origin).toBe('authored');
    expect(JSON.parse(readFileSync(join(dir, 'used-car-copy.json'), 'utf8')).title).toMatch(/\(copy\)$/);

    const edited = {
      ...dup.body.scenario,
      title: 'Used car, for week 4',
      issues: dup.body.scenario.issues.map((i: any, n: number) => (n === 0 ? { ...i, max: i.max + 1000 } : i)),
    };
    const put = await api('PUT', '/api/scenarios/used-car-copy', edited);
    expect(put.status).toBe(200);
    const listed = (await api('GET', '/api/scenarios')).body.scenarios.find((s: any) => s.id === 'used-car-copy');
    expect(listed).toMatchObject({ title: 'Used car, for week 4', origin: 'authored' });
    expect(listed.issues[0].max).toBe(dup.body.scenario.issues[0].max + 1000);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp') || f.startsWith('.'))).toEqual([]);

    const practice = await api('POST', '/api/negotiations', { scenario_id: 'used-car-copy' }, student);
    expect(practice.status).toBe(201);
    const session = await api('POST', '/api/sessions', {
      title: 'Week 4',
      mode: 'peer',
      scenario_ids: ['used-car-copy'],
      round_seconds: 60,
      pairing: 'random',
    });
    expect(session.status).toBe(201);
  });

  it('creates a new scenario, and refuses bad input naming each field and why', async () => {
    const base = (await api('GET', '/api/scenarios/salary/full')).body.scenario;
    const created = await api('POST', '/api/scenarios', { ...base, id: 'startup-offer', title: 'Start-up offer' });
    expect(created.status).toBe(201);
    expect((await api('GET', '/api/scenarios/startup-offer')).body.title).toBe('Start-up offer');

    const bad = await api('POST', '/api/scenarios', {
      ...base,
      id: 'Bad Id!',
      title: '',
      student_private: { ...base.student_private, reservation_utility: 2 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_SCENARIO');
    const paths = bad.body.errors.map((e: any) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['id', 'title', 'student_private.reservation_utility']));
    expect(bad.body.errors.find((e: any) => e.path === 'id').message).toMatch(/lower-case/);
    // each message says what to do, in words
    const messageAt = (errors: any[], path: string) => errors.find((e: any) => e.path === path)?.message;
    expect(messageAt(bad.body.errors, 'title')).toBe('give the scenario a title');
    expect(messageAt(bad.body.errors, 'student_private.reservation_utility')).toBe('a reservation is between 0 and 0.99');
    const [first] = base.issues;
    const worse = await api('POST', '/api/scenarios', {
      ...base,
      id: 'worse',
      issues: [{ ...first, label: ' ', min: null }, ...base.issues.slice(1)],
    });
    expect(messageAt(worse.body.errors, 'issues.0.label')).toBe('give the issue a label');
    expect(messageAt(worse.body.errors, 'issues.0.min')).toBe('must be a number');
    const none = await api('POST', '/api/scenarios', { ...base, id: 'none', issues: [] });
    expect(messageAt(none.body.errors, 'issues')).toBe('add at least one issue');

    const taken = await api('POST', '/api/scenarios', { ...base, id: 'startup-offer' });
    expect(taken.status).toBe(409);
    const renamed = await api('PUT', '/api/scenarios/startup-offer', { ...base, id: 'other-id' });
    expect([renamed.status, renamed.body.errors?.[0]?.path]).toEqual([400, 'id']);
  });

  it('keeps built-ins read-only with a clear error, and unknown or odd ids are not found', async () => {
    const base = (await api('GET', '/api/scenarios/salary/full')).body.scenario;
    const res = await api('PUT', '/api/scenarios/salary', { ...base, title: 'changed' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('READ_ONLY_SCENARIO');
    expect(res.body.message).toMatch(/duplicate/);
    expect((await api('PUT', '/api/scenarios/..%2F..%2Fteams', base)).status).toBe(404);
    expect((await api('POST', '/api/scenarios/nope/duplicate')).status).toBe(404);
  });

  it('gives a student 403 on every authoring route', async () => {
    const base = (await api('GET', '/api/scenarios/salary/full')).body.scenario;
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/scenarios/problems'],
      ['GET', '/api/scenarios/salary/full'],
      ['POST', '/api/scenarios', { ...base, id: 'sneaky' }],
      ['PUT', '/api/scenarios/used-car-copy', base],
      ['POST', '/api/scenarios/salary/duplicate'],
    ];
    for (const [method, path, body] of calls) expect([path, (await api(method, path, body, student)).status]).toEqual([path, 403]);
    expect(readdirSync(dir)).not.toContain('sneaky.json');
  });
});
