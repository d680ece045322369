import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isNotFound } from './files';

/**
 * Log segments written by one process each (the settlement journal, the gateway's chat log), named
 * `<host>.<pid>.<random>.jsonl`, so whoever finds one can tell whether its writer is gone.
 */

const HOST = hostname().replace(/[^A-Za-z0-9-]/g, '-');

/** Segments some log of this process appends to, is retiring or replaying: never another's to take. */
export const liveSegments = new Set<string>();

export function newSegmentName(): string {
  return `${HOST}.${process.pid}.${randomBytes(6).toString('hex')}.jsonl`;
}

/**
 * A segment whose writer is gone: same host and that pid not running, this process's pid on a segment
 * no log here holds (an earlier process with the same pid: a restarted container), or not changed for
 * `staleMs` (another host's, whose pids cannot be checked).
 */
export function isOrphanSegment(name: string, path: string, staleMs: number): boolean {
  if (liveSegments.has(path)) return false;
  const [host, pid] = name.split('.');
  if (host === HOST && (Number(pid) === process.pid || !isRunning(Number(pid)))) return true;
  try {
    return Date.now() - statSync(path).mtimeMs >= staleMs;
  } catch {
    return false;
  }
}

/** The orphan segments in `dir` (see isOrphanSegment), as paths; a folder not made yet has none. */
export function orphanSegments(dir: string, staleMs: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.jsonl'));
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
  return names.map((name) => join(dir, name)).filter((path, i) => isOrphanSegment(names[i], path, staleMs));
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** fsync of a file or directory; one that is not there (moved on, e.g. archived) is skipped. */
export async function fsyncPath(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if (isNotFound(e) || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw e;
  }
  try {
    await fh.sync().catch((e: NodeJS.ErrnoException) => {
      // some file systems cannot fsync a directory
      if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes(e.code ?? '')) throw e;
    });
  } finally {
    await fh.close();
  }
}
