/**
 * Exact money: amounts are integer cents (safe integers) in every computation. Files keep seed 000's
 * `price` as a number with at most two decimals; `centsToNumber` writes one, `parseMoney` reads one.
 */
export type Cents = number;

/** The smallest price an order, offer or trade may have: 0.01. */
export const MIN_PRICE_CENTS: Cents = 1;
/** The largest price per unit: 1,000,000.00. */
export const MAX_PRICE_CENTS: Cents = 100_000_000;

export interface MoneyLimits {
  /** Inclusive, in cents; default 0. */
  min?: Cents;
  /** Inclusive, in cents; default MAX_PRICE_CENTS. */
  max?: Cents;
  /** Names the amount in error messages ("price", "cash"); default "amount". */
  label?: string;
}

export type MoneyResult = { ok: true; cents: Cents } | { ok: false; error: string };

const DECIMAL = /^(\d+)(?:\.(\d{1,2}))?$|^\.(\d{1,2})$/;

/**
 * Reads an amount given as a number (JSON) or a string (a form, a CSV cell). A number is read from its
 * shortest decimal form, so 0.1 + 0.2 (0.30000000000000004) and 5e-7 have more than two decimals and are
 * refused rather than rounded: rounding would quietly change what someone typed.
 */
export function parseMoney(input: unknown, limits: MoneyLimits = {}): MoneyResult {
  const label = limits.label ?? 'amount';
  const min = limits.min ?? 0;
  const max = limits.max ?? MAX_PRICE_CENTS;
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, error: `${label} must be a finite number` };
    text = String(input);
  } else if (typeof input === 'string') {
    text = input.trim();
  } else {
    return { ok: false, error: `${label} must be a number` };
  }
  if (text.startsWith('-')) return { ok: false, error: `${label} must not be negative (got ${text})` };
  if (/^\d+(\.\d+)?e-\d+$/i.test(text) || /^\d*\.\d{3,}$/.test(text))
    return { ok: false, error: `${label} has more than two decimals (got ${text})` };
  const m = DECIMAL.exec(text);
  if (!m) {
    // 1e+21 and the like: a number far above any limit
    if (/^\d+(\.\d+)?e\+\d+$/i.test(text)) return { ok: false, error: `${label} must be at most ${formatCents(max)} (got ${text})` };
    return { ok: false, error: `${label} must be a number with at most two decimals (got "${text}")` };
  }
  const whole = m[1] ?? '0';
  const fraction = (m[2] ?? m[3] ?? '').padEnd(2, '0');
  if (whole.length > 15) return { ok: false, error: `${label} must be at most ${formatCents(max)} (got ${text})` };
  const cents = Number(whole) * 100 + Number(fraction);
  if (cents < min) return { ok: false, error: `${label} must be at least ${formatCents(min)} (got ${text})` };
  if (cents > max) return { ok: false, error: `${label} must be at most ${formatCents(max)} (got ${text})` };
  return { ok: true, cents };
}

/** A price per unit: 0.01 ≤ price ≤ 1,000,000.00, at most two decimals. */
export function parsePrice(input: unknown, label = 'price'): MoneyResult {
  return parseMoney(input, { min: MIN_PRICE_CENTS, max: MAX_PRICE_CENTS, label });
}

/** Like parseMoney, but throws a MoneyError: for values that were validated before. */
export function toCents(input: unknown, limits: MoneyLimits = {}): Cents {
  const r = parseMoney(input, limits);
  if (!r.ok) throw new MoneyError(r.error);
  return r.cents;
}

export class MoneyError extends Error {
  override name = 'MoneyError';
}

/** "59.97", "-1.05", "0.00": plain digits, a point, two decimals. */
export function formatCents(cents: Cents): string {
  assertCents(cents);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** For files: the number with at most two decimals that seed 000's `price` field holds. */
export function centsToNumber(cents: Cents): number {
  assertCents(cents);
  // an integer divided by 100 is the double nearest to the decimal, whose shortest form has ≤ 2 decimals
  return cents / 100;
}

/** price × quantity, exactly; the quantity is a whole number of units. */
export function multiplyCents(priceCents: Cents, quantity: number): Cents {
  assertCents(priceCents);
  if (!Number.isSafeInteger(quantity)) throw new MoneyError(`quantity must be a whole number (got ${quantity})`);
  const total = priceCents * quantity;
  if (!Number.isSafeInteger(total)) throw new MoneyError(`amount ${priceCents} × ${quantity} cents is too large`);
  return total;
}

export function sumCents(amounts: Iterable<Cents>): Cents {
  let total = 0;
  for (const a of amounts) {
    assertCents(a);
    total += a;
    if (!Number.isSafeInteger(total)) throw new MoneyError('sum of amounts is too large');
  }
  return total;
}

function assertCents(cents: Cents): void {
  if (!Number.isSafeInteger(cents)) throw new MoneyError(`not a whole number of cents: ${cents}`);
}
