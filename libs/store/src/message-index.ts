import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { ChatMessage } from '@parley/contracts';
import type { Written } from './appender';
import { isNotFound } from './files';

/**
 * What a party's messages file holds, kept per process and brought up to date by reading only the
 * bytes appended since the last look (files are append-only; another inode means a new file). It
 * answers the two questions every new message asks, at a cost proportional to what was added, not to
 * the file: the highest sequence number, and whether a client message id was saved before.
 */
interface FileIndex {
  ino: number;
  /** Bytes parsed so far (always just after a newline). */
  offset: number;
  maxSeq: number;
  /** client_message_id → byte offset of its line. */
  ids: Map<string, number>;
  /** This process's own appends since the last look (see noteAppended). */
  own: Written[];
}

const indexes = new Map<string, FileIndex>();
const refreshing = new Map<string, Promise<FileIndex | null>>();
const MAX_FILES = 20_000;
const MAX_LINE_BYTES = 256 * 1024;
const MAX_OWN = 64;

/**
 * What this process itself appended (Appender): applied without reading the file back when the file
 * grew by exactly those bytes since the index last looked — otherwise someone else wrote too, and
 * the new bytes are read as usual.
 */
export function noteAppended(path: string, written: Written): void {
  const idx = indexes.get(path);
  // every line of one batch reports the same write
  if (!idx || idx.ino !== written.ino || idx.own.includes(written)) return;
  if (idx.own.length >= MAX_OWN) idx.own = [];
  else idx.own.push(written);
}

/** The file was cut back (a write taken back out): what the index parsed of it may no longer be there. */
export function forgetIndex(path: string): void {
  indexes.delete(path);
}

/** One refresh per file at a time: lookups that arrive meanwhile share it. */
function indexOf(path: string): Promise<FileIndex | null> {
  let p = refreshing.get(path);
  if (!p) {
    p = refresh(path).finally(() => refreshing.delete(path));
    refreshing.set(path, p);
  }
  return p;
}

async function refresh(path: string): Promise<FileIndex | null> {
  // a stat of a local file takes microseconds; a round trip through libuv's pool costs more than the call
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) {
    indexes.delete(path);
    return null;
  }
  let idx = indexes.get(path);
  if (!idx || idx.ino !== st.ino || st.size < idx.offset) {
    if (indexes.size >= MAX_FILES) indexes.clear();
    idx = { ino: st.ino, offset: 0, maxSeq: 0, ids: new Map(), own: [] };
    indexes.set(path, idx);
  }
  applyOwn(idx, st.size);
  const start = idx.offset;
  if (st.size <= start) return idx;
  const fh = await openIfThere(path);
  if (!fh) {
    indexes.delete(path);
    return null;
  }
  try {
    const buf = Buffer.alloc(st.size - start);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    parseLines(idx, buf.subarray(0, bytesRead), start);
  } finally {
    await fh.close();
  }
  idx.own = idx.own.filter((w) => w.start >= idx.offset);
  return idx;
}

function applyOwn(idx: FileIndex, size: number): void {
  let end = idx.offset;
  for (const w of idx.own) {
    if (w.start !== end) break;
    end += w.data.length;
  }
  if (end === size) for (const w of idx.own) parseLines(idx, w.data, w.start);
  idx.own = [];
}

/** Adds the complete lines of `buf` (file bytes from `base`) to the index. */
function parseLines(idx: FileIndex, buf: Buffer, base: number): void {
  const end = buf.lastIndexOf(0x0a);
  if (end < 0) return; // only a line still being written (or torn): nothing complete yet
  let lineStart = 0;
  while (lineStart <= end) {
    const nl = buf.indexOf(0x0a, lineStart);
    const line = buf.toString('utf8', lineStart, nl);
    if (line.trim()) {
      try {
        const m = JSON.parse(line) as Partial<ChatMessage>;
        if (typeof m.seq === 'number' && m.seq > idx.maxSeq) idx.maxSeq = m.seq;
        if (typeof m.client_message_id === 'string' && !idx.ids.has(m.client_message_id))
          idx.ids.set(m.client_message_id, base + lineStart);
      } catch {
        /* a torn line was never acknowledged */
      }
    }
    lineStart = nl + 1;
  }
  // two lookups may parse the same bytes: both add the same entries
  idx.offset = Math.max(idx.offset, base + end + 1);
}

/** The highest sequence number in a messages file (0 when there is none). */
export async function maxSeqInFile(path: string): Promise<number> {
  return (await indexOf(path))?.maxSeq ?? 0;
}

/** The message saved under this client message id in a messages file, or null. */
export async function findByClientMessageId(path: string, clientMessageId: string): Promise<ChatMessage | null> {
  const at = (await indexOf(path))?.ids.get(clientMessageId);
  if (at === undefined) return null;
  const fh = await openIfThere(path);
  if (!fh) return null;
  try {
    const buf = Buffer.alloc(MAX_LINE_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, at);
    const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
    return JSON.parse(buf.toString('utf8', 0, nl < 0 ? bytesRead : nl)) as ChatMessage;
  } finally {
    await fh.close();
  }
}

/**
 * The file opened for reading, or null when it is gone: a settlement may move the negotiation's
 * directory between the stat and the open, and a file that moved away is one that is not there.
 */
async function openIfThere(path: string) {
  try {
    return await open(path, 'r');
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}
