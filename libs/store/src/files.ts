import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { link, mkdir, open, readFile, readdir, unlink } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { ErrorCode, ParleyError } from '@parley/contracts';
import writeFileAtomic from 'write-file-atomic';

/** Data files are the team's alone (password hashes, holdings): owner read/write only. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/**
 * Atomic JSON write: a reader sees the old file or the new one, never half of one. The directory is
 * fsynced after the rename, so a crash cannot bring back the old file (or no file) once this returned.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', { fsync: true, mode: FILE_MODE });
  await syncDir(dirname(path));
}

/**
 * mkdir -p with folders 0700. Node's recursive mkdir reports ENOENT when the file system refuses the
 * write (read-only, failing): asked once more without recursion, the kernel gives the real reason
 * (EROFS, EACCES, ENOSPC), so a storage fault is told apart from a missing parent.
 */
export async function ensureDir(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: DIR_MODE });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    try {
      await mkdir(path, { mode: DIR_MODE });
    } catch (again) {
      if (!isExists(again)) throw again;
    }
  }
}

/**
 * Creates `dir/name` holding `value` (JSON) unless that name exists: false when it does. The file is
 * complete and fsynced before its name appears (link() of a private temporary file), so a reader
 * never sees half of it, and of any number of writers on any number of hosts exactly one wins.
 * Directories are created (and made durable in their parent) only when a call finds them missing,
 * unless `createDir` is false (then a missing `dir` is ENOENT). `staging`: where the temporary file is
 * made (default: `.staging` beside `dir`; it must be on the same file system).
 */
export async function createFileExclusive(
  dir: string,
  name: string,
  value: unknown,
  options: { createDir?: boolean; staging?: string; journal?: FileJournal } = {},
): Promise<boolean> {
  const staged = await stageFile(dir, name, value, options.staging);
  return placeStaged(staged, dir, name, value, options);
}

/** Where a created file's directory entry is made durable instead of by an fsync of the directory (see SettlementJournal). */
export interface FileJournal {
  created(dir: string, name: string, value: unknown): void;
}

/** A complete, fsynced temporary file waiting to be placed (see createFileExclusive). */
export interface StagedFile {
  tmp: string;
}

/**
 * The first half of createFileExclusive: the temporary file, written and fsynced. Several can be staged
 * at once (their fsyncs overlap) and placed afterwards in the order that matters.
 */
export async function stageFile(dir: string, name: string, value: unknown, staging?: string): Promise<StagedFile> {
  // staged beside dir, not in it: whoever lists dir sees only complete files
  const tmp = join(staging ?? join(dirname(dir), '.staging'), `${name}.${randomUUID()}.tmp`);
  await orCreateDir(dirname(tmp), () => writeFileDurable(tmp, JSON.stringify(value, null, 2) + '\n'));
  return { tmp };
}

/** The second half: link the staged file as `dir/name` (false when that name exists), make it durable, drop the temporary name. */
export async function placeStaged(
  staged: StagedFile,
  dir: string,
  name: string,
  value: unknown,
  options: { createDir?: boolean; journal?: FileJournal } = {},
): Promise<boolean> {
  try {
    const place = () => link(staged.tmp, join(dir, name));
    await (options.createDir === false ? place() : orCreateDir(dir, place));
    if (options.journal) options.journal.created(dir, name, value);
    else await syncDir(dir);
    return true;
  } catch (e) {
    if (isExists(e)) return false;
    throw e;
  } finally {
    await discardStaged(staged);
  }
}

/** A staged file that is not needed after all. */
export const discardStaged = (staged: StagedFile) => unlink(staged.tmp).catch(() => undefined);

/**
 * createFileExclusive for a file a journal record already makes durable (see SettlementJournal): the
 * same exclusive, complete-before-visible creation, with synchronous calls and no fsync. False when
 * `dir/name` exists. A missing directory is created (durably) like createFileExclusive does.
 */
export async function createFileJournaled(
  dir: string,
  name: string,
  value: unknown,
  options: { createDir?: boolean; staging?: string } = {},
): Promise<boolean> {
  const staging = options.staging ?? join(dirname(dir), '.staging');
  const tmp = join(staging, `${name}.${randomUUID()}.tmp`);
  const text = JSON.stringify(value, null, 2) + '\n';
  await orCreateDir(staging, async () => writeFileSync(tmp, text, { flag: 'wx', mode: FILE_MODE }));
  try {
    const place = async () => linkSync(tmp, join(dir, name));
    await (options.createDir === false ? place() : orCreateDir(dir, place));
    return true;
  } catch (e) {
    if (isExists(e)) return false;
    throw e;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
}

/** Runs `step`; when it fails because `dir` is missing, creates `dir` durably (fsync of its parent) and runs it once more. */
async function orCreateDir<T>(dir: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await ensureDir(dir);
    await syncDir(dirname(dir));
    return step();
  }
}

