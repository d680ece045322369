import { closeSync, fdatasync, fstatSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Outcome } from '@parley/contracts';
import type { TradeDecision } from './ledger';
import { DIR_MODE, FILE_MODE, FileJournal, isNotFound, readJsonLines, syncDir } from './files';
import { fsyncPath, liveSegments as live, newSegmentName, orphanSegments } from './segments';

/**
 * The settlement journal: one append + fdatasync makes the files of every settlement in flight
 * durable at once, instead of two fsyncs per file. A record holds what a settlement is about to write
 * (or just wrote) without fsyncing it — transaction files, outcome.json — and is on disk before the
 * settlement is acknowledged; recovery (`replay`: the worker's start-up, every sweep pass, the sweep
 * CLI) writes again whatever a record names that is missing or torn. Writing a record's files twice
 * is harmless: they are created exclusively, with deterministic names and content.
 *
 * One writer per file: each process appends to its own segment,
 * `DATA_DIR/settlement_journal/<host>.<pid>.<random>.jsonl`, started afresh every 30 s or 20,000
 * records. A full segment is retired (deleted) once every file and directory its records name has been
 * fsynced, a while later, off every settlement's path. A segment whose process is gone (same host, pid
 * not running) or that has not changed for ORPHAN_AFTER_MS is replayed by others.
 */
export interface JournalEntry {
  readonly segment: Segment;
}

/** Records per segment before a fresh one is started (and the full one retired). */
const MAX_RECORDS = 20_000;
/** A segment older than this is rotated at the next commit. */
const MAX_AGE_MS = 30_000;
/** A segment nobody appended to for this long belongs to a process that is gone or stuck: replayed by others. */
const ORPHAN_AFTER_MS = 5 * 60_000;
/**
 * A full segment is retired this long after its last record's files were written: by then the kernel
 * has written them back on its own (dirty pages expire after 30 s), so the fsyncs that retiring makes
 * of them are cheap and none is on a settlement's path.
 */
const RETIRE_AFTER_MS = 35_000;

interface Segment {
  path: string;
  fd: number;
  records: number;
  openedMs: number;
  /** Records whose files are still being written. */
  inFlight: number;
  full: boolean;
}

export class SettlementJournal implements FileJournal {
  readonly dir: string;
  private current: Segment | null = null;
  /** Segments with records appended since their last fdatasync. */
  private readonly dirty = new Set<Segment>();
  private readonly retirements = new Map<Segment, { done: Promise<void>; now: (() => void) | null }>();
  private closing = false;
  private dirReady: Promise<unknown> | null = null;
  /** Group commit: one fdatasync running, callers that came meanwhile wait for the next. */
  private syncing: Promise<void> | null = null;
  private waiting: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null = null;

  /** `targets`: the files and directories a record's content lives in, fsynced before its segment is removed. */
  constructor(
    private readonly root: string,
    private readonly targets: (record: SettlementRecord) => string[] = () => [],
  ) {
    this.dir = join(root, 'settlement_journal');
  }

  /** Appends one record (a synchronous write into the page cache); durable after the next commit(). Call release() when its files are written. */
  append(record: SettlementRecord): JournalEntry {
    const segment = this.segment();
    const line = Buffer.from(JSON.stringify(record) + '\n', 'utf8');
    const written = writeSync(segment.fd, line);
    if (written < line.length)
      throw Object.assign(new Error(`short write to ${segment.path}: no space left on device`), { code: 'ENOSPC' });
    segment.records++;
    segment.inFlight++;
    this.dirty.add(segment);
    return { segment };
  }

  /** The files of `entry`'s record are written and the record committed: its segment may be retired once every record's are. */
  release(entry: JournalEntry): void {
    entry.segment.inFlight--;
    this.retireIfDone(entry.segment);
  }

  /**
   * A file just created exclusively (fsynced, linked) whose directory entry this journal makes durable
   * instead of an fsync of the directory: recovery links it again if it is missing.
   */
  created(dir: string, name: string, value: unknown): void {
    const rel = relative(this.root, dir);
    this.release(this.append({ kind: 'created', dir: rel, name, value }));
  }

  /** A record's directory, inside DATA_DIR (null when the record points elsewhere). */
  resolve(dir: string): string | null {
    const abs = resolve(this.root, dir);
    return abs.startsWith(this.root + sep) ? abs : null;
  }

