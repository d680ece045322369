import { parse } from 'csv-parse/sync';
import type { FinalScore } from '@parley/contracts';
import { loadBuiltin } from '../test-helpers';
import type { FullScenario } from '../types';
import { briefFor } from './briefs';
import { classDebrief, gradesCsv, histogram, mainIssue, NegotiationRecord, paretoFrontier } from './class-report';

/** One issue, three grid points (0, 5, 10): the frontier and utilities can be worked out by hand. */
const tiny: FullScenario = {
  id: 'tiny',
  title: 'Tiny',
  summary: 's',
  student_role: 'buyer',
  ai_role: 'seller',
  student_brief: 'Buyer brief.',
  ai_brief: 'Seller brief.',
  issues: [
    { name: 'price', label: 'Price', unit: 'USD', min: 0, max: 10, step: 5 },
    { name: 'days', label: 'Days', min: 0, max: 10, step: 5 },
  ],
  ai_private: {
    persona: 'Sam',
    private_facts: [],
    strategy: 'linear',
    deadline_turns: 10,
    prefs: { price: { weight: 0.8, best: 10, worst: 0 }, days: { weight: 0.2, best: 10, worst: 0 } },
    reservation_utility: 0,
  },
  student_private: {
    prefs: { price: { weight: 0.5, best: 0, worst: 10 }, days: { weight: 0.5, best: 10, worst: 0 } },
    reservation_utility: 0,
  },
  score_weights: { claiming_value: 1, creating_value: 1, managing_relationships: 1 },
};

const score = (overall: number): FinalScore => ({ claiming_value: overall, creating_value: 0, managing_relationships: 50, overall });
const rec = (
  id: string,
  a: string,
  b: string,
  status: NegotiationRecord['status'],
  terms: Record<string, number> | null,
): NegotiationRecord => ({
  negotiation_id: id,
  scenario_id: 'tiny',
  round: 1,
  seats: [
    { user: `${a.toLowerCase()}@x.io`, name: a, role: 'buyer' },
    { user: b === 'AI' ? 'ai' : `${b.toLowerCase()}@x.io`, name: b, role: 'seller' },
  ],
  status,
  terms,
  scores: {
    [`${a.toLowerCase()}@x.io`]: score(status === 'completed' ? 80 : 30),
    ...(b === 'AI' ? {} : { [`${b.toLowerCase()}@x.io`]: score(status === 'completed' ? 40 : 30) }),
  },
});

describe('class debrief data', () => {
  it('bins values into equal bins, the maximum into the last one', () => {
    expect(histogram([0, 19, 20, 55, 100, 100], 0, 100).bins.map((b) => b.count)).toEqual([2, 1, 1, 0, 2]);
    expect(histogram([5], 0, 10, 2).bins).toEqual([
      { from: 0, to: 5, count: 0 },
      { from: 5, to: 10, count: 1 },
    ]);
  });

  it('keeps only the points no other point beats on both axes', () => {
    const pts = [
      { x: 0, y: 100 },
      { x: 50, y: 50 },
      { x: 40, y: 40 },
      { x: 100, y: 0 },
      { x: 50, y: 20 },
    ];
    expect(paretoFrontier(pts)).toEqual([
      { x: 0, y: 100 },
      { x: 50, y: 50 },
      { x: 100, y: 0 },
    ]);
  });

  it('takes the issue both sides weigh most as the main one', () => {
    expect(mainIssue(tiny).name).toBe('price'); // 0.5 + 0.8 against 0.5 + 0.2
  });

  it("puts deals on the two roles' utility plane beside the frontier, with the deal rate and both briefs", () => {
    const records = [
      rec('n1', 'Ann', 'Bob', 'completed', { price: 5, days: 10 }),
      rec('n2', 'Cy', 'Dee', 'expired', null),
      rec('n3', 'Eve', 'AI', 'completed', { price: 10, days: 0 }),
    ];
    const d = classDebrief(tiny, records);
    // n1: buyer 0.5·(10−5)/10 + 0.5·1 = 0.75; seller 0.8·0.5 + 0.2·1 = 0.6. n3: buyer 0, seller 0.8
    expect(d.deals).toEqual([
      { negotiation_id: 'n1', a: 'Ann', b: 'Bob', status: 'completed', terms: { price: 5, days: 10 }, x: 75, y: 60 },
      { negotiation_id: 'n2', a: 'Cy', b: 'Dee', status: 'expired', terms: null, x: null, y: null },
      { negotiation_id: 'n3', a: 'Eve', b: 'AI', status: 'completed', terms: { price: 10, days: 0 }, x: 0, y: 80 },
    ]);
    expect(d.deal_rate).toEqual({ deals: 2, closed: 3, rate: 0.667 });
    // grid 0/5/10 × 0/5/10; days 10 is best for both, so the frontier runs along days = 10: (100,20) (75,60) (50,100)
    expect(d.frontier).toEqual([
      { x: 50, y: 100 },
      { x: 75, y: 60 },
      { x: 100, y: 20 },
    ]);
    expect(d.walk_away).toEqual({ x: 0, y: 0 });
    const [buyer, seller] = d.per_role;
    expect(buyer.main_issue.values).toEqual([5, 10]);
    expect(seller.main_issue.values).toEqual([5]); // the AI's seat is not a student's
    expect(buyer.scores.overall.values).toEqual([30, 80, 80]);
    expect(seller.scores.overall.values).toEqual([30, 40]);
    expect(d.briefs).toEqual([
      { role: 'buyer', text: 'Buyer brief.' },
      { role: 'seller', text: 'Seller brief.' },
    ]);
  });

  it('anonymises names for the projector, the AI staying the AI', () => {
    const d = classDebrief(
      tiny,
      [rec('n1', 'Ann', 'Bob', 'completed', { price: 5, days: 10 }), rec('n3', 'Eve', 'AI', 'expired', null)],
      true,
    );
    expect(d.deals.map((x) => [x.a, x.b])).toEqual([
      ['Student 1', 'Student 2'],
      ['Student 3', 'AI'],
    ]);
  });

  it('writes one grade row per student per negotiation, with the outcome and terms in words', () => {
    const csv = gradesCsv(
      [rec('n1', 'Ann', 'Bob', 'completed', { price: 5, days: 10 }), rec('n3', 'Eve', 'AI', 'expired', null)],
      new Map([['tiny', tiny]]),
    );
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.name, r.role, r.partner, r.outcome, r.terms, r.overall])).toEqual([
      ['Ann', 'buyer', 'Bob', 'deal', 'Price: $5; Days: 10', '80'],
      ['Bob', 'seller', 'Ann', 'deal', 'Price: $5; Days: 10', '40'],
      ['Eve', 'buyer', 'AI', 'no deal (time)', '', '30'],
    ]);
  });
});

describe('role-play briefs', () => {
  it("gives each role its own brief; the other side's is written from its private part when the scenario has none", () => {
    const car = loadBuiltin('used-car');
    expect(briefFor(car, 'buyer')).toBe(car.student_brief);
    const seller = briefFor(car, 'seller')!;
    expect(seller).toMatch(/^You are the seller\./);
    expect(seller).toContain('price at least $7,800');
    expect(seller).not.toContain(car.student_brief.slice(0, 40));
    expect(briefFor(car, 'nobody')).toBeNull();
  });
});
