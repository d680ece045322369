import { closeSync, constants, mkdirSync, openSync, renameSync, statSync, unlinkSync, write } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ChatMessage } from '@parley/contracts';
import { Appender } from './appender';
import { DIR_MODE, FILE_MODE, isNotFound, readJsonLines, syncDir } from './files';
import { crashPoint } from './fault-points';
import type { NegotiationStore } from './negotiations';
import { DataPaths, NegotiationFiles } from './paths';
import { fsyncPath, liveSegments, newSegmentName, orphanSegments } from './segments';
import { isPrefix } from './validate';

/**
 * The gateway's commit log for chat lines: `DATA_DIR/chat_log/<host>.<pid>.<random>.jsonl`, one
 * writer (the gateway process that created it). A line is written into its party's messages file
 * first, without a flush (page cache), then every line written in the same event-loop turn goes into
 * the log in ONE O_DSYNC write; the sender is acknowledged after that write returned. A process that
 * dies keeps what it wrote in the page cache, so after a SIGKILL the party files already hold every
 * line; the log is for a machine that went down before the kernel wrote them back.
 *
 * A segment is closed after IDLE_MS without a line or MAX_AGE_MS after it was opened; it is then
 * retired: every party file its lines went to is fdatasynced (and its directory, for a file created
 * meanwhile), then the segment is removed. A segment whose process is gone is replayed by whoever
 * finds it (a gateway at start and every ORPHAN_SCAN_MS): taken over by renaming it to a name of the
 * replaying process, each line appended to its party file unless a line with its id (or its client
 * message id) is there, the files fdatasynced, the segment removed.
 */

/** One line in the log: the negotiation directory (relative to DATA_DIR), the party's prefix, the line as in the party file. */
interface ChatLogRecord {
  d: string;
  p: string;
  m: ChatMessage;
}

interface Segment {
  path: string;
  fd: number;
  ino: number;
  bytes: number;
  openedMs: number;
  lastMs: number;
  /** Party files with lines in this segment: `<dir relative to DATA_DIR>\0<prefix>`. */
  files: Set<string>;
  /** The segment's name (and the log directory's) durable: awaited before its first commit returns. */
  ready: Promise<unknown>;
}

interface Pending {
  records: string[];
  files: string[];
  done: { resolve: () => void; reject: (e: unknown) => void; undo: () => void }[];
}

/** A segment is closed and retired after this long without a line (a file open for writing keeps a volume from being remounted). */
const IDLE_MS = 1000;
/** …and at the latest this long after it was opened, so its party files are flushed and it is removed. */
const MAX_AGE_MS = 10_000;
const MAX_BYTES = 32 * 1024 * 1024;
/** Another host's segment unchanged this long is an orphan (a live one is rotated every MAX_AGE_MS). */
const ORPHAN_AFTER_MS = 60_000;
const ORPHAN_SCAN_MS = 30_000;
/** fdatasyncs of party files while retiring, at once (off every line's path). */
const SYNC_PARALLEL = 8;
const FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;

export class ChatLog {
  readonly dir: string;
  private current: Segment | null = null;
  private pending: Pending | null = null;
  private flushScheduled = false;
  /** The log write in flight (at most one). */
  private writing: Promise<void> | null = null;
  private readonly retiring = new Set<Promise<void>>();
  private replaying: Promise<{ segments: number; restored: number }> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private scanTimer: NodeJS.Timeout | null = null;
  /** Log writes made (one per event-loop turn with lines, at most one in flight). */
  writes = 0;

  constructor(
    private readonly paths: DataPaths,
    private readonly negotiations: NegotiationStore,
    private readonly replayAppender = new Appender(false),
  ) {
    this.dir = paths.chatLogDir();
  }