  /** Resolves when every record appended before the call is on disk (one fdatasync shared by every caller meanwhile). */
  async commit(): Promise<void> {
    await this.ensureDir();
    if (!this.syncing) {
      this.syncing = this.syncNow().finally(() => this.afterSync());
      return this.syncing;
    }
    if (!this.waiting) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.waiting = { promise, resolve, reject };
    }
    return this.waiting.promise;
  }

  /**
   * Replays every segment that no running process owns (this process's own included when `own` is
   * true, at start-up): `apply` each record, in order, then the segment is retired. A record whose
   * apply fails keeps its segment for the next pass.
   */
  async replay(apply: (record: SettlementRecord) => Promise<void>): Promise<{ records: number; failed: number }> {
    let records = 0;
    let failed = 0;
    for (const path of orphanSegments(this.dir, ORPHAN_AFTER_MS)) {
      let ok = true;
      for (const record of await readJsonLines<SettlementRecord>(path)) {
        records++;
        await apply(record).catch(() => {
          ok = false;
          failed++;
        });
      }
      if (ok) await this.makeDurableAndRemove(path);
    }
    return { records, failed };
  }

  /** Stops appending; resolves when the segments whose records' files are all written are retired. */
  async close(): Promise<void> {
    this.closing = true;
    this.rotate();
    for (const pending of this.retirements.values()) pending.now?.();
    await Promise.all([...this.retirements.values()].map((r) => r.done));
  }

  private segment(): Segment {
    let s = this.current;
    // a segment another process replayed and removed (this one was stopped for minutes) is not appended to
    if (s && (s.full || fstatSync(s.fd).nlink === 0)) {
      this.rotate();
      s = null;
    }
    if (!s) {
      mkdirSync(this.dir, { recursive: true, mode: DIR_MODE });
      const path = join(this.dir, newSegmentName());
      s = { path, fd: openSync(path, 'a', FILE_MODE), records: 0, openedMs: Date.now(), inFlight: 0, full: false };
      live.add(path);
      this.current = s;
      // the new segment's name (and the journal directory's) durable before the first commit returns
      this.dirReady = Promise.all([syncDir(this.root), syncDir(this.dir)]);
    }
    return s;
  }

  private rotate(): void {
    const s = this.current;
    if (!s) return;
    this.current = null;
    s.full = true;
    this.retireIfDone(s);
  }

  private async ensureDir(): Promise<void> {
    if (this.dirReady) await this.dirReady;
  }

  private async syncNow(): Promise<void> {
    const segments = [...this.dirty];
    this.dirty.clear();
    await Promise.all(segments.map((s) => new Promise<void>((resolve, reject) => fdatasync(s.fd, (e) => (e ? reject(e) : resolve())))));
    for (const synced of segments) this.retireIfDone(synced);
    const s = this.current;
    if (s && (s.records >= MAX_RECORDS || Date.now() - s.openedMs >= MAX_AGE_MS)) this.rotate();
  }

  private afterSync(): void {
    const waiting = this.waiting;
    this.waiting = null;
    if (!waiting) {
      this.syncing = null;
      return;
    }
    this.syncing = this.syncNow().then(waiting.resolve, (e) => {
      waiting.reject(e);
      throw e;
    });
    this.syncing.catch(() => undefined).finally(() => this.afterSync());
  }

  private retireIfDone(s: Segment): void {
    if (!s.full || s.inFlight > 0 || this.dirty.has(s) || this.retirements.has(s)) return;
    // everything the segment's records name is written: once it is made durable file by file (a while
    // later, see RETIRE_AFTER_MS), the segment is no longer needed; kept when that fails (recovery replays it)
    const entry: { done: Promise<void>; now: (() => void) | null } = { done: Promise.resolve(), now: null };
    const wait = this.closing
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RETIRE_AFTER_MS);
          timer.unref();
          entry.now = () => {
            clearTimeout(timer);
            resolve();
          };
        });
    entry.done = wait
      .then(() => this.makeDurableAndRemove(s.path))
      .catch(() => undefined)
      .finally(() => {
        closeSync(s.fd);
        this.retirements.delete(s);
        live.delete(s.path);
      });
    this.retirements.set(s, entry);
  }

  /** fsyncs every file and directory the segment's records name (one at a time, each once), then removes the segment. */
  private async makeDurableAndRemove(path: string): Promise<void> {
    const targets = new Set<string>();
    for (const record of await readJsonLines<SettlementRecord>(path)) for (const t of this.targets(record)) targets.add(t);
    for (const t of targets) await fsyncPath(t);
    try {
      unlinkSync(path);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

/**
 * What a settlement journals: a file it created (a ledger leg, a trade decision), a completed trade
 * decision (its two transaction files are written from it) or the outcome.json of a negotiation.
 */
export type SettlementRecord =
  /** a ledger leg or a trade decision: created exclusively and fsynced, its directory entry made durable here */
  | { kind: 'created'; dir: string; name: string; value: unknown }
  | { kind: 'trade'; owner: string; decision: TradeDecision }
  | { kind: 'outcome'; owner: string; id: string; outcome: Outcome };
