import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatMessage } from '@parley/contracts';
import { MessageLog } from './messages';
import { findByClientMessageId, maxSeqInFile } from './message-index';

describe('message appends through kept-open files', () => {
  let root: string;
  let dir: string;
  let log: MessageLog;
  const msg = (seq: number, cmid = `c${seq}`): ChatMessage => ({
    id: `m${seq}`,
    seq,
    negotiation_id: 'n1',
    sender_type: 'user',
    sender: 'bob@uni.edu',
    timestamp: new Date(0).toISOString(),
    read: false,
    content: `line ${seq}`,
    client_message_id: cmid,
    kind: 'chat',
  });
  const raw = () => readFileSync(join(dir, 'bob_messages.jsonl'), 'utf8').split('\n').filter(Boolean);
  const lines = () =>
    raw().flatMap((l) => {
      try {
        return [JSON.parse(l) as ChatMessage];
      } catch {
        return []; // a torn line
      }
    });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'parley-appender-'));
    dir = join(root, 'negotiations', 'n1');
    mkdirSync(dir, { recursive: true });
    log = new MessageLog();
  });
  afterEach(async () => {
    await log.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps every line of many appends at once, each whole, and the index answers from them', async () => {
    const file = join(dir, 'bob_messages.jsonl');
    await log.append(dir, 'bob', [msg(1)]);
    expect(await maxSeqInFile(file)).toBe(1);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(dir, 'bob', [msg(i + 2)])));
    expect(
      lines()
        .map((m) => m.seq)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    expect(await maxSeqInFile(file)).toBe(51);
    expect(await findByClientMessageId(file, 'c37')).toMatchObject({ seq: 37, content: 'line 37' });
    expect(await log.findByClientId(dir, 'bob', 'c51')).toMatchObject({ seq: 51 });
  });

  it('sees lines another process appended between its own, and starts a new line after a torn one', async () => {
    const file = join(dir, 'bob_messages.jsonl');
    await log.append(dir, 'bob', [msg(1)]);
    expect(await maxSeqInFile(file)).toBe(1);
    appendFileSync(file, JSON.stringify(msg(2, 'other')) + '\n');
    await log.append(dir, 'bob', [msg(3)]);
    // another writer died mid-line
    appendFileSync(file, '{"id":"m9","seq":9,"cont');
    await log.append(dir, 'bob', [msg(4)]);
    expect(await maxSeqInFile(file)).toBe(4);
    expect(await findByClientMessageId(file, 'other')).toMatchObject({ seq: 2 });
    expect(await findByClientMessageId(file, 'c4')).toMatchObject({ seq: 4 });
    expect(lines().map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(raw()).toHaveLength(5); // the torn line stays alone on its line
  });

  it('refuses to append once the negotiation directory was moved (claimed or archived)', async () => {
    await log.append(dir, 'bob', [msg(1)]);
    renameSync(dir, join(root, 'claimed'));
    await expect(log.append(dir, 'bob', [msg(2)])).rejects.toMatchObject({ code: 'NEGOTIATION_CLOSED' });
    const moved = readFileSync(join(root, 'claimed', 'bob_messages.jsonl'), 'utf8');
    expect(moved.trim().split('\n')).toHaveLength(1);
  });
});
