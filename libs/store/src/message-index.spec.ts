import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findByClientMessageId, maxSeqInFile } from './message-index';

// `open` stays the real one unless a test makes it move the directory first
jest.mock('node:fs/promises', () => {
  const real = jest.requireActual('node:fs/promises');
  return { ...real, open: jest.fn(real.open) };
});
const realOpen: typeof open = jest.requireActual('node:fs/promises').open;

describe('message file index (read only what was appended)', () => {
  let dir: string;
  let file: string;
  const line = (seq: number, cmid?: string) =>
    JSON.stringify({ id: `m${seq}`, seq, content: `line ${seq}`, client_message_id: cmid }) + '\n';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-msgidx-'));
    file = join(dir, 'bob_messages.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds client ids and the highest seq as the file grows, skipping a torn line', async () => {
    expect(await maxSeqInFile(file)).toBe(0);
    expect(await findByClientMessageId(file, 'a')).toBeNull();
    writeFileSync(file, line(1, 'a') + line(4, 'b'));
    expect(await maxSeqInFile(file)).toBe(4);
    expect(await findByClientMessageId(file, 'b')).toMatchObject({ seq: 4, content: 'line 4' });
    // a crash mid-append leaves a torn line; the next append starts on a new line
    appendFileSync(file, '{"id":"m9","seq":9,"cont');
    expect(await maxSeqInFile(file)).toBe(4);
    appendFileSync(file, '\n' + line(5, 'c'));
    expect(await maxSeqInFile(file)).toBe(5);
    expect(await findByClientMessageId(file, 'c')).toMatchObject({ seq: 5 });
    expect(await findByClientMessageId(file, 'a')).toMatchObject({ seq: 1 });
  });

  it('a file moved away between its stat and its open (a settlement claiming the negotiation) reads as not there', async () => {
    writeFileSync(file, line(1, 'a'));
    expect(await maxSeqInFile(file)).toBe(1);
    appendFileSync(file, line(2, 'b'));
    const moved = `${dir}-moved`;
    const moveFirst = async (...args: Parameters<typeof open>) => {
      renameSync(dir, moved);
      return realOpen(...args);
    };
    try {
      jest.mocked(open).mockImplementationOnce(moveFirst);
      await expect(maxSeqInFile(file)).resolves.toBe(0);
      renameSync(moved, dir);
      expect(await maxSeqInFile(file)).toBe(2);
      // the index knows 'b'; the file moves away before its line is read
      jest.mocked(open).mockImplementationOnce(moveFirst);
      await expect(findByClientMessageId(file, 'b')).resolves.toBeNull();
    } finally {
      rmSync(moved, { recursive: true, force: true });
    }
  });

  it('starts over when the file is replaced by another one', async () => {
    writeFileSync(file, line(1, 'a') + line(2, 'b'));
    expect(await maxSeqInFile(file)).toBe(2);
    writeFileSync(join(dir, 'new'), line(7, 'z'));
    await rename(join(dir, 'new'), file);
    expect(await maxSeqInFile(file)).toBe(7);
    expect(await findByClientMessageId(file, 'a')).toBeNull();
    expect(await findByClientMessageId(file, 'z')).toMatchObject({ seq: 7 });
  });
});