  /**
   * Resolves once the lines (already in their party file) are in the log on disk. When the log write
   * fails, `undo` is called (for the batch's lines in reverse order of their writes) before the rejection.
   */
  commit(dir: string, prefix: string, lines: string[], undo: () => void = () => undefined): Promise<void> {
    const d = relative(this.paths.root, dir);
    if (!d || d.startsWith('..') || isAbsolute(d)) return Promise.reject(new Error(`${dir} is not inside DATA_DIR`));
    return new Promise((resolve, reject) => {
      const p = (this.pending ??= { records: [], files: [], done: [] });
      const head = `{"d":${JSON.stringify(d)},"p":${JSON.stringify(prefix)},"m":`;
      for (const line of lines) p.records.push(head + line + '}\n');
      p.files.push(d + '\0' + prefix);
      p.done.push({ resolve, reject, undo });
      if (!this.writing && !this.flushScheduled) {
        // the lines of this turn (admitted together from one Redis reply) join the same write
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Starts the periodic replay of other processes' orphaned segments; replays them (and this pid's leftovers) once now. */
  async start(): Promise<{ segments: number; restored: number }> {
    if (!this.scanTimer) {
      this.scanTimer = setInterval(() => void this.replayOrphans().catch(() => undefined), ORPHAN_SCAN_MS);
      this.scanTimer.unref();
    }
    return this.replayOrphans();
  }

  /** Replays every segment whose writer is gone (one pass at a time per process). */
  replayOrphans(): Promise<{ segments: number; restored: number }> {
    this.replaying ??= this.replayNow().finally(() => (this.replaying = null));
    return this.replaying;
  }

  /** Stops: the segment in use is retired (its party files flushed, then removed). */
  async close(): Promise<void> {
    if (this.scanTimer) clearInterval(this.scanTimer);
    this.scanTimer = null;
    await this.settled();
    this.rotate();
    await Promise.all([...this.retiring]);
    if (this.replaying) await this.replaying.catch(() => undefined);
  }

  private flush(): Promise<void> {
    this.flushScheduled = false;
    if (this.writing) return this.writing;
    const batch = this.pending;
    if (!batch) return Promise.resolve();
    this.pending = null;
    this.writing = this.write(batch).finally(() => {
      this.writing = null;
      if (this.pending) setImmediate(() => void this.flush());
    });
    return this.writing;
  }

  private async write(batch: Pending): Promise<void> {
    try {
      const segment = this.segment();
      const data = Buffer.from(batch.records.join(''), 'utf8');
      await segment.ready;
      const n = await new Promise<number>((res, rej) => write(segment.fd, data, (e, k) => (e ? rej(e) : res(k))));
      this.writes++;
      if (n < data.length) {
        this.rotate(); // a torn record at the end: readers skip it, nothing more goes after it
        throw Object.assign(new Error(`short write to ${segment.path}: no space left on device`), { code: 'ENOSPC' });
      }
      segment.bytes += n;
      segment.lastMs = Date.now();
      for (const f of batch.files) segment.files.add(f);
      for (const d of batch.done) d.resolve();
    } catch (e) {
      if (this.current && (e as NodeJS.ErrnoException).code !== 'ENOSPC') this.rotate();
      for (const d of [...batch.done].reverse()) {
        try {
          d.undo();
        } catch {
          /* the line stays in its file: a re-send of its client id makes it durable */
        }
      }
      for (const d of batch.done) d.reject(e);
    }
  }

  /** Resolves when every commit asked for so far has succeeded or failed. */
  async settled(): Promise<void> {
    while (this.writing || this.pending) await (this.writing ?? this.flush()).catch(() => undefined);
  }

  private segment(): Segment {
    let s = this.current;
    // a segment another process took over (this one was stopped for a minute) is not written to
    if (s && (s.bytes >= MAX_BYTES || statSync(s.path, { throwIfNoEntry: false })?.ino !== s.ino)) {
      this.rotate();
      s = null;
    }
    if (s) return s;
    mkdirSync(this.dir, { recursive: true, mode: DIR_MODE });
    const path = join(this.dir, newSegmentName());
    const fd = openSync(path, FLAGS, FILE_MODE);
    const now = Date.now();
    liveSegments.add(path);
    s = {
      path,
      fd,
      ino: statSync(path).ino,
      bytes: 0,
      openedMs: now,
      lastMs: now,
      files: new Set(),
      ready: Promise.all([syncDir(this.paths.root), syncDir(this.dir)]),
    };
    this.current = s;
    this.watch();
    return s;
  }

  private watch(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const s = this.current;
      const now = Date.now();
      if (s && !this.writing && !this.pending && (now - s.lastMs >= IDLE_MS || now - s.openedMs >= MAX_AGE_MS)) this.rotate();
      if (!this.current && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    }, IDLE_MS / 4);
    this.timer.unref();
  }

  /** Stops writing to the current segment and retires it. Call only with no log write in flight. */
  private rotate(): void {
    const s = this.current;
    if (!s) return;
    this.current = null;
    const done = this.retire(s).finally(() => this.retiring.delete(done));
    this.retiring.add(done);
  }

  private async retire(s: Segment): Promise<void> {
    // tests: as if the machine went down with the lines in the log and the party files not yet flushed
    crashPoint('chat-log-retire');
    try {
      closeSync(s.fd);
      await this.syncFiles([...s.files]);
      unlinkSync(s.path);
    } catch {
      // kept: this process replays it on its next scan (its pid, no longer live), or another after a restart
    } finally {
      liveSegments.delete(s.path);
    }
  }

  /** fdatasync of each party file (found where its negotiation is now) and of each directory, a few at a time. */
  private async syncFiles(files: string[]): Promise<void> {
    const targets = new Set<string>();
    for (const f of files) {
      const [d, prefix] = f.split('\0');
      const dir = await this.locate(d);
      if (!dir || !isPrefix(prefix)) continue;
      targets.add(join(dir, NegotiationFiles.messages(prefix)));
      targets.add(dir);
    }
    const queue = [...targets];
    await Promise.all(
      Array.from({ length: Math.min(SYNC_PARALLEL, queue.length) }, async () => {
        for (let t = queue.shift(); t; t = queue.shift()) await fsyncPath(t);
      }),
    );
  }

  /**
   * Where a record's negotiation directory is now: where the line was written, or — moved by a
   * settlement since — where NegotiationStore.locate finds it (settling, archive). Null when gone.
   */
  private async locate(d: string): Promise<string | null> {
    const abs = resolve(this.paths.root, d);
    if (!abs.startsWith(this.paths.root + sep)) return null;
    if (statSync(abs, { throwIfNoEntry: false })?.isDirectory()) return abs;
    const [teams, email, , id] = d.split(sep);
    if (teams !== 'teams' || !email || !id) return null;
    return (await this.negotiations.locate(email, id).catch(() => null))?.dir ?? null;
  }

  private async replayNow(): Promise<{ segments: number; restored: number }> {
    let segments = 0;
    let restored = 0;
    for (const found of orphanSegments(this.dir, ORPHAN_AFTER_MS)) {
      // taken over exclusively: a rename to this process's name succeeds for one replayer only
      const path = join(this.dir, newSegmentName());
      try {
        renameSync(found, path);
      } catch (e) {
        if (isNotFound(e)) continue;
        throw e;
      }
      liveSegments.add(path);
      try {
        restored += await this.replaySegment(path);
        unlinkSync(path);
        segments++;
      } finally {
        liveSegments.delete(path);
      }
    }
    return { segments, restored };
  }

  /** Appends each line of the segment missing from its party file; returns how many were. */
  private async replaySegment(path: string): Promise<number> {
    const byFile = new Map<string, ChatLogRecord[]>();
    for (const r of await readJsonLines<ChatLogRecord>(path)) {
      if (typeof r?.d !== 'string' || typeof r.p !== 'string' || typeof r.m?.id !== 'string') continue;
      const key = r.d + '\0' + r.p;
      byFile.set(key, [...(byFile.get(key) ?? []), r]);
    }
    let restored = 0;
    for (const [key, records] of byFile) {
      const [d, prefix] = key.split('\0');
      const dir = await this.locate(d);
      if (!dir || !isPrefix(prefix)) continue;
      const file = join(dir, NegotiationFiles.messages(prefix));
      const there = await readJsonLines<ChatMessage>(file);
      const ids = new Set(there.map((m) => m.id));
      const cmids = new Set(there.map((m) => m.client_message_id).filter(Boolean));
      const missing: string[] = [];
      for (const { m } of records) {
        // a line re-sent and saved again under its client id meanwhile counts as there
        if (ids.has(m.id) || (m.client_message_id && cmids.has(m.client_message_id))) continue;
        ids.add(m.id);
        if (m.client_message_id) cmids.add(m.client_message_id);
        missing.push(JSON.stringify(m));
      }
      if (missing.length === 0) continue;
      this.replayAppender.appendNow(file, missing);
      restored += missing.length;
    }
    await this.syncFiles([...byFile.keys()]);
    await this.replayAppender.closeAll();
    return restored;
  }
}