/** Writes a new file and fsyncs it (not atomic: for private temporary files that are linked or renamed afterwards). */
export async function writeFileDurable(path: string, text: string): Promise<void> {
  const fh = await open(path, 'wx', FILE_MODE);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * fsync of a directory: makes a file created, renamed or removed in it survive a crash. Group commit:
 * callers that ask while a sync of the same directory is running share the next one, which starts
 * after every one of their changes was made, so N settlements touching one directory cost about two
 * fsyncs instead of N, and none returns before its own change is durable.
 */
export function syncDir(path: string): Promise<void> {
  let group = dirSyncs.get(path);
  if (!group) {
    group = { running: null, next: null };
    dirSyncs.set(path, group);
  }
  if (!group.running) {
    group.running = syncDirNow(path).finally(() => afterDirSync(path, group!));
    return group.running;
  }
  group.next ??= new Deferred();
  return group.next.promise;
}

interface DirSyncGroup {
  running: Promise<void> | null;
  /** Callers that came while `running` ran: served by the sync that starts when it ends. */
  next: Deferred | null;
}

const dirSyncs = new Map<string, DirSyncGroup>();

function afterDirSync(path: string, group: DirSyncGroup): void {
  const waiting = group.next;
  group.next = null;
  if (!waiting) {
    group.running = null;
    dirSyncs.delete(path);
    return;
  }
  group.running = syncDirNow(path).then(waiting.resolve, (e) => {
    waiting.reject(e);
    throw e;
  });
  group.running.catch(() => undefined).finally(() => afterDirSync(path, group));
}

class Deferred {
  resolve!: () => void;
  reject!: (e: unknown) => void;
  readonly promise = new Promise<void>((res, rej) => {
    this.resolve = res;
    this.reject = rej;
  });
}

async function syncDirNow(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  try {
    await fh.sync();
  } catch (e) {
    // some file systems cannot fsync a directory; there is nothing more to do then
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    await fh.close();
  }
}

/**
 * A stored file that cannot be used (truncated, not JSON, wrong fields): STORAGE_FAILED (503) for the
 * one request or trade that needs it. The message names the file from its team folder on; `file` is
 * the full path, for the log.
 */
export class CorruptFileError extends ParleyError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(ErrorCode.StorageFailed, `stored file ${file.split(sep).slice(-3).join('/')} ${problem}`, 503);
  }
}

/** Reads a JSON file; null when it does not exist. A corrupt file is an error naming the file. */
export async function readJson<T>(path: string): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
  return parseJson<T>(path, text);
}

/** readJson with one synchronous read: for the settlement's small files, where a hop through libuv's pool costs more than the read. */
export function readJsonSync<T>(path: string): T | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
  return parseJson<T>(path, text);
}

function parseJson<T>(path: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CorruptFileError(path, 'is not valid JSON');
  }
}

/**
 * Appends lines with one write() on an O_APPEND descriptor and fsyncs before returning, so an
 * acknowledged line is on disk and two processes appending to one file never interleave.
 *
 * On a full disk write() can write part of the data and return without an error: that is a failure
 * (ENOSPC), never an acknowledgement. The torn part stays behind as an unparseable line, so the next
 * append starts with a newline when the file does not end with one: a torn line never swallows the
 * line after it.
 */
export async function appendLines(path: string, lines: string[]): Promise<void> {
  const fh = await open(path, 'a+', FILE_MODE);
  try {
    const { size } = await fh.stat();
    let lead = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) lead = '\n';
    }
    const data = Buffer.from(lead + lines.map((l) => l + '\n').join(''), 'utf8');
    const { bytesWritten } = await fh.write(data);
    if (bytesWritten < data.length) {
      throw Object.assign(new Error(`short write to ${path} (${bytesWritten} of ${data.length} bytes): no space left on device`), {
        code: 'ENOSPC',
      });
    }
    await fh.datasync();
    // a file this append created must also be in its directory after a crash
    if (size === 0) await syncDir(dirname(path));
  } finally {
    await fh.close();
  }
}

/** Parses a JSONL file, skipping a torn last line left by a crash mid-append. */
export async function readJsonLines<T>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      /* a torn line was never acknowledged */
    }
  }
  return out;
}

export async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

/** For the hot path of every chat line: a small directory's listing costs less than a hop through libuv's pool. */
export function listDirSync(path: string): string[] {
  try {
    return readdirSync(path);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

export const isNotFound = (e: unknown) => (e as NodeJS.ErrnoException)?.code === 'ENOENT';
export const isExists = (e: unknown) => (e as NodeJS.ErrnoException)?.code === 'EEXIST';
