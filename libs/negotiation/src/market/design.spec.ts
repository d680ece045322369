import { BUILTIN_DESIGNS, builtinDesign } from './builtin-designs';
import { DesignResult, designToJson, parseDesign, parseDesignJson } from './design';
import { describeProblems, parseDesignCsv } from './design-csv';
import { curves, equilibrium } from './equilibrium';

const problemsOf = (r: DesignResult) => (r.ok ? [] : describeProblems(r.problems));
const base = { id: 'demo', title: 'Demo', round_seconds: 600 };
const csvOptions = base;

describe('market design (JSON)', () => {
  const json = {
    ...base,
    teams: [
      {
        team: 'B1',
        schedules: [
          {
            chemical: 'C',
            side: 'buy',
            steps: [
              { quantity: 2, value: 12.5 },
              { quantity: 1, value: '9.00' },
            ],
          },
        ],
      },
      { team: 'S1', holdings: { cash: 10, C: 5 }, schedules: [{ chemical: 'C', side: 'sell', steps: [{ quantity: 3, cost: 4 }] }] },
    ],
  };

  it('reads steps into cents and fills the holdings a design leaves out', () => {
    const r = parseDesign(json);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const [b, s] = r.design.teams;
    expect(b.schedules[0].steps).toEqual([
      { quantity: 2, cents: 1250 },
      { quantity: 1, cents: 900 },
    ]);
    // a buyer without holdings gets the cash to pay its schedule at its values: 2 × 12.50 + 9.00
    expect(b.holdings).toEqual({ cash_cents: 3400, goods: { C: 0, N: 0, D: 0, Q: 0 } });
    expect(s.holdings).toEqual({ cash_cents: 1000, goods: { C: 5, N: 0, D: 0, Q: 0 } });
    // the file form reads back to the same design
    expect(parseDesign(designToJson(r.design))).toEqual(r);
  });

  it('names every problem by its path', () => {
    const bad = {
      ...base,
      round_seconds: 5,
      teams: [
        {
          team: 'B1',
          schedules: [
            {
              chemical: 'C',
              side: 'buy',
              steps: [
                { quantity: 1, value: 5 },
                { quantity: 1, value: 7 },
              ],
            },
          ],
        },
        { team: 'S1', holdings: { C: 1 }, schedules: [{ chemical: 'C', side: 'sell', steps: [{ quantity: 2, cost: 4.005 }] }] },
      ],
    };
    expect(problemsOf(parseDesign(bad))).toEqual([
      'round_seconds: round_seconds must be at least 30',
      'teams[1].schedules[0].steps[0].cost: cost has more than two decimals (got 4.005)',
    ]);
    const rules = {
      ...bad,
      round_seconds: 60,
      teams: [bad.teams[0], { ...bad.teams[1], schedules: [{ chemical: 'C', side: 'sell', steps: [{ quantity: 2, cost: 4 }] }] }],
    };
    expect(problemsOf(parseDesign(rules))).toEqual([
      "teams[0].schedules[0].steps[1].value: value 7.00 is above the previous step's 5.00: a buyer's values must not rise",
      'teams[1].holdings.C: holds 1 C but its cost schedule sells 2',
    ]);
  });

  it('refuses duplicate teams, a chemical with one side only, wrong step keys and bad JSON', () => {
    const r = parseDesign({
      ...base,
      teams: [
        { team: 'A', schedules: [{ chemical: 'N', side: 'buy', steps: [{ quantity: 1, cost: 3 }] }] },
        { team: 'A', schedules: [{ chemical: 'C', side: 'sell', steps: [{ quantity: 1, cost: 3 }] }] },
      ],
    });
    expect(problemsOf(r)).toEqual([
      'teams[0].schedules[0].steps[0].cost: a buy step has a value, not a cost',
      'teams[1].team: team A appears twice (also teams[0])',
      'teams: C has sellers but no buyers',
      'teams: N has buyers but no sellers',
    ]);
    expect(parseDesignJson('{"id": ')).toMatchObject({ ok: false, problems: [{ message: expect.stringMatching(/^not valid JSON/) }] });
  });
});

