import { NEGOTIATION_ID_PATTERN, ParleyError, ErrorCode } from '@parley/contracts';

/**
 * Every e-mail and id is checked here before it becomes part of a path. The local part may contain
 * '_' (the separator of seed 000's negotiation ids): file names use the account's namespace prefix,
 * which never does (see namespacePrefix).
 */
const EMAIL = /^[a-z0-9][a-z0-9._+-]{0,63}@[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SCENARIO_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const PREFIX = /^[a-z0-9][a-z0-9.+-]{0,63}$/;
/** Join codes: no 0/O, 1/I/L, so a code read off a projector is typed right. */
export const JOIN_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const JOIN_CODE = /^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{6}$/;
const TRANSACTION_FILE = /^\d{9,13}_(buy|sell)_[CNDQ]_(from|to)_[a-z0-9][a-z0-9.+-]{0,63}(?:_[A-Za-z0-9-]{1,40})?\.json$/;

export const isEmail = (s: unknown): s is string => typeof s === 'string' && s.length <= 254 && EMAIL.test(s);
export const isNegotiationId = (s: unknown): s is string => typeof s === 'string' && NEGOTIATION_ID_PATTERN.test(s);
export const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID.test(s);
export const isScenarioId = (s: unknown): s is string => typeof s === 'string' && SCENARIO_ID.test(s);
/** Market and market design ids: the same shape as scenario ids (a UUID fits too). */
export const isMarketId = (s: unknown): s is string => typeof s === 'string' && SCENARIO_ID.test(s);
export const isSessionId = isUuid;
export const isJoinCode = (s: unknown): s is string => typeof s === 'string' && JOIN_CODE.test(s);
export const isPrefix = (s: unknown): s is string => typeof s === 'string' && PREFIX.test(s);
export const isTransactionFileName = (s: unknown): s is string => typeof s === 'string' && TRANSACTION_FILE.test(s);

export function normalizeEmail(raw: unknown): string {
  return typeof raw === 'string' ? raw.trim().toLowerCase() : '';
}

export function assertEmail(s: unknown): string {
  if (!isEmail(s)) {
    throw new ParleyError(
      ErrorCode.InvalidPayload,
      `invalid e-mail ${JSON.stringify(String(s).slice(0, 80))}: lower-case letters, digits, '.', '+' or '-' before the @ and a domain after it`,
    );
  }
  return s;
}

export function assertNegotiationId(s: unknown): string {
  if (!isNegotiationId(s)) throw new ParleyError(ErrorCode.InvalidPayload, 'invalid negotiation id');
  return s;
}

export function assertUuid(s: unknown, what = 'id'): string {
  if (!isUuid(s)) throw new ParleyError(ErrorCode.InvalidPayload, `invalid ${what}`);
  return s;
}

export function assertScenarioId(s: unknown): string {
  if (!isScenarioId(s)) throw new ParleyError(ErrorCode.InvalidPayload, 'invalid scenario id');
  return s;
}

export function assertMarketId(s: unknown, what = 'market id'): string {
  if (!isMarketId(s)) throw new ParleyError(ErrorCode.InvalidPayload, `invalid ${what}: lower-case letters, digits or - (max 64)`);
  return s;
}

export function assertSessionId(s: unknown): string {
  if (!isUuid(s)) throw new ParleyError(ErrorCode.SessionNotFound, 'session not found', 404);
  return s;
}

export function assertJoinCode(s: unknown): string {
  if (!isJoinCode(s)) throw new ParleyError(ErrorCode.BadJoinCode, 'that is not a join code (6 letters and digits)', 404);
  return s;
}

/**
 * The e-mail's local part made path-safe ('_' → '-'): the prefix of an account made before prefixes
 * were stored (their local parts never held '_', so it is unchanged for them), and the counterparty
 * part of transaction file names.
 */
export function emailPrefix(email: string): string {
  return assertEmail(email).split('@')[0].replace(/_/g, '-');
}

/**
 * A new account's namespace prefix: its path-safe local part, or — when another account or Parley
 * itself already uses that — the local part with the first free `-2`, `-3`, … (alice@uni.edu keeps
 * "alice", alice@other.edu gets "alice-2").
 */
export function namespacePrefix(email: string, taken: Iterable<string>, reserved: readonly string[]): string {
  const used = new Set([...taken, ...reserved]);
  const base = emailPrefix(email).slice(0, 60);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}
