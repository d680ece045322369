import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { isNotFound } from './files';
import { DataPaths } from './paths';

export interface LockOptions {
  /** A lock whose owner is older than this is broken (its holder is presumed dead). Default 30 s. */
  staleMs?: number;
  /** How long to wait for a lock before giving up with an error. Default 60 s (more than staleMs). */
  timeoutMs?: number;
  now?: () => number;
}

interface LockOwner {
  token: string;
  pid: number;
  host: string;
  acquired_at: number;
}

const OWNER_FILE = 'owner.json';

/**
 * Per-team file-system locks (data/teams/<email>/.holdings.lock/), held while a team's holdings are
 * checked and its transaction files written. They work across processes and containers sharing
 * DATA_DIR and need no Redis (the sweep CLI runs without it).
 *
 * A lock is a directory holding owner.json. It is taken by renaming a private, already-filled
 * staging directory onto the lock path: rename fails while a (non-empty) lock exists, and an empty
 * directory left by a crash between the two steps of a release is simply replaced. A lock whose
 * owner process is gone (same host) or that is older than staleMs is broken.
 */
export class TeamLocks {
  private readonly staleMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly paths: DataPaths,
    options: LockOptions = {},
  ) {
    this.staleMs = options.staleMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Runs fn while holding the locks of all given teams, taken in sorted order (no deadlock). */
  async withTeams<T>(emails: string[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(emails)].sort();
    const held: TeamLock[] = [];
    try {
      for (const email of sorted) held.push(await this.acquire(email));
      return await fn();
    } finally {
      for (const lock of held.reverse()) await lock.release();
    }
  }

  async acquire(email: string): Promise<TeamLock> {
    const lockPath = this.paths.teamLock(email);
    const owner: LockOwner = { token: randomUUID(), pid: process.pid, host: hostname(), acquired_at: this.now() };
    const staging = `${lockPath}.${owner.token}`;
    try {
      await mkdir(staging);
    } catch (e) {
      if (isNotFound(e)) throw new ParleyError(ErrorCode.NotFound, `team ${email} does not exist`, 404);
      throw e;
    }
    const deadline = Date.now() + this.timeoutMs;
    let wait = 2;
    try {
      for (;;) {
        owner.acquired_at = this.now();
        await writeFile(join(staging, OWNER_FILE), JSON.stringify(owner));
        try {
          await rename(staging, lockPath);
          return new TeamLock(lockPath, owner.token);
        } catch (e) {
          if (!isHeld(e)) throw e;
        }
        const holder = await readOwner(lockPath);
        if (holder && this.isStale(holder)) {
          await breakLock(lockPath, holder.token);
          continue;
        }
        if (Date.now() > deadline) {
          throw new ParleyError(ErrorCode.StorageFailed, `timed out waiting for the holdings lock of ${email}`, 503);
        }
        await sleep(wait + Math.random() * wait);
        wait = Math.min(wait * 2, 50);
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  private isStale(holder: LockOwner): boolean {
    if (this.now() - holder.acquired_at > this.staleMs) return true;
    return holder.host === hostname() && !processAlive(holder.pid);
  }
}

export class TeamLock {
  constructor(
    readonly path: string,
    readonly token: string,
  ) {}

  /** Removes the lock if it is still ours (it may have been broken as stale meanwhile). */
  async release(): Promise<void> {
    const holder = await readOwner(this.path);
    if (!holder || holder.token !== this.token) return;
    await unlink(join(this.path, OWNER_FILE)).catch(ignoreNotFound);
    // another process may already have replaced the now-empty directory with its own lock
    await rmdir(this.path).catch((e) => {
      if (!isNotFound(e) && !isHeld(e)) throw e;
    });
  }
}

async function readOwner(lockPath: string): Promise<LockOwner | null> {
  try {
    const o = JSON.parse(await readFile(join(lockPath, OWNER_FILE), 'utf8')) as LockOwner;
    return typeof o.token === 'string' && typeof o.acquired_at === 'number' ? o : null;
  } catch {
    return null;
  }
}

/** Moves the stale lock aside, then checks it really was the stale one (not a lock taken just now). */
async function breakLock(lockPath: string, staleToken: string): Promise<void> {
  const aside = `${lockPath}.broken-${randomUUID()}`;
  try {
    await rename(lockPath, aside);
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  const moved = await readOwner(aside);
  if (moved && moved.token !== staleToken) {
    // we raced another breaker and moved a fresh lock: put it back if the place is still free
    await rename(aside, lockPath).catch(() => undefined);
  }
  await rm(aside, { recursive: true, force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const isHeld = (e: unknown) => ['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException)?.code ?? '');
const ignoreNotFound = (e: unknown) => {
  if (!isNotFound(e)) throw e;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
