import bcrypt from 'bcryptjs';

const ROUNDS = 10;
/** A real hash to compare against when the e-mail is unknown, so both failures take the same time. */
const DUMMY_HASH = bcrypt.hashSync('parley-dummy-password', ROUNDS);

export const MIN_PASSWORD_CHARS = 8;
/** bcrypt reads only the first 72 bytes: a longer password would let any tail after them log in. */
export const MAX_PASSWORD_BYTES = 72;

/** The one password rule (CLI, roster import, any API that sets a password): the problem in words, or null. */
export function passwordProblem(password: unknown): string | null {
  if (typeof password !== 'string' || [...password].length < MIN_PASSWORD_CHARS)
    return `password must have at least ${MIN_PASSWORD_CHARS} characters`;
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return `password must be at most ${MAX_PASSWORD_BYTES} bytes (UTF-8)`;
  return null;
}

export async function hashPassword(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new Error(problem);
  return bcrypt.hash(password, ROUNDS);
}

/** False for a password bcrypt would truncate, so no tail after the 72nd byte ever matches. */
export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  const fits = Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
  const matches = await bcrypt.compare(fits ? password : '', hash ?? DUMMY_HASH);
  return fits && matches;
}
