import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileExclusive } from './files';
import { DataPaths } from './paths';
import { TeamStore } from './teams';
import { OrderStore } from './orders';

describe('files under DATA_DIR', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'parley-files-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('data files are 0600 and folders 0700 (init.json holds a password hash)', async () => {
    const paths = new DataPaths(dir);
    await new TeamStore(paths).create({ email: 'alice@x.edu', name: 'a', role: 'student', password_hash: 'x' });
    await new OrderStore(paths).create('alice@x.edu', { side: 'buy', chemical: 'C', price: 1, quantity: 1 });
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(paths.init('alice@x.edu'))).toBe(0o600);
    expect(mode(paths.teamDir('alice@x.edu'))).toBe(0o700);
    expect(mode(paths.ordersDir('alice@x.edu'))).toBe(0o700);
  });

  it('exclusive creation: of two writers of one name exactly one wins, and the file is complete', async () => {
    const results = await Promise.all([1, 2, 3].map((n) => createFileExclusive(join(dir, 'x'), 'f.json', { n })));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(statSync(join(dir, 'x', 'f.json')).mode & 0o777).toBe(0o600);
  });
});
