import { agreementKey, canonicalTerms } from './agreement-key';

describe('agreementKey', () => {
  it('is the same for the same terms in any key order and number format', () => {
    expect(agreementKey({ price: 5.5, quantity: 1000 })).toBe(agreementKey({ quantity: 1000.0, price: 5.5 }));
    expect(agreementKey({ price: 0.1 + 0.2 })).toBe(agreementKey({ price: 0.3 }));
  });
  it('differs when any term differs', () => {
    expect(agreementKey({ price: 5.5, quantity: 1000 })).not.toBe(agreementKey({ price: 5.5, quantity: 1001 }));
    expect(agreementKey({ price: 5.5 })).not.toBe(agreementKey({ price: 5.5, quantity: 0 }));
  });
  it('ignores nothing but order: the canonical form lists every issue', () => {
    expect(canonicalTerms({ b: 2, a: 1 })).toBe('a=1&b=2');
  });
  it('refuses non-finite numbers', () => {
    expect(() => agreementKey({ price: Infinity })).toThrow();
  });
});
