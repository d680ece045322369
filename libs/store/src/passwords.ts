import bcrypt from 'bcryptjs';

const ROUNDS = 10;
/** A real hash to compare against when the e-mail is unknown, so both failures take the same time. */
const DUMMY_HASH = bcrypt.hashSync('parley-dummy-password', ROUNDS);

export const hashPassword = (password: string) => bcrypt.hash(password, ROUNDS);
export const verifyPassword = (password: string, hash: string | undefined) => bcrypt.compare(password, hash ?? DUMMY_HASH);
