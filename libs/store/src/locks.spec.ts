import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@parley/contracts';
import { DataPaths } from './paths';
import { TeamLocks } from './locks';

describe('TeamLocks (lock directories under DATA_DIR)', () => {
  let dir: string;
  let paths: DataPaths;
  const alice = 'alice@x.edu';
  const bob = 'bob@x.edu';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-locks-'));
    paths = new DataPaths(dir);
    for (const t of [alice, bob]) mkdirSync(paths.teamDir(t), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeOwner = (email: string, owner: object) => {
    mkdirSync(paths.teamLock(email));
    writeFileSync(join(paths.teamLock(email), 'owner.json'), JSON.stringify(owner));
  };

  it('lets one holder at a time into the critical section and cleans up after itself', async () => {
    const locks = new TeamLocks(paths);
    let inside = 0;
    let maxInside = 0;
    let runs = 0;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        locks.withTeams(i % 2 ? [alice, bob] : [bob, alice], async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 1));
          runs++;
          inside--;
        }),
      ),
    );
    expect(runs).toBe(40);
    expect(maxInside).toBe(1);
    expect(readdirSync(paths.teamDir(alice))).toEqual([]);
  });

  it('releases the locks when the critical section throws', async () => {
    const locks = new TeamLocks(paths);
    await expect(locks.withTeams([alice], async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(locks.withTeams([alice], async () => 'again')).resolves.toBe('again');
  });

  it('breaks a lock whose owner process is dead at once', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeOwner(alice, { token: 't-dead', pid: Number(dead.stdout.trim()), host: hostname(), acquired_at: Date.now() });
    const t0 = Date.now();
    await new TeamLocks(paths, { timeoutMs: 5000 }).withTeams([alice], async () => undefined);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('breaks a lock older than staleMs even when its pid looks alive (another host, or a reused pid)', async () => {
    writeOwner(alice, { token: 't-old', pid: process.pid, host: 'other-host', acquired_at: Date.now() - 31_000 });
    await expect(new TeamLocks(paths, { timeoutMs: 2000 }).withTeams([alice], async () => 'ok')).resolves.toBe('ok');
  });

  it('waits for a live lock and gives up with a clear error after timeoutMs', async () => {
    writeOwner(alice, { token: 't-live', pid: process.pid, host: 'other-host', acquired_at: Date.now() });
    await expect(new TeamLocks(paths, { timeoutMs: 200 }).acquire(alice)).rejects.toMatchObject({ code: ErrorCode.StorageFailed });
  });

  it('takes over an empty lock directory left by a release that died half-way', async () => {
    mkdirSync(paths.teamLock(alice));
    await expect(new TeamLocks(paths, { timeoutMs: 500 }).withTeams([alice], async () => 'ok')).resolves.toBe('ok');
  });

  it('refuses a team that does not exist', async () => {
    await expect(new TeamLocks(paths).acquire('carol@x.edu')).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});
