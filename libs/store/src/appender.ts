import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, statSync, write, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { FILE_MODE, syncDir } from './files';

/**
 * Appends to JSONL files whose descriptors stay open, with O_APPEND, so appends from several
 * processes never interleave.
 *
 * A durable Appender (the default) opens with O_DSYNC, so one write() returns only when its bytes are
 * on disk (a write and an fdatasync in one call). Lines for a file that arrive while a write to it is
 * in flight go out together in the next write: one disk flush for all of them (group commit); writes
 * to different files run side by side in libuv's pool. A buffered Appender (`durable: false`, for
 * files a commit log makes durable: see ChatLog) writes into the page cache at once, on the caller's
 * thread (`appendNow`).
 *
 * Before each write the path is stat'ed: when a settlement has moved the negotiation's directory the
 * write fails with ENOENT, as an open would, instead of landing in the moved file. On a full disk
 * write() may write part of the data: that is a failure (ENOSPC), the descriptor is dropped, and the
 * next append starts on a new line when the file does not end with one, so a torn line never swallows
 * the line after it.
 */

interface OpenFile {
  fd: number;
  ino: number;
  /** Where the file ended after this process's last write to it (another writer makes it differ). */
  size: number;
  usedAt: number;
  /** A write is in flight on the pool: closing now could let the descriptor number be reused under it. */
  busy: boolean;
  /** Dropped from the map: closed as soon as no write is in flight on it (once). */
  dropped: boolean;
}

interface Batch {
  lines: string[];
  done: { resolve: (w: Written) => void; reject: (e: unknown) => void }[];
}

/** Where a write landed: its bytes start at `start`, and the file had ended there just before it. */
export interface Written {
  ino: number;
  start: number;
  data: Buffer;
}

/** A write about to be made: the file, the bytes, and where the file ended before them. */
interface Prepared {
  file: OpenFile;
  size: number;
  data: Buffer;
  /** The file was created by this open: its directory entry is not durable yet. */
  created: boolean;
}

const MAX_OPEN = 1024;
/**
 * A descriptor unused this long is closed: a file open for writing keeps its file system from being
 * remounted read-only, and a class chatting at human pace gains nothing from keeping it.
 */
const IDLE_MS = 2000;

export class Appender {
  private readonly files = new Map<string, OpenFile>();
  private readonly waiting = new Map<string, Batch>();
  private readonly writing = new Set<string>();
  private idleCheck: NodeJS.Timeout | null = null;
  private readonly flags: number;

  constructor(private readonly durable = true) {
    this.flags = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | (durable ? constants.O_DSYNC : 0);
  }

  /** Resolves once every line is on disk (durable) or in the file (buffered). */
  append(path: string, lines: string[]): Promise<Written> {
    return new Promise((resolve, reject) => {
      let batch = this.waiting.get(path);
      if (!batch) this.waiting.set(path, (batch = { lines: [], done: [] }));
      batch.lines.push(...lines);
      batch.done.push({ resolve, reject });
      if (!this.writing.has(path)) void this.drain(path);
    });
  }

  /** Buffered Appenders only: the lines are in the file (the page cache) when this returns. */
  appendNow(path: string, lines: string[]): Written {
    if (this.durable) throw new Error('appendNow is for buffered appenders: a durable write goes through append()');
    const p = this.prepare(path, lines);
    let bytesWritten: number;
    try {
      bytesWritten = writeSync(p.file.fd, p.data);
    } catch (e) {
      this.drop(path, p.file);
      throw e;
    }
    return this.written(path, p, bytesWritten);
  }

  /**
   * Takes back a buffered write whose commit failed, when it is still the file's last bytes (another
   * writer's append after it keeps it: a re-send of its client id then finds it and makes it durable).
   */
  undo(path: string, written: Written): void {
    const file = this.files.get(path);
    if (!file || file.ino !== written.ino || file.dropped) return;
    const end = written.start + written.data.length;
    if (fstatSync(file.fd).size !== end) return;
    ftruncateSync(file.fd, written.start);
    file.size = written.start;
  }

  async closeAll(): Promise<void> {
    if (this.idleCheck) clearInterval(this.idleCheck);
    this.idleCheck = null;
    for (const [path, f] of [...this.files]) this.drop(path, f);
  }

