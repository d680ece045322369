import { MIN_PRICE_CENTS, centsToNumber, formatCents, multiplyCents, parseMoney, parsePrice, sumCents, toCents } from './money';

const cents = (input: unknown) => {
  const r = parsePrice(input);
  if (!r.ok) throw new Error(r.error);
  return r.cents;
};
const error = (input: unknown) => {
  const r = parsePrice(input);
  return r.ok ? `accepted as ${r.cents}` : r.error;
};

describe('money', () => {
  it('reads prices as numbers and strings into whole cents', () => {
    expect(cents(5.5)).toBe(550);
    expect(cents('5.50')).toBe(550);
    expect(cents(' 12 ')).toBe(1200);
    expect(cents('.5')).toBe(50);
    expect(cents(4.35)).toBe(435); // 4.35 * 100 is 434.99999999999994 in floating point
    expect(cents(1_000_000)).toBe(100_000_000);
  });

  it('adds 0.1 and 0.2 to exactly 0.30, and refuses the float sum itself', () => {
    expect(sumCents([cents(0.1), cents(0.2)])).toBe(30);
    expect(formatCents(sumCents([cents(0.1), cents(0.2)]))).toBe('0.30');
    expect(error(0.1 + 0.2)).toMatch(/more than two decimals/);
  });

  it('refuses 5e-7: more than two decimals, never rounded into or out of existence', () => {
    expect(error(5e-7)).toMatch(/more than two decimals/);
    expect(error('5e-7')).toMatch(/more than two decimals/);
    expect(error('0.001')).toMatch(/more than two decimals/);
  });

  it('multiplies 19.99 × 3 to exactly 59.97', () => {
    expect(multiplyCents(cents('19.99'), 3)).toBe(5997);
    expect(formatCents(multiplyCents(1999, 3))).toBe('59.97');
    expect(multiplyCents(cents(0.1), 3)).toBe(30); // 0.1 * 3 is 0.30000000000000004 in floating point
  });

  it('refuses negatives, NaN, non-numbers, too small and too large prices', () => {
    expect(error(-1)).toMatch(/negative/);
    expect(error('-0.01')).toMatch(/negative/);
    expect(error(NaN)).toMatch(/finite/);
    expect(error(Infinity)).toMatch(/finite/);
    expect(error('abc')).toMatch(/at most two decimals/);
    expect(error(null)).toMatch(/must be a number/);
    expect(error(0)).toMatch(/at least 0.01/);
    expect(error(1_000_000.01)).toMatch(/at most 1000000.00/);
    expect(error(1e21)).toMatch(/at most/);
    expect(MIN_PRICE_CENTS).toBe(1);
    expect(cents(0.01)).toBe(1);
  });

  it('allows 0 where the limits say so (cash, costs)', () => {
    expect(parseMoney(0)).toEqual({ ok: true, cents: 0 });
    expect(parseMoney('12.5', { max: 1000, label: 'cash' })).toEqual({ ok: false, error: 'cash must be at most 10.00 (got 12.5)' });
    expect(() => toCents(-3)).toThrow(/negative/);
  });

  it('formats and writes back numbers with at most two decimals', () => {
    expect(formatCents(0)).toBe('0.00');
    expect(formatCents(-105)).toBe('-1.05');
    expect(formatCents(123456789)).toBe('1234567.89');
    const big = { max: Number.MAX_SAFE_INTEGER };
    for (const c of [123456789, 100_000_000, 9_007_199_254_740]) expect(parseMoney(centsToNumber(c), big)).toEqual({ ok: true, cents: c });
    // every amount up to 2,000.00: the number written to a file reads back to the same cents
    for (let c = 0; c <= 200_000; c++) {
      const r = parseMoney(centsToNumber(c), big);
      if (!r.ok || r.cents !== c) throw new Error(`${c} cents → ${centsToNumber(c)} → ${JSON.stringify(r)}`);
    }
  });

  it('refuses fractional cents and unsafe totals', () => {
    expect(() => multiplyCents(1.5, 2)).toThrow(/whole number of cents/);
    expect(() => multiplyCents(100, 0.5)).toThrow(/whole number/);
    expect(() => multiplyCents(100_000_000, Number.MAX_SAFE_INTEGER)).toThrow(/too large/);
    expect(() => sumCents([Number.MAX_SAFE_INTEGER, 1])).toThrow(/too large/);
  });
});
