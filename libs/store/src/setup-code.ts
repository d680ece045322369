import { randomInt, timingSafeEqual } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileExclusive, isNotFound, readJson } from './files';
import { DataPaths } from './paths';

const CODE_FILE = 'code.json';
const CLAIM_FILE = 'claimed.json';
/** No 0/O or 1/I/L: the code is read off a terminal and typed on a phone. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

const randomCode = () => {
  const pick = () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${pick()}-${pick()}`;
};

/** Upper case, no spaces or dashes: what the person typed, compared to what was printed. */
const canonical = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');

/**
 * The one-time code that lets the first instructor account be made in the browser. The file is
 * created exclusively (mode 0600), so of several gateways starting at once exactly one writes it and
 * all print the same code; the claim file, also exclusive, lets one request through when two race.
 */
export class SetupCodeStore {
  constructor(private readonly paths: DataPaths) {}

  /** The code, made now if there is none yet. */
  async ensure(): Promise<string> {
    const existing = await this.read();
    if (existing) return existing;
    await createFileExclusive(this.paths.setupDir(), CODE_FILE, { code: randomCode(), created_at: new Date().toISOString() });
    return (await this.read())!;
  }

  async read(): Promise<string | null> {
    return (await readJson<{ code: string }>(join(this.paths.setupDir(), CODE_FILE)))?.code ?? null;
  }

  async matches(typed: unknown): Promise<boolean> {
    const code = await this.read();
    if (!code || typeof typed !== 'string' || typed.length > 64) return false;
    const [a, b] = [Buffer.from(canonical(code)), Buffer.from(canonical(typed))];
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** True for the one request that may create the first instructor. */
  claim(email: string): Promise<boolean> {
    return createFileExclusive(this.paths.setupDir(), CLAIM_FILE, { email, at: new Date().toISOString() });
  }

  /** The account could not be made after all: the next attempt may claim again. */
  async release(): Promise<void> {
    await unlink(join(this.paths.setupDir(), CLAIM_FILE)).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
  }

  /** Used: the code stops working (the claim stays as the record of who set up). */
  async spend(): Promise<void> {
    await unlink(join(this.paths.setupDir(), CODE_FILE)).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
  }
}
