import { constants, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FILE_MODE, syncDir } from './files';

/**
 * Durable appends to JSONL files whose handles stay open. A handle is opened once with O_APPEND and
 * O_DSYNC, so one write() returns only when its bytes are on disk (a write and an fdatasync in one
 * call) and appends from several processes never interleave. Lines for a file that arrive while a
 * write to it is in flight go out together in the next write: one disk flush for all of them (group
 * commit); writes to different files run side by side in libuv's pool.
 *
 * Before each write the path is stat'ed: when a settlement has moved the negotiation's directory the
 * write fails with ENOENT, as an open would, instead of landing in the moved file. On a full disk
 * write() may write part of the data: that is a failure (ENOSPC), the handle is dropped, and the next
 * append starts on a new line when the file does not end with one, so a torn line never swallows the
 * line after it.
 */

interface OpenFile {
  fh: FileHandle;
  ino: number;
  /** Where the file ended after this process's last write to it (another writer makes it differ). */
  size: number;
  usedAt: number;
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

const MAX_OPEN = 1024;
/**
 * A handle unused this long is closed: a file open for writing keeps its file system from being
 * remounted read-only, and a class chatting at human pace gains nothing from keeping it.
 */
const IDLE_MS = 2000;
const FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;

export class Appender {
  private readonly files = new Map<string, OpenFile>();
  private readonly waiting = new Map<string, Batch>();
  private readonly writing = new Set<string>();
  private idleCheck: NodeJS.Timeout | null = null;

  /** Resolves once every line is on disk. */
  append(path: string, lines: string[]): Promise<Written> {
    return new Promise((resolve, reject) => {
      let batch = this.waiting.get(path);
      if (!batch) this.waiting.set(path, (batch = { lines: [], done: [] }));
      batch.lines.push(...lines);
      batch.done.push({ resolve, reject });
      if (!this.writing.has(path)) void this.drain(path);
    });
  }

  async closeAll(): Promise<void> {
    if (this.idleCheck) clearInterval(this.idleCheck);
    this.idleCheck = null;
    const all = [...this.files.values()];
    this.files.clear();
    await Promise.all(all.map((f) => f.fh.close().catch(() => undefined)));
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
    const now = statSync(path, { throwIfNoEntry: false }) ?? null;
    let file = this.files.get(path);
    if (file && now?.ino !== file.ino) {
      this.drop(path, file);
      file = undefined;
      if (!now) throw Object.assign(new Error(`ENOENT: ${path} was moved or removed`), { code: 'ENOENT' });
    }
    let size = now?.size ?? 0;
    if (!file) ({ file, size } = await this.open(path));
    else {
      this.files.delete(path); // least recently used first
      this.files.set(path, file);
    }
    // another writer (or a torn write before this handle) may have left the file without its last newline
    const lead = size > 0 && size !== file.size && !(await this.endsWithNewline(file, size)) ? '\n' : '';
    const data = Buffer.from(lead + lines.map((l) => l + '\n').join(''), 'utf8');
    let bytesWritten: number;
    try {
      ({ bytesWritten } = await file.fh.write(data));
    } catch (e) {
      this.drop(path, file);
      throw e;
    }
    if (bytesWritten < data.length) {
      this.drop(path, file);
      throw Object.assign(new Error(`short write to ${path} (${bytesWritten} of ${data.length} bytes): no space left on device`), {
        code: 'ENOSPC',
      });
    }
    file.size = size + bytesWritten;
    return { ino: file.ino, start: size, data };
  }

  private async open(path: string): Promise<{ file: OpenFile; size: number }> {
    let fh: FileHandle;
    try {
      fh = await open(path, FLAGS, FILE_MODE);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'EMFILE' && code !== 'ENFILE') || this.files.size === 0) throw e;
      // out of descriptors (sockets need them too): give back the older half and try once more
      for (const [p, f] of [...this.files.entries()].slice(0, Math.ceil(this.files.size / 2))) this.drop(p, f);
      fh = await open(path, FLAGS, FILE_MODE);
    }
    try {
      const st = await fh.stat();
      // a file this append created must also be in its directory after a crash
      if (st.size === 0) await syncDir(dirname(path));
      // size -1: the tail of a file opened here is checked before the first write
      const file = { fh, ino: st.ino, size: st.size === 0 ? 0 : -1, usedAt: Date.now() };
      while (this.files.size >= MAX_OPEN) {
        const [oldest, f] = this.files.entries().next().value!;
        this.drop(oldest, f);
      }
      this.files.set(path, file);
      this.watchIdle();
      return { file, size: st.size };
    } catch (e) {
      await fh.close().catch(() => undefined);
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

  private async endsWithNewline(file: OpenFile, size: number): Promise<boolean> {
    const last = Buffer.alloc(1);
    await file.fh.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  }

  private drop(path: string, file: OpenFile): void {
    if (this.files.get(path) === file) this.files.delete(path);
    void file.fh.close().catch(() => undefined);
  }
}
