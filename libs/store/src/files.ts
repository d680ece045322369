import { open, readFile, readdir } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';

/** Atomic JSON write: a reader sees the old file or the new one, never half of one. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', { fsync: true });
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
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`corrupt JSON file ${path}`);
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
  const fh = await open(path, 'a+');
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

export const isNotFound = (e: unknown) => (e as NodeJS.ErrnoException)?.code === 'ENOENT';
export const isExists = (e: unknown) => (e as NodeJS.ErrnoException)?.code === 'EEXIST';
