import { scoreNegotiation } from './scoring';
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

  it('without a deal: low claiming/creating explained by the BATNA, relationships still scored', () => {
    const walked = scoreNegotiation({ scenario: car, terms: null, transcript: polite, status: 'rejected' });
    expect(walked.final_score.claiming_value).toBeLessThanOrEqual(35);
    expect(walked.final_score.creating_value).toBe(0);
    expect(walked.score_explanations.claiming_value).toMatch(/BATNA/);
    // The AI's last proposal ($9,800) was worse than the student's $9,400 alternative: refusing was right.
    expect(walked.score_explanations.claiming_value).toMatch(/protected you/);
    const better = [...polite.slice(0, 4), { ...polite[4], content: 'I could do price $9,000.' }];
    const missed = scoreNegotiation({ scenario: car, terms: null, transcript: better, status: 'expired' });
    expect(missed.score_explanations.claiming_value).toMatch(/left value on the table/);
    expect(missed.final_score.claiming_value).toBeLessThan(walked.final_score.claiming_value);
    expect(walked.final_score.managing_relationships).toBeGreaterThan(70);
  });

  it('overall is the weighted mean of the three', () => {
    const r = scoreNegotiation({ scenario: car, terms: { price: 8600 }, transcript: polite, status: 'completed' });
    const w = car.score_weights;
    const expected = Math.round(
      (w.claiming_value * r.final_score.claiming_value +
        w.creating_value * r.final_score.creating_value +
        w.managing_relationships * r.final_score.managing_relationships) /
        (w.claiming_value + w.creating_value + w.managing_relationships),
    );
    expect(r.final_score.overall).toBe(expected);
    expect(r.score_explanations.overall).toMatch(/50% claiming/);
  });
});
