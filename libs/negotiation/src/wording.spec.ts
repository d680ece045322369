import { describeTerms, describeTrade } from './wording';
import { loadBuiltin } from './test-helpers';

describe('offer wording a student reads', () => {
  it('a trade reads as units of the chemical at a price each', () => {
    expect(describeTrade('C', { price: 4.25, quantity: 1500 })).toBe('1,500 units of C at $4.25 each');
    expect(describeTrade('N', { price: 5, quantity: 1 })).toBe('1 unit of N at $5 each');
    expect(describeTrade(undefined, { price: 12.5, quantity: 20 })).toBe('20 units at $12.50 each');
  });

  it('scenario terms carry their units', () => {
    expect(describeTerms(loadBuiltin('used-car'), { price: 11000 })).toBe('price $11,000');
    expect(describeTerms(loadBuiltin('salary'), { salary: 104000, signing_bonus: 3000, start_weeks: 6 })).toBe(
      'base salary $104,000/year, signing bonus $3,000 and start date 6 weeks from today',
    );
  });
});
