import { tradeCents, validateTradeTerms } from './trade-rules';

describe('trade terms in exact cents', () => {
  it('refuses prices with more than two decimals instead of rounding them, and prices under the minimum', () => {
    expect(validateTradeTerms({ price: 5e-7, quantity: 1 })).toBe('price has more than two decimals (got 5e-7)');
    expect(validateTradeTerms({ price: 0.1 + 0.2, quantity: 1 })).toMatch(/more than two decimals/);
    expect(validateTradeTerms({ price: 0, quantity: 1 })).toBe('price must be at least 0.01 (got 0)');
    expect(validateTradeTerms({ price: 1_000_000.01, quantity: 1 })).toMatch(/at most 1000000.00/);
    expect(validateTradeTerms({ price: 5, quantity: 1.5 })).toMatch(/whole number/);
    expect(validateTradeTerms({ price: 5, quantity: 1, bonus: 2 })).toMatch(/exactly a price and a quantity/);
  });

  it('accepts 0.01 and two-decimal prices, and gives the total in cents exactly', () => {
    expect(validateTradeTerms({ price: 0.01, quantity: 1 })).toBeNull();
    expect(validateTradeTerms({ price: 19.99, quantity: 3 })).toBeNull();
    expect(tradeCents({ price: 19.99, quantity: 3 })).toEqual({ price: 1999, total: 5997 });
    expect(tradeCents({ price: 0.1, quantity: 3 })).toEqual({ price: 10, total: 30 });
  });
});
