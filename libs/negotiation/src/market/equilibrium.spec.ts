import { curves, equilibrium, stepChart, unitPrice } from './equilibrium';
import { seededRandom } from '../rng';
import { smallDesign } from './test-designs';

const eq = (buyers: Parameters<typeof smallDesign>[0], sellers: Parameters<typeof smallDesign>[1]) => {
  const e = equilibrium(curves(smallDesign(buyers, sellers), 'C'));
  return { band: [e.price_low_cents, e.price_high_cents], quantity: [e.quantity_min, e.quantity_max], surplus: e.max_surplus_cents };
};

describe('competitive equilibrium', () => {
  it('a plain crossing', () => {
    // values 20 15 10 5, costs 6 9 12 18 (one unit each).
    // unit 1: 20 ≥ 6, unit 2: 15 ≥ 9, unit 3: 10 < 12 → Q* = 2.
    // band: max(c2 = 9, v3 = 10) = 10 … min(v2 = 15, c3 = 12) = 12. Surplus (20-6) + (15-9) = 20.00.
    expect(eq([[20], [15], [10], [5]], [[6], [9], [12], [18]])).toEqual({ band: [1000, 1200], quantity: [2, 2], surplus: 2000 });
  });

  it('ties at the margin: one price, a range of quantities', () => {
    // values 20 12 12, costs 8 12 12. Units 1 (20 > 8), 2 and 3 (12 = 12) trade → Q* = 3, Q> = 1.
    // band: max(c3 = 12, v4 = none → 0) = 12 … min(v3 = 12, c4 = none → ∞) = 12. Surplus 12.00.
    // At 12.00 buyers want 1–3 units and sellers offer 1–3: any quantity from 1 to 3 clears.
    expect(eq([[20], [12, 12]], [[8], [12], [12]])).toEqual({ band: [1200, 1200], quantity: [1, 3], surplus: 1200 });
  });

  it('vertical overlap: one quantity, a wide band of prices', () => {
    // values 30 30 5, costs 10 10 40. Q* = 2 (30 ≥ 10 twice, then 5 < 40).
    // band: max(c2 = 10, v3 = 5) = 10 … min(v2 = 30, c3 = 40) = 30. Surplus 2 × 20 = 40.00.
    expect(eq([[30, 30], [5]], [[10], [10], [40]])).toEqual({ band: [1000, 3000], quantity: [2, 2], surplus: 4000 });
  });

  it('horizontal overlap: supply and demand share a flat segment', () => {
    // values 20 15 15, costs 10 15 15 15. Units 1 (20 > 10), 2, 3 (15 = 15); no unit 4 of demand.
    // Q* = 3, Q> = 1. band: max(c3 = 15, v4 → 0) = 15 … min(v3 = 15, c4 = 15) = 15. Surplus 10.00.
    expect(
      eq(
        [[20], [15], [15]],
        [
          [10, 15],
          [15, 15],
        ],
      ),
    ).toEqual({ band: [1500, 1500], quantity: [1, 3], surplus: 1000 });
  });

  it('no gains from trade: the band is the gap between the best value and the best cost', () => {
    // value 5, cost 8: no unit trades; any price from 5 to 8 leaves both content with no trade.
    expect(eq([[5]], [[8]])).toEqual({ band: [500, 800], quantity: [0, 0], surplus: 0 });
  });

  it('steps of many units, across several traders', () => {
    // buyer 1: 100 @ 12, 50 @ 9; buyer 2: 80 @ 10. seller 1: 60 @ 7, 60 @ 11; seller 2: 100 @ 8.
    // demand: 100 @ 12, 80 @ 10, 50 @ 9; supply: 60 @ 7, 100 @ 8, 60 @ 11.
    // units 1–60: 12 vs 7; 61–100: 12 vs 8; 101–160: 10 vs 8; 161: 10 vs 11 → stop, Q* = 160.
    // surplus 60×5 + 40×4 + 60×2 = 580.00. band: max(c160 = 8, v161 = 10) = 10 … min(v160 = 10, c161 = 11) = 10.
    const e = eq(
      [
        [
          [100, 12],
          [50, 9],
        ],
        [[80, 10]],
      ],
      [
        [
          [60, 7],
          [60, 11],
        ],
        [[100, 8]],
      ],
    );
    expect(e).toEqual({ band: [1000, 1000], quantity: [160, 160], surplus: 58000 });
  });

  it('merges equal prices into one step and charts the steps', () => {
    const c = curves(smallDesign([[20, 10], [10]], [[5], [5, 7]]), 'C');
    expect(c.demand).toEqual([
      { quantity: 1, cents: 2000 },
      { quantity: 2, cents: 1000 },
    ]);
    expect(c.supply).toEqual([
      { quantity: 2, cents: 500 },
      { quantity: 1, cents: 700 },
    ]);
    expect(stepChart(c.demand)).toEqual([
      { from: 0, to: 1, cents: 2000 },
      { from: 1, to: 3, cents: 1000 },
    ]);
    expect([1, 2, 3, 4].map((k) => unitPrice(c.demand, k))).toEqual([2000, 1000, 1000, undefined]);
  });

  it('every price in the band clears the market and the prices just outside do not (random designs)', () => {
    // the definition, checked unit by unit: p clears when some q has #(v > p) ≤ q ≤ #(v ≥ p) and #(c < p) ≤ q ≤ #(c ≤ p)
    const clears = (values: number[], costs: number[], p: number) => {
      const count = (xs: number[], f: (x: number) => boolean) => xs.filter(f).length;
      const lo = Math.max(
        count(values, (v) => v > p),
        count(costs, (c) => c < p),
      );
      const hi = Math.min(
        count(values, (v) => v >= p),
        count(costs, (c) => c <= p),
      );
      return lo <= hi ? [lo, hi] : null;
    };
    const rng = seededRandom('equilibrium-property');
    const rand = (n: number) => Math.floor(rng() * n);
    const wrong: unknown[] = [];
    for (let round = 0; round < 300; round++) {
      const values = Array.from({ length: 1 + rand(6) }, () => 1 + rand(8));
      const costs = Array.from({ length: 1 + rand(6) }, () => 1 + rand(8));
      const e = equilibrium(
        curves(
          smallDesign(
            values.map((v) => [v]),
            costs.map((c) => [c]),
          ),
          'C',
        ),
      );
      const quantities = new Set<number>();
      for (let p = 0; p <= 1000; p += 25) {
        const inBand = p >= e.price_low_cents && p <= e.price_high_cents;
        const q = clears(
          values.map((v) => v * 100),
          costs.map((c) => c * 100),
          p,
        );
        if ((q !== null) !== inBand) wrong.push({ values, costs, p, band: e });
        if (q) for (let k = q[0]; k <= q[1]; k++) quantities.add(k);
      }
      if (Math.min(...quantities) !== e.quantity_min || Math.max(...quantities) !== e.quantity_max)
        wrong.push({ values, costs, quantities, e });
    }
    expect(wrong).toEqual([]);
  });
});
