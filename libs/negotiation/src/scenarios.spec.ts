import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScenarioCatalog, findBuiltinScenariosDir } from './scenarios';

const PRIVATE_KEYS = [
  'ai_private',
  'student_private',
  'score_weights',
  'persona',
  'private_facts',
  'prefs',
  'reservation_utility',
  'limit',
  'keywords',
];

describe('ScenarioCatalog', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'parley-scenarios-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists the three built-ins without any private field', async () => {
    const catalog = new ScenarioCatalog(dataDir);
    const list = await catalog.list();
    expect(list.map((s) => s.id)).toEqual(['chemical-supply', 'salary', 'used-car']);
    const json = JSON.stringify(list);
    for (const key of PRIVATE_KEYS) expect(json).not.toContain(`"${key}"`);
    // The salary scenario really is multi-issue; the car has one issue.
    expect(list.find((s) => s.id === 'salary')!.issues.map((i) => i.name)).toEqual([
      'salary',
      'signing_bonus',
      'start_weeks',
      'remote_days',
    ]);
    expect(await catalog.problems()).toEqual([]);
  });

  it('toPublic never copies private fields, even ones it does not know', async () => {
    const full = (await new ScenarioCatalog(dataDir).get('salary'))!;
    const sneaky = { ...full, secret_notes: 'limit 112000' } as never;
    const pub = ScenarioCatalog.toPublic(sneaky);
    expect(Object.keys(pub).sort()).toEqual(['ai_role', 'id', 'issues', 'student_brief', 'student_role', 'summary', 'title']);
    expect(JSON.stringify(pub)).not.toContain('112000');
    for (const key of PRIVATE_KEYS) expect(JSON.stringify(pub)).not.toContain(`"${key}"`);
  });

  it('skips a broken instructor file and names the file and the field', async () => {
    const catalog = new ScenarioCatalog(dataDir);
    const good = JSON.parse(await readFile(join(findBuiltinScenariosDir(), 'used-car.json'), 'utf8'));
    await mkdir(join(dataDir, 'scenarios'), { recursive: true });
    const broken = {
      ...good,
      id: 'broken-car',
      ai_private: { ...good.ai_private, prefs: { price: { ...good.ai_private.prefs.price, weight: 'heavy' } } },
    };
    await writeFile(join(dataDir, 'scenarios', 'broken-car.json'), JSON.stringify(broken));
    await writeFile(join(dataDir, 'scenarios', 'not-json.json'), '{ nope');
    await writeFile(join(dataDir, 'scenarios', 'my-car.json'), JSON.stringify({ ...good, id: 'my-car', title: 'My own car deal' }));
    const list = await catalog.list();
    expect(list.map((s) => s.id)).toEqual(['chemical-supply', 'my-car', 'salary', 'used-car']);
    const problems = await catalog.problems();
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/broken-car\.json: ai_private\.prefs\.price\.weight: .*number/);
    expect(problems[1]).toMatch(/not-json\.json: \(file\): not valid JSON/);
    expect(await catalog.get('broken-car')).toBeNull();
    expect((await catalog.get('my-car'))!.title).toBe('My own car deal');
  });

  it('reports cross-field mistakes: weights, missing preferences, a limit out of range, an id that is not the file name', async () => {
    const good = JSON.parse(await readFile(join(findBuiltinScenariosDir(), 'salary.json'), 'utf8'));
    await mkdir(join(dataDir, 'scenarios'), { recursive: true });
    const bad = structuredClone(good);
    bad.id = 'bad-salary';
    bad.ai_private.prefs.salary.weight = 0.9;
    delete bad.student_private.prefs.remote_days;
    bad.ai_private.prefs.salary.limit = 500000;
    await writeFile(join(dataDir, 'scenarios', 'bad-salary.json'), JSON.stringify(bad));
    await writeFile(join(dataDir, 'scenarios', 'renamed.json'), JSON.stringify({ ...good, id: 'other-id' }));
    const problems = (await new ScenarioCatalog(dataDir).problems()).join('\n');
    expect(problems).toContain('bad-salary.json: ai_private.prefs: weights must sum to 1 (they sum to 1.45)');
    expect(problems).toContain('bad-salary.json: student_private.prefs.remote_days: missing preference');
    expect(problems).toContain('bad-salary.json: ai_private.prefs.salary.limit: limit 500000 is outside the issue range');
    expect(problems).toContain('renamed.json: id: "other-id" does not match the file name');
  });

  it('returns null for unknown or malformed ids instead of touching odd paths', async () => {
    const catalog = new ScenarioCatalog(dataDir);
    expect(await catalog.get('nope')).toBeNull();
    expect(await catalog.get('../etc/passwd')).toBeNull();
    expect((await catalog.get('used-car'))!.ai_private.prefs.price.weight).toBe(1);
  });

  it('finds the built-in folder from the compiled dist location too', () => {
    const fromDist = findBuiltinScenariosDir(join(__dirname, '..', '..', '..', 'dist', 'libs', 'negotiation', 'src'));
    expect(fromDist).toBe(findBuiltinScenariosDir());
  });
});