  private async drain(path: string): Promise<void> {
    this.writing.add(path);
    try {
      for (let batch = this.waiting.get(path); batch; batch = this.waiting.get(path)) {
        this.waiting.delete(path);
        try {
          const written = await this.write(path, batch.lines);
          for (const d of batch.done) d.resolve(written);
        } catch (e) {
          for (const d of batch.done) d.reject(e);
        }
      }
    } finally {
      this.writing.delete(path);
    }
  }

  private async write(path: string, lines: string[]): Promise<Written> {
    const p = this.prepare(path, lines);
    // a file this append created must also be in its directory after a crash
    if (p.created && this.durable) await syncDir(dirname(path));
    let bytesWritten: number;
    p.file.busy = true;
    try {
      bytesWritten = await new Promise<number>((resolve, reject) => write(p.file.fd, p.data, (e, n) => (e ? reject(e) : resolve(n))));
    } catch (e) {
      this.drop(path, p.file);
      throw e;
    } finally {
      p.file.busy = false;
      if (p.file.dropped) closeQuietly(p.file.fd);
    }
    return this.written(path, p, bytesWritten);
  }

  /** Checks the path, opens or reuses the descriptor, and builds the bytes (a leading newline after a torn tail). */
  private prepare(path: string, lines: string[]): Prepared {
    const now = statSync(path, { throwIfNoEntry: false }) ?? null;
    let file = this.files.get(path);
    if (file && now?.ino !== file.ino) {
      this.drop(path, file);
      file = undefined;
      if (!now) throw Object.assign(new Error(`ENOENT: ${path} was moved or removed`), { code: 'ENOENT' });
    }
    let size = now?.size ?? 0;
    let created = false;
    if (!file) ({ file, size, created } = this.open(path));
    else {
      this.files.delete(path); // least recently used first
      this.files.set(path, file);
    }
    file.usedAt = Date.now();
    // another writer (or a torn write before this descriptor) may have left the file without its last newline
    const lead = size > 0 && size !== file.size && !this.endsWithNewline(file, size) ? '\n' : '';
    return { file, size, created, data: Buffer.from(lead + lines.map((l) => l + '\n').join(''), 'utf8') };
  }

  private written(path: string, p: Prepared, bytesWritten: number): Written {
    if (bytesWritten < p.data.length) {
      this.drop(path, p.file);
      throw Object.assign(new Error(`short write to ${path} (${bytesWritten} of ${p.data.length} bytes): no space left on device`), {
        code: 'ENOSPC',
      });
    }
    p.file.size = p.size + bytesWritten;
    return { ino: p.file.ino, start: p.size, data: p.data };
  }

  private open(path: string): { file: OpenFile; size: number; created: boolean } {
    let fd: number;
    try {
      fd = openSync(path, this.flags, FILE_MODE);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'EMFILE' && code !== 'ENFILE') || this.files.size === 0) throw e;
      // out of descriptors (sockets need them too): give back the older half and try once more
      for (const [p, f] of [...this.files.entries()].slice(0, Math.ceil(this.files.size / 2))) this.drop(p, f);
      fd = openSync(path, this.flags, FILE_MODE);
    }
    try {
      const st = fstatSync(fd);
      // size -1: the tail of a file opened here is checked before the first write
      const file = { fd, ino: st.ino, size: st.size === 0 ? 0 : -1, usedAt: Date.now(), busy: false, dropped: false };
      while (this.files.size >= MAX_OPEN) {
        const [oldest, f] = this.files.entries().next().value!;
        this.drop(oldest, f);
      }
      this.files.set(path, file);
      this.watchIdle();
      return { file, size: st.size, created: st.size === 0 };
    } catch (e) {
      closeQuietly(fd);
      throw e;
    }
  }

  private watchIdle(): void {
    if (this.idleCheck) return;
    this.idleCheck = setInterval(() => {
      const before = Date.now() - IDLE_MS;
      // oldest first: stop at the first one still in use
      for (const [path, f] of this.files) {
        if (f.usedAt > before) break;
        if (!this.writing.has(path)) this.drop(path, f);
      }
      if (this.files.size === 0 && this.idleCheck) {
        clearInterval(this.idleCheck);
        this.idleCheck = null;
      }
    }, IDLE_MS / 4);
    this.idleCheck.unref();
  }

  private endsWithNewline(file: OpenFile, size: number): boolean {
    const last = Buffer.alloc(1);
    readSync(file.fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  }

  private drop(path: string, file: OpenFile): void {
    if (this.files.get(path) === file) this.files.delete(path);
    if (file.dropped) return;
    file.dropped = true;
    if (!file.busy) closeQuietly(file.fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
}
