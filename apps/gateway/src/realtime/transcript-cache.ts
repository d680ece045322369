import { Injectable } from '@nestjs/common';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChatMessage } from '@parley/contracts';
import { NegotiationFiles, isNotFound, listDir } from '@parley/store';

const MAX_NEGOTIATIONS = 200;

interface PartyFile {
  ino: number;
  size: number;
  /** Bytes up to the last newline, already parsed into `complete`. */
  parsedBytes: number;
  complete: ChatMessage[];
  /** Lines after the last newline (a write in progress), parsed again on every change. */
  tail: ChatMessage[];
}

interface Transcript {
  signature: string;
  messages: ChatMessage[];
}

/**
 * join and sync read a negotiation's transcript through this cache, so their cost follows what they
 * return, not the transcript's length: each party's messages file is append-only, so a file whose
 * inode and size are unchanged is not read again, and one that grew is read only from where the last
 * read stopped. A file that shrank or was replaced is read whole. The merged, seq-ordered list is
 * kept per negotiation directory (least recently used dropped first). Callers must not modify it.
 */
@Injectable()
export class TranscriptCache {
  private readonly files = new Map<string, PartyFile>();
  private readonly transcripts = new Map<string, Transcript>();

  async readAll(dir: string): Promise<readonly ChatMessage[]> {
    const names = (await listDir(dir)).filter(NegotiationFiles.isMessages).sort();
    const parts = await Promise.all(names.map((n) => this.file(join(dir, n))));
    const signature = names.map((n, i) => `${n}:${parts[i].ino}:${parts[i].size}`).join('|');
    const cached = this.transcripts.get(dir);
    this.transcripts.delete(dir);
    const transcript =
      cached?.signature === signature
        ? cached
        : { signature, messages: parts.flatMap((p) => [...p.complete, ...p.tail]).sort((a, b) => a.seq - b.seq) };
    this.transcripts.set(dir, transcript);
    this.evict();
    return transcript.messages;
  }

  /** Messages with seq > afterSeq, at most `limit`, by binary search in the ordered list. */
  static after(messages: readonly ChatMessage[], afterSeq: number, limit: number): ChatMessage[] {
    let lo = 0;
    let hi = messages.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (messages[mid].seq <= afterSeq) lo = mid + 1;
      else hi = mid;
    }
    return messages.slice(lo, lo + limit);
  }

  private async file(path: string): Promise<PartyFile> {
    let st;
    try {
      st = await stat(path);
    } catch (e) {
      if (isNotFound(e)) return { ino: 0, size: 0, parsedBytes: 0, complete: [], tail: [] };
      throw e;
    }
    const old = this.files.get(path);
    if (old && old.ino === st.ino && old.size === st.size) return old;
    const grown = old && old.ino === st.ino && st.size > old.size;
    const from = grown ? old.parsedBytes : 0;
    const text = await readRange(path, from, st.size);
    const cut = text.lastIndexOf('\n') + 1;
    const entry: PartyFile = {
      ino: st.ino,
      size: st.size,
      parsedBytes: from + Buffer.byteLength(text.slice(0, cut)),
      complete: [...(grown ? old.complete : []), ...parseLines(text.slice(0, cut))],
      tail: parseLines(text.slice(cut)),
    };
    this.files.set(path, entry);
    return entry;
  }

  private evict(): void {
    while (this.transcripts.size > MAX_NEGOTIATIONS) {
      const oldest = this.transcripts.keys().next().value as string;
      this.transcripts.delete(oldest);
      for (const path of this.files.keys()) if (path.startsWith(oldest + '/')) this.files.delete(path);
    }
  }
}

async function readRange(path: string, from: number, to: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(Math.max(0, to - from));
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, from + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Same rule as the store's reader: blank lines skipped, a torn line was never acknowledged. */
function parseLines(text: string): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as ChatMessage);
    } catch {
      /* torn */
    }
  }
  return out;
}