describe('market design (CSV)', () => {
  it('reads rows in order into steps and holdings', () => {
    const csv = [
      'team,type,chemical,quantity,amount',
      '# buyers',
      'B1,buy,C,1,12.00',
      'B1,buy,C,2,10.5',
      'S1,sell,C,3,4',
      'S1,cash,,,20',
      'S1,hold,C,4,',
      '',
    ].join('\n');
    const r = parseDesignCsv(csv, csvOptions);
    if (!r.ok) throw new Error(describeProblems(r.problems).join('\n'));
    expect(r.design.teams).toEqual([
      {
        team: 'B1',
        holdings: { cash_cents: 3300, goods: { C: 0, N: 0, D: 0, Q: 0 } },
        schedules: [
          {
            chemical: 'C',
            side: 'buy',
            steps: [
              { quantity: 1, cents: 1200 },
              { quantity: 2, cents: 1050 },
            ],
          },
        ],
      },
      {
        team: 'S1',
        holdings: { cash_cents: 2000, goods: { C: 4, N: 0, D: 0, Q: 0 } },
        schedules: [{ chemical: 'C', side: 'sell', steps: [{ quantity: 3, cents: 400 }] }],
      },
    ]);
  });

  it('says on which line what is wrong', () => {
    const csv = [
      'team,type,chemical,quantity,amount', // line 1
      'B1,buy,C,1,12.00', // 2
      'B1,buy,C,1,13.00', // 3: a value that rises
      'S1,sell,C,1.5,4', // 4: not a whole quantity
      'S1,sell,C,1,-2', // 5: a negative cost
      'S2,sell,C,1,3.999', // 6: three decimals
      'S2,hold,C,0,', // 7: (S2's only step is line 6, so nothing to check here yet)
      'S3,sell,C,2,3', // 8
      'S3,hold,C,1,', // 9: holds less than it sells
      'S4,hold,C,1,', // 10: holdings and no schedule
    ].join('\n');
    const r = parseDesignCsv(csv, csvOptions);
    expect(r.ok).toBe(false);
    expect(problemsOf(r)).toEqual([
      "line 3: value 13.00 is above the previous step's 12.00: a buyer's values must not rise",
      'line 4: quantity must be a whole number of at least 1 (got "1.5")',
      'line 5: cost must not be negative (got -2)',
      'line 6: cost has more than two decimals (got 3.999)',
      'line 9: holds 1 C but its cost schedule sells 2',
      'line 10: team S4 has no buy or sell rows',
    ]);
  });

  it('checks each row before the design and reports every bad row', () => {
    const csv = [
      'team,type,chemical,quantity,amount',
      'B1,buys,C,1,12',
      ',buy,C,1,1',
      'B1,buy,X,1,1',
      'S1,sell,C,1,1',
      'S1,buy,C,1,1',
      'S1,cash,,,',
    ].join('\n');
    expect(problemsOf(parseDesignCsv(csv, csvOptions))).toEqual([
      'line 2: type must be one of buy, sell, cash, hold (got "buys")',
      'line 3: team is empty',
      'line 4: chemical must be one of C, N, D, Q (got "X")',
      'line 6: team S1 both buys and sells C; a team has one schedule per chemical',
      'line 7: amount is empty',
    ]);
    expect(problemsOf(parseDesignCsv('team,type\nB1,buy\n', csvOptions))).toEqual([
      'line 1: missing column(s): chemical, quantity, amount',
    ]);
    expect(problemsOf(parseDesignCsv('team,type,chemical,quantity,amount\nB1,buy,C,1,2,3\n', csvOptions))[0]).toMatch(
      /^line 2: not a readable CSV/,
    );
  });
});

describe('built-in designs', () => {
  it.each([10, 25, 60])('a valid design for %i teams, the same for the same seed', (teams) => {
    for (const { kind } of BUILTIN_DESIGNS) {
      const d = builtinDesign({ kind, teams, seed: 'class-1' });
      expect(d.teams).toHaveLength(teams);
      expect(builtinDesign({ kind, teams, seed: 'class-1' })).toEqual(d);
      expect(builtinDesign({ kind, teams, seed: 'class-2' })).not.toEqual(d);
      // every generated design passes the same validation as an upload
      expect(parseDesign(designToJson(d))).toEqual({ ok: true, design: d });
      for (const t of d.teams) expect(new Set(t.schedules.map((s) => s.side))).toEqual(new Set(['buy', 'sell']));
    }
  });

  it('symmetric: the band holds the centre price; asymmetric: it sits near the sellers’ costs', () => {
    const sym = builtinDesign({ kind: 'symmetric', teams: 20, seed: 's' });
    const asym = builtinDesign({ kind: 'asymmetric', teams: 20, seed: 's' });
    // C's centre is 10.00: symmetric grids from 5.00 to 15.00 on both sides cross at the centre
    const s = equilibrium(curves(sym, 'C'));
    expect(s.price_low_cents).toBeLessThanOrEqual(1000);
    expect(s.price_high_cents).toBeGreaterThanOrEqual(1000);
    // asymmetric: costs 5.00–7.50, values 5.00–20.00; the crossing solves (20 − p)/15 = (p − 5)/2.5 → p ≈ 7.14
    const a = equilibrium(curves(asym, 'C'));
    expect(a.price_low_cents).toBeGreaterThanOrEqual(650);
    expect(a.price_high_cents).toBeLessThanOrEqual(750);
  });

  it('refuses team counts it cannot make', () => {
    expect(() => builtinDesign({ kind: 'symmetric', teams: 1, seed: 'x' })).toThrow(/2 to 200/);
  });
});
