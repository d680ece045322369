import { scoreNegotiation, scoreParties } from './scoring';
import { NOT_APPLICABLE } from './walk-away';
import { chat, loadBuiltin } from './test-helpers';

const salary = loadBuiltin('salary');
const car = loadBuiltin('used-car');
const polite = chat('s-1', [
  ['ai', 'Hello, here is my offer: price $11,000.'],
  ['user', 'Thanks for meeting me! What matters most to you in selling the car? Why now?'],
  ['ai', 'I am moving. Price $10,500.'],
  ['user', 'I appreciate that. I could pay $8,000 for the car.'],
  ['ai', 'I could do price $9,800.'],
  ['user', 'Thank you, I can go to $8,600.'],
  ['ai', 'Deal.'],
  ['user', 'Great, thanks, a pleasure!'],
]);

describe('scoreNegotiation', () => {
  it('gives more claiming value for a better price, and explains with numbers', () => {
    const cheap = scoreNegotiation({ scenario: car, terms: { price: 8000 }, transcript: polite, status: 'completed' });
    const dear = scoreNegotiation({ scenario: car, terms: { price: 9200 }, transcript: polite, status: 'completed' });
    expect(cheap.final_score.claiming_value).toBeGreaterThan(dear.final_score.claiming_value);
    expect(cheap.final_score.claiming_value).toBe(88); // (9400 - 8000) / (9400 - 7800)
    expect(cheap.score_explanations.claiming_value).toContain('price $8,000 (88%)');
    expect(cheap.score_explanations.claiming_value).not.toContain('7,800'); // the AI's limit stays private
    for (const v of Object.values(cheap.final_score)) expect(v).toBeGreaterThanOrEqual(0);
  });

  it('rewards logrolling: trading start date for remote days creates more joint value than splitting each issue', () => {
    const split = scoreNegotiation({
      scenario: salary,
      terms: { salary: 100000, signing_bonus: 5000, start_weeks: 8, remote_days: 2 },
      transcript: [],
      status: 'completed',
    });
    const logrolled = scoreNegotiation({
      scenario: salary,
      terms: { salary: 100000, signing_bonus: 5000, start_weeks: 2, remote_days: 5 },
      transcript: [],
      status: 'completed',
    });
    expect(logrolled.final_score.creating_value).toBeGreaterThan(split.final_score.creating_value + 20);
    expect(split.score_explanations.creating_value).toMatch(/could have given both sides more/);
  });

  it('scores relationships from transparent rules: questions, reciprocity, courtesy vs threats and insults', () => {
    const nice = scoreNegotiation({ scenario: car, terms: { price: 8600 }, transcript: polite, status: 'completed' });
    const rude = scoreNegotiation({
      scenario: car,
      terms: { price: 8600 },
      transcript: chat('s-2', [
        ['ai', 'Price $11,000.'],
        ['user', 'That is ridiculous. $7,000, take it or leave it.'],
        ['ai', 'Price $10,500.'],
        ['user', '$7,000. Last chance or I walk.'],
        ['ai', 'Price $10,000.'],
        ['user', '$7,000, final.'],
      ]),
      status: 'completed',
    });
    expect(nice.final_score.managing_relationships).toBeGreaterThan(80);
    expect(rude.final_score.managing_relationships).toBeLessThan(40);
    expect(nice.score_explanations.managing_relationships).toMatch(/\+4 for 1 question/);
    expect(nice.score_explanations.managing_relationships).toMatch(/concession\(s\) answering theirs/);
    expect(rude.score_explanations.managing_relationships).toMatch(/−16 for 2 threat\(s\) \("That is ridiculous/);
    expect(rude.score_explanations.managing_relationships).toMatch(/3 proposals that never moved/);
  });

  it('without a deal: a refusal of terms worse than the walk-away scores above leaving value on the table', () => {
    const walked = scoreNegotiation({ scenario: car, terms: null, transcript: polite, status: 'rejected' });
    // The AI's last proposal ($9,800) was worse than the student's $9,400 alternative: refusing was right.
    expect(walked.verdict).toBe('refused_worse_offer');
    expect(walked.score_explanations.claiming_value).toMatch(/protected you/);
    expect(walked.score_explanations.claiming_value).toContain('$9,400');
    const better = [...polite.slice(0, 4), { ...polite[4], content: 'I could do price $9,000.' }];
    const missed = scoreNegotiation({ scenario: car, terms: null, transcript: better, status: 'expired' });
    expect(missed.verdict).toBe('left_zone_on_table');
    expect(missed.score_explanations.claiming_value).toMatch(/left value on the table/);
    expect(missed.final_score.claiming_value).toBeLessThan(walked.final_score.claiming_value);
    expect(walked.final_score.managing_relationships).toBeGreaterThan(70);
  });

  it('overall is the weighted mean of the dimensions that apply', () => {
    const terms = { salary: 100000, signing_bonus: 5000, start_weeks: 3, remote_days: 3 };
    const r = scoreNegotiation({ scenario: salary, terms, transcript: polite, status: 'completed' });
    const w = salary.score_weights;
    const expected = Math.round(
      (w.claiming_value * r.final_score.claiming_value +
        w.creating_value * r.final_score.creating_value +
        w.managing_relationships * r.final_score.managing_relationships) /
        (w.claiming_value + w.creating_value + w.managing_relationships),
    );
    expect(r.final_score.overall).toBe(expected);
    expect(r.score_explanations.overall).toMatch(/35% claiming/);
    // with one issue creating value does not apply: overall is claiming and relationships only
    const c = scoreNegotiation({ scenario: car, terms: { price: 8600 }, transcript: polite, status: 'completed' });
    const cw = car.score_weights;
    expect(c.final_score.overall).toBe(
      Math.round(
        (cw.claiming_value * c.final_score.claiming_value + cw.managing_relationships * c.final_score.managing_relationships) /
          (cw.claiming_value + cw.managing_relationships),
      ),
    );
  });
});

describe('scores anchored to the walk-away (issue 13, first list)', () => {
  const chemical = loadBuiltin('chemical-supply');

  it('a car bought above the alternative: claiming 0, marked as worse, and overall below refusing', () => {
    const dear = scoreNegotiation({ scenario: car, terms: { price: 9800 }, transcript: polite, status: 'completed' });
    const refused = scoreNegotiation({ scenario: car, terms: null, transcript: polite, status: 'rejected' });
    expect(dear.verdict).toBe('deal_worse_than_walk_away');
    expect(dear.final_score.claiming_value).toBe(0);
    expect(dear.final_score.overall).toBeLessThan(refused.final_score.overall);
    expect(dear.score_explanations.claiming_value).toMatch(/worse than your walk-away \(price \$9,800 is above your limit of \$9,400\)/);
    expect(dear.score_explanations.overall).toMatch(/^Deal reached, but worse than your walk-away/);
    // and a price within the walk-away scores better overall than that bad deal
    const fine = scoreNegotiation({ scenario: car, terms: { price: 9300 }, transcript: polite, status: 'completed' });
    expect(fine.final_score.overall).toBeGreaterThan(dear.final_score.overall);
  });

  it('a salary below the stated floor is flagged and scores overall below a no-deal', () => {
    const terms = { salary: 88000, signing_bonus: 10000, start_weeks: 6, remote_days: 3 };
    const low = scoreNegotiation({ scenario: salary, terms, transcript: polite, status: 'completed' });
    const none = scoreNegotiation({ scenario: salary, terms: null, transcript: polite, status: 'rejected' });
    expect(low.verdict).toBe('deal_worse_than_walk_away');
    expect(low.score_explanations.overall).not.toMatch(/^Deal reached;/);
    expect(low.score_explanations.claiming_value).toContain('$90,000/year');
    expect(low.final_score.overall).toBeLessThan(none.final_score.overall);
  });

  it('a chemical price above the limit is flagged and scores overall below a no-deal', () => {
    const terms = { price: 50, quantity: 800, delivery_weeks: 2 };
    const over = scoreNegotiation({ scenario: chemical, terms, transcript: polite, status: 'completed' });
    const none = scoreNegotiation({ scenario: chemical, terms: null, transcript: polite, status: 'rejected' });
    const ok = scoreNegotiation({ scenario: chemical, terms: { ...terms, price: 44 }, transcript: polite, status: 'completed' });
    expect(over.verdict).toBe('deal_worse_than_walk_away');
    expect(over.final_score.creating_value).toBeLessThan(ok.final_score.creating_value);
    expect(over.final_score.overall).toBeLessThan(none.final_score.overall);
    expect(ok.final_score.overall).toBeGreaterThan(over.final_score.overall);
  });

  it('being walked out on over insults scores below a good-faith student without a deal', () => {
    const insults = chat('s-ins', [
      ['ai', 'Hello, here is my offer: price $11,000.'],
      ['user', 'You are an idiot. $5,000.'],
      ['ai', 'That is far from workable. Price $10,800.'],
      ['user', '$5,000, take it or leave it, clown.'],
      ['ai', "Insults aren't going to get us to a deal. I'm ending this negotiation."],
    ]);
    const goodFaith = chat('s-gf', [
      ['ai', 'Hello, here is my offer: price $11,000.'],
      ['user', 'Thanks! What matters most to you in the sale? I could pay $8,000.'],
      ['ai', 'Price $10,500.'],
      ['user', 'I appreciate it. I can go to $8,500 because a dealer has a similar car.'],
      ['ai', "We're too far apart; I'm ending the negotiation here."],
    ]);
    const out = scoreNegotiation({ scenario: car, terms: null, transcript: insults, status: 'rejected' });
    const fair = scoreNegotiation({ scenario: car, terms: null, transcript: goodFaith, status: 'rejected' });
    expect(out.verdict).toBe('walked_out_on');
    expect(out.score_explanations.claiming_value).toMatch(/walked out over how you negotiated/);
    expect(out.final_score.claiming_value).toBeLessThan(fair.final_score.claiming_value);
    expect(out.final_score.overall).toBeLessThan(fair.final_score.overall);
  });

  it('pasting the same friendly line over and over does not raise relationships (each line counts once)', () => {
    const pasted = 'Thanks so much! Price matters most to me. What matters most to you?';
    const base: ['user' | 'ai', string][] = [
      ['ai', 'Hello, here is my offer: price $11,000.'],
      ['user', pasted],
    ];
    const once = chat('s-once', [...base, ['ai', 'Price $10,500.'], ['user', 'I can pay $8,600.']]);
    const many = chat('s-many', [
      ...base,
      ...Array.from({ length: 8 }, (_, i): ['user' | 'ai', string][] => [
        ['ai', `Price $${10500 - i * 100}.`],
        ['user', i % 2 ? pasted.toUpperCase() : pasted],
      ]).flat(),
      ['ai', 'Price $9,700.'],
      ['user', 'I can pay $8,600.'],
    ]);
    const a = scoreNegotiation({ scenario: car, terms: { price: 8600 }, transcript: once, status: 'completed' });
    const b = scoreNegotiation({ scenario: car, terms: { price: 8600 }, transcript: many, status: 'completed' });
    expect(b.final_score.managing_relationships).toBeLessThanOrEqual(a.final_score.managing_relationships);
    expect(b.final_score.overall).toBeLessThanOrEqual(a.final_score.overall);
    expect(b.score_explanations.managing_relationships).toMatch(/\+4 for 1 question/);
  });

  it('politely naming the alternative is not a threat and scores no lower than a terse student', () => {
    const named = chat('s-alt', [
      ['ai', 'Hello, here is my offer: price $11,000.'],
      ['user', 'I can pay $8,000 for the car.'],
      ['ai', 'Price $10,000.'],
      ['user', "I could go to $8,600. If we can't get there I'll have to walk away, I have another offer nearby."],
    ]);
    const terse = chat('s-terse', [
      ['ai', 'Hello, here is my offer: price $11,000.'],
      ['user', '$8,000.'],
      ['ai', 'Price $10,000.'],
      ['user', '$8,600.'],
    ]);
    const polite = scoreNegotiation({ scenario: car, terms: { price: 8600 }, transcript: named, status: 'completed' });
    const flat = scoreNegotiation({ scenario: car, terms: { price: 8600 }, transcript: terse, status: 'completed' });
    expect(polite.final_score.managing_relationships).toBeGreaterThanOrEqual(flat.final_score.managing_relationships);
    expect(polite.score_explanations.managing_relationships).not.toMatch(/threat/);
    const conduct = polite.relationships.find((d) => d.key === 'conduct')!;
    expect(conduct.points).toBe(0);
    // an ultimatum is still a threat
    const ultimatum = [...terse.slice(0, 3), { ...terse[3], content: '$8,600, take it or leave it.' }];
    const hard = scoreNegotiation({ scenario: car, terms: { price: 8600 }, transcript: ultimatum, status: 'completed' });
    expect(hard.final_score.managing_relationships).toBeLessThan(flat.final_score.managing_relationships);
  });

  it('creating value does not apply to a single-issue deal, whatever the price', () => {
    for (const price of [7900, 8600, 9300]) {
      const r = scoreNegotiation({ scenario: car, terms: { price }, transcript: polite, status: 'completed' });
      expect(r.not_applicable).toEqual(['creating_value']);
      expect(r.score_explanations.creating_value.startsWith(NOT_APPLICABLE)).toBe(true);
      expect(r.score_explanations.overall).toMatch(/creating value does not apply/);
    }
    const multi = scoreNegotiation({
      scenario: salary,
      terms: { salary: 100000, signing_bonus: 5000, start_weeks: 3, remote_days: 3 },
      transcript: polite,
      status: 'completed',
    });
    expect(multi.not_applicable).toEqual([]);
  });

  it('relationship dimensions each quote their evidence lines', () => {
    const r = scoreNegotiation({ scenario: car, terms: { price: 8600 }, transcript: polite, status: 'completed' });
    const keys = r.relationships.map((d) => d.key);
    expect(keys).toEqual(['courtesy', 'interests', 'information', 'reciprocity', 'conduct']);
    const interests = r.relationships.find((d) => d.key === 'interests')!;
    expect(interests.evidence[0]).toEqual({ seq: 2, quote: expect.stringContaining('What matters most to you') });
    expect(r.relationships.find((d) => d.key === 'courtesy')!.evidence.length).toBeGreaterThan(0);
  });

  it('explanations use plain words: no "utility", no "BATNA"', () => {
    const cases = [
      scoreNegotiation({ scenario: car, terms: { price: 8600 }, transcript: polite, status: 'completed' }),
      scoreNegotiation({ scenario: car, terms: null, transcript: polite, status: 'rejected' }),
      scoreNegotiation({
        scenario: salary,
        terms: { salary: 100000, signing_bonus: 5000, start_weeks: 8, remote_days: 2 },
        transcript: [],
        status: 'completed',
      }),
      scoreNegotiation({ scenario: salary, terms: null, transcript: [], status: 'expired' }),
    ];
    for (const r of cases) for (const text of Object.values(r.score_explanations)) expect(text).not.toMatch(/utility|BATNA/i);
  });

  it('the same scorer scores the other party from its own brief (peer role-play)', () => {
    const low = { price: 8000 };
    const high = { price: 9200 };
    const buyerLow = scoreNegotiation({ scenario: car, terms: low, transcript: polite, status: 'completed' });
    const buyerHigh = scoreNegotiation({ scenario: car, terms: high, transcript: polite, status: 'completed' });
    const sellerLow = scoreNegotiation({ scenario: car, terms: low, transcript: polite, status: 'completed', party: 'ai' });
    const sellerHigh = scoreNegotiation({ scenario: car, terms: high, transcript: polite, status: 'completed', party: 'ai' });
    expect(buyerLow.final_score.claiming_value).toBeGreaterThan(buyerHigh.final_score.claiming_value);
    expect(sellerHigh.final_score.claiming_value).toBeGreaterThan(sellerLow.final_score.claiming_value);
    // a seller at $7,500 is below its own limit: judged from the seller's brief, not the buyer's
    const sellerBad = scoreNegotiation({ scenario: car, terms: { price: 7500 }, transcript: polite, status: 'completed', party: 'ai' });
    expect(sellerBad.verdict).toBe('deal_worse_than_walk_away');
    // the seller's relationship score reads the seller's lines
    expect(sellerLow.final_score.managing_relationships).not.toBe(buyerLow.final_score.managing_relationships);
  });

  it('peer role-play: each student is scored from their own brief and their own lines', () => {
    const lines = chat('s-peer', [
      ['ai', 'placeholder'],
      ['user', 'placeholder'],
    ]);
    const transcript = [
      {
        ...lines[0],
        sender_type: 'user' as const,
        sender: 'bea@uni.edu',
        content: 'Hello! What matters most to you? I ask $10,500 for the car.',
      },
      { ...lines[1], sender_type: 'user' as const, sender: 'cal@uni.edu', content: '$9,800, take it or leave it.' },
    ];
    const parties = [
      { user: 'bea@uni.edu', role: 'seller' },
      { user: 'cal@uni.edu', role: 'buyer' },
    ];
    const scores = scoreParties({ scenario: car, terms: { price: 9800 }, transcript, status: 'completed' }, parties);
    expect(scores['cal@uni.edu'].verdict).toBe('deal_worse_than_walk_away');
    expect(scores['bea@uni.edu'].verdict).toBe('deal');
    expect(scores['bea@uni.edu'].final_score.managing_relationships).toBeGreaterThan(
      scores['cal@uni.edu'].final_score.managing_relationships,
    );
  });
});
