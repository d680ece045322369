import { CHEMICALS } from '@parley/contracts';
import { seededRandom } from '../rng';
import { builtinDesign } from './builtin-designs';
import { MarketDesign } from './design';
import { curves, equilibrium } from './equilibrium';
import { marketPosition } from './honour';
import { marketResults } from './profit';
import { compareMarkets } from './simulate';
import { RoundResult, bilateralRound, doubleAuctionRound } from './simulated-markets';
import { smallDesign } from './test-designs';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Sums over teams, exactly: cash in cents and each chemical in units. */
function totals(holdings: Iterable<{ cash_cents: number; goods: Record<string, number> }>) {
  const t: Record<string, number> = { cash: 0, C: 0, N: 0, D: 0, Q: 0 };
  for (const h of holdings) {
    t.cash += h.cash_cents;
    for (const c of CHEMICALS) t[c] += h.goods[c];
  }
  return t;
}

function expectConserved(design: MarketDesign, round: RoundResult) {
  const start = totals(design.teams.map((t) => t.holdings));
  expect(totals(round.holdings.values())).toEqual(start);
  for (const team of design.teams) {
    const h = round.holdings.get(team.team)!;
    // the simulation's ledger is exactly the design's holdings plus the trades it reports
    expect(h).toEqual(marketPosition(team, round.trades));
    expect(Math.min(h.cash_cents, ...CHEMICALS.map((c) => h.goods[c]), ...Object.values(h.sell_limit!))).toBeGreaterThanOrEqual(0);
  }
}

describe('zero-intelligence traders', () => {
  const design = builtinDesign({ kind: 'symmetric', teams: 10, seed: 'zi-test', lot: 1 });

  it('ZI-C in a double auction reach ≥ 95 % mean efficiency over 20 seeds', () => {
    // Gode & Sunder (1993) report 97–99 % mean efficiency for budget-constrained ZI traders in their five
    // double-auction markets; 95 % leaves room for our smaller markets and single rounds, and no round
    // may fall below 85 %. With the value and cost limits removed (ZI-U) this test fails by far: the
    // constraint, not the traders' intelligence, carries the efficiency — G&S's point.
    const eff = Array.from(
      { length: 20 },
      (_, s) => marketResults(design, doubleAuctionRound(design, seededRandom(`da-${s}`)).trades).efficiency!,
    );
    expect(mean(eff)).toBeGreaterThanOrEqual(0.95);
    expect(Math.min(...eff)).toBeGreaterThanOrEqual(0.85);
  });

  it('never trade at a loss, so every team’s profit is ≥ 0; cash and goods are conserved to the cent', () => {
    for (let s = 0; s < 10; s++) {
      for (const round of [doubleAuctionRound(design, seededRandom(`c-${s}`)), bilateralRound(design, seededRandom(`c-${s}`))]) {
        expect(round.trades.length).toBeGreaterThan(0);
        expectConserved(design, round);
        for (const t of marketResults(design, round.trades).teams) expect(t.profit_cents).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('conserve cash and goods in a 60-team market with multi-unit lots and odd prices', () => {
    const big = builtinDesign({ kind: 'asymmetric', teams: 60, seed: 'conserve', lot: 7 });
    for (const round of [doubleAuctionRound(big, seededRandom('a')), bilateralRound(big, seededRandom('b'))]) {
      expect(round.trades.every((t) => t.quantity === 7)).toBe(true);
      expectConserved(big, round);
    }
  });

  it('trade only inside the traders’ limits in a one-pair market, at a price in the equilibrium band', () => {
    // one buyer (value 10), one seller (cost 6): the single trade must land in [6, 10], the band
    const pair = smallDesign([[10]], [[6]]);
    const e = equilibrium(curves(pair, 'C'));
    expect([e.price_low_cents, e.price_high_cents]).toEqual([600, 1000]);
    for (let s = 0; s < 20; s++) {
      for (const round of [doubleAuctionRound(pair, seededRandom(`p-${s}`)), bilateralRound(pair, seededRandom(`p-${s}`))]) {
        expect(round.trades).toHaveLength(1);
        expect(round.trades[0].price_cents).toBeGreaterThanOrEqual(600);
        expect(round.trades[0].price_cents).toBeLessThanOrEqual(1000);
      }
    }
  });
});

describe('comparing the double auction with Parley’s bilateral market', () => {
  it('reports efficiency, volume, mean price and the price path per chemical, the same for the same seed', () => {
    const design = builtinDesign({ kind: 'asymmetric', teams: 12, seed: 'cmp' });
    const run = compareMarkets(design, { rounds: 3, seed: 'cmp-run' });
    expect(compareMarkets(design, { rounds: 3, seed: 'cmp-run' })).toEqual(run);
    expect(run.equilibria.map((e) => e.chemical)).toEqual(['C', 'N', 'D', 'Q']);
    for (const m of [run.double_auction, run.bilateral]) {
      expect(m.efficiency_per_round).toHaveLength(3);
      expect(m.efficiency).toBeGreaterThan(0.8);
      expect(m.efficiency).toBeLessThanOrEqual(1);
      for (const c of m.chemicals) {
        // every trade is one lot of 100 units, so the path and the volume agree
        expect(c.price_path.length * 100).toBe(c.volume_per_round * 3);
        expect(c.mean_price_cents).toBe(Math.round(mean(c.price_path.map((p) => p.price_cents))));
      }
      expect(m.chemicals.reduce((n, c) => n + c.price_path.length, 0)).toBe(m.trades);
    }
  });
});
