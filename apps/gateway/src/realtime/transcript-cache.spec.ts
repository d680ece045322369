import { appendFileSync, mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage } from '@parley/contracts';
import { MessageLog } from '@parley/store';
import { TranscriptCache } from './transcript-cache';

const line = (seq: number, sender = 'alice@uni.edu') =>
  JSON.stringify({
    id: `m${seq}`,
    seq,
    negotiation_id: 'n',
    sender_type: 'user',
    sender,
    content: `line ${seq}`,
    timestamp: '',
    read: false,
  }) + '\n';

describe('TranscriptCache', () => {
  let dir: string;
  const cache = () => new TranscriptCache();
  const seqs = (m: readonly ChatMessage[]) => m.map((x) => x.seq);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-transcript-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads what the store reads, merged by seq, and follows appends, a torn tail and a replaced file', async () => {
    const c = cache();
    const alice = join(dir, 'alice_messages.jsonl');
    const bob = join(dir, 'bob_messages.jsonl');
    writeFileSync(alice, line(1) + line(3));
    writeFileSync(bob, line(2, 'bob@uni.edu'));
    expect(seqs(await c.readAll(dir))).toEqual([1, 2, 3]);
    appendFileSync(alice, line(4) + line(5).slice(0, 20));
    expect(seqs(await c.readAll(dir))).toEqual([1, 2, 3, 4]);
    appendFileSync(alice, line(5).slice(20) + 'é' + '\n');
    expect(seqs(await c.readAll(dir))).toEqual(seqs(await new MessageLog().readAll(dir)));
    appendFileSync(bob, line(6, 'bob@uni.edu'));
    const now = await c.readAll(dir);
    expect(seqs(now)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(now).toEqual(await new MessageLog().readAll(dir));
    // replaced (a new inode) with fewer lines: read whole again
    writeFileSync(join(dir, 'tmp'), line(1));
    renameSync(join(dir, 'tmp'), alice);
    expect(seqs(await c.readAll(dir))).toEqual([1, 2, 6]);
  });

  it('returns the same list while nothing changed, and after() finds the lines past a seq', async () => {
    const c = cache();
    writeFileSync(join(dir, 'alice_messages.jsonl'), Array.from({ length: 100 }, (_, i) => line(i + 1)).join(''));
    const first = await c.readAll(dir);
    expect(await c.readAll(dir)).toBe(first);
    expect(seqs(TranscriptCache.after(first, 0, 3))).toEqual([1, 2, 3]);
    expect(seqs(TranscriptCache.after(first, 97, 10))).toEqual([98, 99, 100]);
    expect(TranscriptCache.after(first, 100, 10)).toEqual([]);
  });
});
