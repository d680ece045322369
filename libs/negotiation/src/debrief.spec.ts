import type { NegotiationMeta, Outcome } from '@parley/contracts';
import { buildDebrief } from './debrief';
import { scoreNegotiation } from './scoring';
import { chat, loadBuiltin } from './test-helpers';

const car = loadBuiltin('used-car');
const salary = loadBuiltin('salary');
const meta = (scenario_id: string): NegotiationMeta => ({
  id: '00000000-0000-4000-8000-000000000001',
  kind: 'ai',
  scenario_id,
  initiator: 'student@example.edu',
  parties: [
    { user: 'student@example.edu', prefix: 'student', role: 'buyer' },
    { user: 'ai', prefix: 'ai', role: 'seller' },
  ],
  created_at: 0,
  expires_at: 0,
});
const outcome = (terms: Record<string, number> | null, status: Outcome['status'] = terms ? 'completed' : 'rejected'): Outcome => ({
  negotiation_id: '00000000-0000-4000-8000-000000000001',
  kind: 'ai',
  status,
  deal_terms: { agreed: !!terms, terms },
  settled_at: 0,
});
const talk = chat('d-1', [
  ['ai', 'Hello, here is my offer: price $11,000.'],
  ['user', 'Hi! What matters most to you in selling? I could pay $7,500 because the dealer across town is cheaper.'],
  ['ai', 'I could do price $10,000.'],
  ['user', 'Thanks. I can do $8,200.'],
  ['ai', 'Price $9,000.'],
  ['user', 'I can go to $8,500, thank you.'],
  ['ai', 'Deal.'],
]);

describe('coaching feedback', () => {
  it('names moves and mistakes with the line they happened in, and one thing to try next time', () => {
    const r = scoreNegotiation({ scenario: car, terms: { price: 8500 }, transcript: talk, status: 'completed' });
    const topics = r.feedback.items.map((i) => i.topic);
    for (const t of ['walk-away', 'first-offer', 'counter-offers', 'concessions', 'rationale', 'questions']) expect(topics).toContain(t);
    const first = r.feedback.items.find((i) => i.topic === 'first-offer')!;
    expect(first.text).toMatch(/They made the first offer/);
    expect(first.line).toEqual({ seq: 2, quote: expect.stringContaining('$7,500') });
    const questions = r.feedback.items.find((i) => i.topic === 'questions')!;
    expect(questions.kind).toBe('good');
    expect(r.feedback.next_time.length).toBeGreaterThan(20);
  });

  it('after a deal worse than the walk-away, the thing to try next time is checking the walk-away', () => {
    const r = scoreNegotiation({ scenario: car, terms: { price: 9900 }, transcript: talk, status: 'completed' });
    expect(r.feedback.items[0]).toMatchObject({ topic: 'walk-away', kind: 'mistake' });
    expect(r.feedback.next_time).toMatch(/walk-away \(price at most \$9,400\)/);
    const fine = scoreNegotiation({ scenario: car, terms: { price: 8500 }, transcript: talk, status: 'completed' });
    expect(fine.feedback.next_time).not.toMatch(/walk-away \(/);
  });

  it('a student who never asks and never proposes hears about it', () => {
    const quiet = chat('d-2', [
      ['ai', 'Hello, here is my offer: price $11,000.'],
      ['user', 'ok'],
    ]);
    const r = scoreNegotiation({ scenario: car, terms: null, transcript: quiet, status: 'expired' });
    expect(r.feedback.items.find((i) => i.topic === 'first-offer')).toMatchObject({ kind: 'mistake' });
    expect(r.feedback.items.find((i) => i.topic === 'questions')).toMatchObject({ kind: 'mistake' });
  });
});

describe('coaching on concessions', () => {
  it('one big concession that nothing answered is a mistake; small answered steps are a good move', () => {
    const jump = chat('d-3', [
      ['user', 'I can pay $7,200 for the car.'],
      ['ai', 'Price $10,900.'],
      ['user', 'Fine, $10,500 then.'],
    ]);
    const steps = chat('d-4', [
      ['user', 'I can pay $7,200 for the car.'],
      ['ai', 'Price $10,900.'],
      ['ai', 'Price $10,000.'],
      ['user', 'Thanks, I can do $7,800.'],
      ['ai', 'Price $9,300.'],
      ['user', 'I can do $8,100.'],
    ]);
    const big = scoreNegotiation({ scenario: car, terms: null, transcript: jump, status: 'expired' });
    const small = scoreNegotiation({ scenario: car, terms: null, transcript: steps, status: 'expired' });
    expect(big.feedback.items.find((i) => i.topic === 'concessions')).toMatchObject({ kind: 'mistake', line: { seq: 3 } });
    expect(small.feedback.items.find((i) => i.topic === 'concessions')).toMatchObject({ kind: 'good' });
  });
});

describe('debrief', () => {
  it("reveals the other side's walk-away and priorities, and draws the bargaining zone for one issue", () => {
    const d = buildDebrief({ scenario: car, meta: meta('used-car'), outcome: outcome({ price: 8500 }), transcript: talk });
    expect(d.ended).toBe('You reached a deal.');
    expect(d.them.walk_away).toEqual(['price at least $7,800']);
    expect(d.you.walk_away).toEqual(['price at most $9,400']);
    expect(d.them.name).toBe('Sam Rivera');
    expect(d.them.facts.length).toBeGreaterThan(0);
    expect(d.chart).toMatchObject({ kind: 'zone', zone: [7800, 9400], deal: 8500 });
    expect(d.deal).toEqual([{ label: 'Price', value: '$8,500' }]);
    expect(d.not_applicable).toEqual(['creating_value']);
    expect(d.feedback.items.length).toBeGreaterThan(3);
  });

  it('draws both sides’ values with the best possible packages for several issues', () => {
    const terms = { salary: 100000, signing_bonus: 5000, start_weeks: 8, remote_days: 2 };
    const d = buildDebrief({ scenario: salary, meta: meta('salary'), outcome: outcome(terms), transcript: [] });
    if (d.chart?.kind !== 'frontier') throw new Error('expected a frontier chart');
    expect(d.chart.frontier.length).toBeGreaterThan(3);
    expect(d.chart.frontier.length).toBeLessThanOrEqual(41);
    // the deal is inside the frontier: some best package is at least as good for both
    const deal = d.chart.deal!;
    expect(d.chart.frontier.some((p) => p.you >= deal.you && p.them >= deal.them)).toBe(true);
    expect(d.chart.your_walk_away).toBe(30);
    expect(d.them.priorities[0]).toEqual({ label: 'Base salary', points: 45 });
  });

  it('says who walked away in plain words', () => {
    const walked = [
      ...talk.slice(0, 3),
      { ...talk[3], kind: 'offer' as const, status: 'rejected' as const, content: 'Rejected the negotiation.' },
    ];
    const d = buildDebrief({ scenario: car, meta: meta('used-car'), outcome: outcome(null), transcript: walked });
    expect(d.ended).toBe('You walked away.');
    const them = buildDebrief({ scenario: car, meta: meta('used-car'), outcome: outcome(null), transcript: talk.slice(0, 3) });
    expect(them.ended).toBe('The other side walked away.');
    expect(them.chart).toMatchObject({ kind: 'zone', deal: null });
  });
});
