import { assignTeams } from './assign';
import { marketAnalytics } from './analytics';
import { parseDesign } from './design';
import { FOUR_TEAMS } from '../../../../test/support/market-designs';

/** Four teams, one chemical: demand 12, 10, 8 and supply 4, 6, 9 (10 units a step). */
const design = (() => {
  const r = parseDesign(FOUR_TEAMS);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.design;
})();

describe('market analytics, by hand', () => {
  it('band 8–9 at Q* 20, max surplus 120.00; two trades realise 100.00 (83.3 %); profits add up to the surplus', () => {
    const a = marketAnalytics(design, [
      { chemical: 'C', buyer: 'T01', seller: 'T02', price_cents: 700, quantity: 10, at: 100 },
      { chemical: 'C', buyer: 'T01', seller: 'T04', price_cents: 750, quantity: 10, at: 160 },
    ]);
    const [c] = a.chemicals;
    expect(c.equilibrium).toEqual({
      chemical: 'C',
      price_low_cents: 800,
      price_high_cents: 900,
      quantity_min: 20,
      quantity_max: 20,
      max_surplus_cents: 12000,
    });
    // T01: 10 × (12 − 7) + 10 × (8 − 7.5); T02: 10 × (7 − 4); T04: 10 × (7.5 − 6)
    expect(a.teams).toEqual([
      { team: 'T01', profit_cents: 5500 },
      { team: 'T02', profit_cents: 3000 },
      { team: 'T04', profit_cents: 1500 },
      { team: 'T03', profit_cents: 0 },
    ]);
    expect(a.realised_surplus_cents).toBe(10000);
    expect(a.efficiency).toBeCloseTo(10000 / 12000, 12);
    expect(c.mean_price_cents).toBe(725);
    expect(c.supply).toEqual([
      { from: 0, to: 10, cents: 400 },
      { from: 10, to: 20, cents: 600 },
      { from: 20, to: 30, cents: 900 },
    ]);
    expect(c.trades.map((t) => t.at)).toEqual([100, 160]);
    expect(a.volume).toBe(20);
  });

  it('seats named teams on their own rows and the rest on slots in order; unseated slots leave the market', () => {
    const seated = assignTeams(design, ['ann@x.edu', 'ben@x.edu']);
    expect(seated).toMatchObject({ ok: true, assignment: { 'ann@x.edu': 'T01', 'ben@x.edu': 'T02' } });
    if (!seated.ok) return;
    expect(seated.design.teams.map((t) => t.team)).toEqual(['T01', 'T02']);
    // only T01 and T02 trade: demand 12, 8 and supply 4, 9 → Q* 10, max surplus 80.00
    expect(marketAnalytics(seated.design, []).max_surplus_cents).toBe(8000);
    expect(assignTeams(design, ['a@x.edu', 'b@x.edu', 'c@x.edu', 'd@x.edu', 'e@x.edu'])).toEqual({
      ok: false,
      problems: ['the design has 4 teams; 5 members need seats'],
    });
    // T01 and T03 are both buyers: seated alone, C has buyers but no sellers
    const oneSided = assignTeams({ ...design, teams: [design.teams[0], design.teams[2], design.teams[1]] }, ['a@x.edu', 'b@x.edu']);
    expect(oneSided.ok).toBe(false);
  });
});
