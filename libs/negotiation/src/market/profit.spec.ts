import { MarketRuleError, MarketTrade, marketResults } from './profit';
import { smallDesign } from './test-designs';

const trade = (buyer: string, seller: string, price: number, quantity = 1): MarketTrade => ({
  chemical: 'C',
  buyer,
  seller,
  price_cents: price,
  quantity,
});
const profits = (r: ReturnType<typeof marketResults>) => Object.fromEntries(r.teams.map((t) => [t.team, t.profit_cents]));

describe('profit, surplus and efficiency', () => {
  // B1 values 20, 15; B2 value 10; S1 costs 6, 9; S2 cost 12. Q* = 2, maximum surplus (20-6)+(15-9) = 20.00.
  const design = smallDesign([[20, 15], [10]], [[6, 9], [12]]);

  it('values each team’s units in the order it trades them', () => {
    const r = marketResults(design, [
      trade('B1', 'S1', 1100), // B1 unit 1 worth 20: +9.00; S1 unit 1 costs 6: +5.00
      trade('B2', 'S1', 1000), // B2 unit 1 worth 10: 0.00; S1 unit 2 costs 9: +1.00
      trade('B1', 'S2', 1300), // B1 unit 2 worth 15: +2.00; S2 unit 1 costs 12: +1.00
    ]);
    expect(profits(r)).toEqual({ B1: 1100, B2: 0, S1: 600, S2: 100 });
    // realised surplus (20-6) + (10-9) + (15-12) = 18.00 of 20.00: the extra-marginal pair B2/S2 displaced surplus
    expect(r.chemicals).toEqual([
      { chemical: 'C', volume: 3, mean_price_cents: 1133, realised_surplus_cents: 1800, max_surplus_cents: 2000, efficiency: 0.9 },
    ]);
    expect(r.realised_surplus_cents).toBe(Object.values(profits(r)).reduce((a, b) => a + b, 0));
    expect(r.efficiency).toBe(0.9);
  });

  it('the equilibrium allocation is 100 % efficient whatever the prices', () => {
    // B1 buys both of S1's units: at 7 (worth 20: +13.00) and at 15 (worth 15: 0). S1: 7 - 6 = +1.00, 15 - 9 = +6.00.
    const r = marketResults(design, [trade('B1', 'S1', 700), trade('B1', 'S1', 1500)]);
    expect(r.efficiency).toBe(1);
    expect(profits(r)).toEqual({ B1: 1300, B2: 0, S1: 700, S2: 0 });
  });

  it('a unit bought past the value schedule is worth 0; trades span steps', () => {
    // B1: 3 units @ 10, 2 @ 8. S1: 4 @ 5, 4 @ 7. Max surplus: 3×5 + (8-5) + (8-7) = 19.00.
    const d = smallDesign(
      [
        [
          [3, 10],
          [2, 8],
        ],
      ],
      [
        [
          [4, 5],
          [4, 7],
        ],
      ],
    );
    const r = marketResults(d, [
      trade('B1', 'S1', 600, 4), // value 3×10 + 8 = 38, cost 4×5 = 20, paid 24: B1 +14, S1 +4
      trade('B1', 'S1', 750, 2), // value 8 + 0 (6th unit, past the schedule), cost 7 + 7, paid 15: B1 -7, S1 +1
    ]);
    expect(profits(r)).toEqual({ B1: 700, S1: 500 });
    expect(r.chemicals[0]).toMatchObject({ volume: 6, realised_surplus_cents: 1200, max_surplus_cents: 1900 });
    expect(r.efficiency).toBeCloseTo(12 / 19, 12);
  });

  it('refuses trades the market forbids: selling past the cost schedule, selling without one, trading with oneself', () => {
    expect(() => marketResults(design, [trade('B1', 'S2', 1500, 2)])).toThrow(MarketRuleError);
    expect(() => marketResults(design, [trade('S1', 'B1', 1500)])).toThrow(/B1 has no cost schedule for C/);
    expect(() => marketResults(design, [trade('S1', 'S1', 1500)])).toThrow(/itself/);
  });

  it('no trades: zero profits, zero efficiency, no mean price', () => {
    const r = marketResults(design, []);
    expect(r.chemicals[0]).toMatchObject({ volume: 0, mean_price_cents: null, efficiency: 0 });
    expect(new Set(Object.values(profits(r)))).toEqual(new Set([0]));
  });
});
