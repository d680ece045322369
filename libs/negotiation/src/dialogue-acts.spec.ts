import { BuiltinEngine } from './builtin-engine';
import { classifyMessage } from './dialogue-acts';
import { normalizeNumbers } from './numbers';
import { chat, input, loadBuiltin, party } from './test-helpers';
import { parseOfferDetails, parseOfferFromText } from './text-parse';
import { utility } from './utility';
import { sentenceKey, splitSentences } from './wording';

const engine = new BuiltinEngine();
const salary = loadBuiltin('salary');
const car = loadBuiltin('used-car');
const chem = loadBuiltin('chemical-supply');
const NOW = Date.UTC(2026, 0, 5);
const SALARY_OPEN = { salary: 85000, signing_bonus: 0, start_weeks: 2, remote_days: 0 };
const CHEM_OPEN = { price: 55, quantity: 1000, delivery_weeks: 10 };

describe('numbers as people write them (issue 12)', () => {
  it.each([
    ['ninety-two thousand', '92000'],
    ['a hundred and five thousand', '105000'],
    ['eight thousand five hundred', '8500'],
    ['7,5k', '7.5k'],
    ['twelve hundred', '1200'],
  ])('normalizes "%s"', (text, expected) => {
    expect(normalizeNumbers(text)).toBe(expected);
  });

  it('reads "ninety-two thousand" as one salary, not 90,000 plus a 2,000 bonus', () => {
    expect(parseOfferFromText(salary, 'I would accept ninety-two thousand.', NOW)).toEqual({ salary: 92000 });
  });

  it('reads "90-95k" as a salary range, not a $90 bonus', () => {
    const parsed = parseOfferDetails(salary, 'I am looking for 90-95k base.', NOW);
    expect(parsed.ranges).toEqual({ salary: [90000, 95000] });
    expect(parsed.terms.signing_bonus).toBeUndefined();
    // The end that favours the AI (the employer wants a low salary).
    expect(parsed.terms.salary).toBe(90000);
  });

  it('reads "fully remote" and "hybrid, 2 days in office"', () => {
    expect(parseOfferFromText(salary, 'I need the role to be fully remote.', NOW)).toEqual({ remote_days: 5 });
    expect(parseOfferFromText(salary, 'Hybrid, 2 days in office, would be fine.', NOW)).toEqual({ remote_days: 3 });
  });

  it('reads a decimal comma: "7,5k" is 7,500', () => {
    expect(parseOfferFromText(salary, 'A signing bonus of 7,5k would help.', NOW)).toEqual({ signing_bonus: 7500 });
  });

  it('reads currency symbols, K and thousands separators', () => {
    expect(parseOfferFromText(car, 'I could pay €8.2K', NOW)).toEqual({ price: 8200 });
    expect(parseOfferFromText(salary, '$101,500 base', NOW)).toEqual({ salary: 101500 });
  });
});

describe('dialogue acts (issue 12)', () => {
  it('a conditional partial offer with a question is not an acceptance', () => {
    const acts = classifyMessage(chem, 'We could take 800 units if delivery is within 2 weeks. What price could you do for that?', NOW);
    expect(acts.acts.has('conditional')).toBe(true);
    expect(acts.acts.has('question')).toBe(true);
    expect(acts.acts.has('acceptance')).toBe(false);
    expect(acts.proposal).toEqual({ quantity: 800, delivery_weeks: 2 });
    expect(acts.complete).toBe(false);
    expect(acts.askedIssues).toEqual(['price']);
  });

  it('"that works if you add …" is a conditional proposal on the AI offer, not an acceptance', () => {
    const acts = classifyMessage(salary, 'That works if you add a 5k signing bonus.', NOW);
    expect(acts.acts.has('acceptance')).toBe(false);
    expect(acts.acts.has('conditional')).toBe(true);
    expect(acts.buildsOnAiOffer).toBe(true);
    expect(acts.proposal).toEqual({ signing_bonus: 5000 });
  });

  it('a mention of an alternative is information, not an offer', () => {
    const acts = classifyMessage(car, 'A dealer has one for $9,400.', NOW);
    expect(acts.acts.has('alternative')).toBe(true);
    expect(acts.proposal).toEqual({});
    expect(acts.alternative).toEqual({ price: 9400 });
  });

  it('a self-deprecating apology is not abuse; an insult aimed at the AI is', () => {
    expect(classifyMessage(car, "Sorry, I'm an idiot with numbers, I meant 9,000.", NOW).acts.has('abuse')).toBe(false);
    expect(classifyMessage(car, "Sorry, I'm an idiot with numbers, I meant 9,000.", NOW).acts.has('apology')).toBe(true);
    expect(classifyMessage(car, 'You are an idiot.', NOW).acts.has('abuse')).toBe(true);
    expect(classifyMessage(car, 'Sorry, that was a stupid question of mine.', NOW).acts.has('abuse')).toBe(false);
    expect(classifyMessage(car, 'Sorry, that was a stupid question.', NOW).acts.has('abuse')).toBe(false);
    expect(classifyMessage(car, 'Sorry, but you are being stupid.', NOW).acts.has('abuse')).toBe(true);
  });

  it('"Deal" is an acceptance; "deal?" and "no deal" are not', () => {
    expect(classifyMessage(car, "Deal, I'll take it!", NOW).acts.has('acceptance')).toBe(true);
    expect(classifyMessage(car, 'Deal?', NOW).acts.has('acceptance')).toBe(false);
    expect(classifyMessage(car, 'No deal.', NOW).acts.has('acceptance')).toBe(false);
  });
});

describe('the built-in counterpart on the messages quoted in issue 12', () => {
  it('answers a conditional partial offer with a full counter built around their package; no "Deal"', async () => {
    const turn = await engine.respond(
      input(
        chem,
        chat('q-1', [
          ['ai', 'Hello'],
          ['user', 'We could take 800 units if delivery is within 2 weeks. What price could you do for that?'],
        ]),
        { aiState: party('ai', CHEM_OPEN) },
      ),
    );
    expect(turn.accept).toBeUndefined();
    expect(turn.content).not.toMatch(/\bdeal\b/i);
    // A full package comes back (every issue, with a price), and the reply speaks to their package.
    expect(Object.keys(turn.offer!).sort()).toEqual(['delivery_weeks', 'price', 'quantity']);
    expect(turn.offer!.price).toBeGreaterThan(48);
    expect(turn.content).toMatch(/price per unit \$\d/);
    expect(turn.content).toMatch(/800 units/);
  });

  it('"that works if you add …" is weighed as a new package, not accepted as the standing offer', async () => {
    const turn = await engine.respond(
      input(
        salary,
        chat('q-2', [
          ['ai', 'Hello'],
          ['user', 'That works if you add a 15k signing bonus and 5 remote days.'],
        ]),
        { aiState: party('ai', SALARY_OPEN) },
      ),
    );
    expect(turn.accept).toBeUndefined();
    expect(turn.offer).toBeDefined();
  });

  it('answers a question about one issue with its value on that issue, not a remark about another', async () => {
    const turn = await engine.respond(
      input(
        salary,
        chat('q-3', [
          ['ai', 'Hello'],
          ['user', 'What base salary did you have in mind?'],
        ]),
        { aiState: party('ai', SALARY_OPEN) },
      ),
    );
    expect(turn.accept).toBeUndefined();
    expect(turn.content).toMatch(/base salary/i);
    expect(turn.content).toMatch(/\$85,000/);
  });

  it.each([
    ['Why are you selling it?', /moving abroad/],
    ['Have there been any accidents?', /No accidents/],
  ])('answers "%s" from the persona', async (question, answer) => {
    const turn = await engine.respond(
      input(
        car,
        chat('q-4', [
          ['ai', 'Hello'],
          ['user', question],
        ]),
        { aiState: party('ai', { price: 11000 }) },
      ),
    );
    expect(turn.content).toMatch(answer);
    expect(turn.offer).toEqual({ price: 11000 }); // a question moves no terms
  });

  it('does not read "a dealer has one for $9,400" as an offer', async () => {
    const turn = await engine.respond(
      input(
        car,
        chat('q-5', [
          ['ai', 'Hello'],
          ['user', 'A dealer has one for $9,400.'],
        ]),
        { aiState: party('ai', { price: 11000 }) },
      ),
    );
    expect(turn.accept).toBeUndefined();
    expect(turn.offer).toEqual({ price: 11000 });
    expect(turn.content).toMatch(/options|alternatives|compare/);
  });

  it('a question that carries a number is answered as a proposal', async () => {
    const turn = await engine.respond(
      input(
        car,
        chat('q-6', [
          ['ai', 'Hello'],
          ['user', 'Would you take $8,900?'],
        ]),
        { aiState: party('ai', { price: 11000 }) },
      ),
    );
    expect(turn.content).toMatch(/\$8,900/);
    expect(turn.offer!.price).toBeLessThan(11000);
  });

  it('holds a retractor to their best offer', async () => {
    const lines: ['user' | 'ai', string][] = [
      ['ai', 'Hello'],
      ['user', 'I can pay $9,300 for the car.'],
      ['ai', 'Counter'],
      ['user', 'Actually, I can only pay $8,600 for the car.'],
    ];
    const turn = await engine.respond(input(car, chat('q-7', lines), { aiTurns: 8, aiState: party('ai', { price: 9350 }) }));
    expect(turn.accept).toBeUndefined();
    expect(turn.content).toMatch(/\$9,300/);
    expect(turn.offer!.price).toBeGreaterThanOrEqual(9300);
  });

  it('counters differently to very different first offers: a more reasonable offer gets a bigger step', async () => {
    const firstCounter = async (price: string) => {
      const lines: ['user' | 'ai', string][] = [
        ['ai', 'Hello'],
        ['user', `I can pay ${price} for the car.`],
      ];
      const turn = await engine.respond(input(car, chat(`first-${price}`, lines), { aiTurns: 1, aiState: party('ai', { price: 11000 }) }));
      return turn.offer!.price;
    };
    const [low, high] = [await firstCounter('$6,800'), await firstCounter('$9,300')];
    expect(high).toBeLessThan(low);
    expect(low).toBeLessThan(11000);
  });

  it('an apology with a self-deprecating word does not end the negotiation', async () => {
    const turn = await engine.respond(
      input(
        car,
        chat('q-8', [
          ['ai', 'Hello'],
          ['user', "Sorry, I'm an idiot with numbers. I meant $9,000 for the car."],
        ]),
        { aiState: party('ai', { price: 11000 }) },
      ),
    );
    expect(turn.walk_away).toBeUndefined();
    expect(turn.content).toMatch(/apologise|No problem|happen/);
  });

  it('reads spelled-out numbers, ranges, "fully remote", "hybrid" and decimal commas in a negotiation', async () => {
    const t = (text: string) =>
      engine.respond(
        input(
          salary,
          chat('q-9', [
            ['ai', 'Hello'],
            ['user', text],
          ]),
          { aiState: party('ai', SALARY_OPEN) },
        ),
      );
    const spelled = await t('I was hoping for ninety-two thousand, fully remote, a 7,5k signing bonus and a start in 6 weeks.');
    expect(spelled.walk_away).toBeUndefined();
    expect(spelled.accept).toBeUndefined();
    expect(spelled.content).toMatch(/\$92,000/);
    const range = await t('Somewhere in the 90-95k range would work.');
    expect(range.content).toMatch(/\$90,000\/year to \$95,000\/year/);
    expect(range.offer!.signing_bonus).not.toBe(90);
  });

  it('shares its own priorities when the student shares theirs', async () => {
    const turn = await engine.respond(
      input(
        salary,
        chat('q-10', [
          ['ai', 'Hello'],
          ['user', 'Remote days matter most to me; I am flexible on the start date. What matters most to you?'],
        ]),
        { aiState: party('ai', SALARY_OPEN) },
      ),
    );
    expect(turn.content).toMatch(/base salary/i);
    expect(turn.content).toMatch(/signing bonus/i);
  });

  it('greets and opens a new negotiation with a reason and a question; a student opening with a number gets an answer to it', async () => {
    const open = await engine.respond(input(car, []));
    expect(open.content).toMatch(/Sam Rivera/);
    expect(open.offer).toEqual({ price: 11000 });
    expect(splitSentences(open.content).length).toBeGreaterThanOrEqual(3);
    const first = await engine.respond(input(car, chat('q-11', [['user', "Hi! I'd pay $8,000 for the car."]])));
    expect(first.content).toMatch(/\$8,000/);
    expect(first.offer!.price).toBeLessThan(11000);
  });

  it('leaks no deadline through metadata: reasoning is public and the state follows the conversation', async () => {
    const lines: ['user' | 'ai', string][] = [['ai', 'Hello']];
    for (let i = 0; i < salary.ai_private.deadline_turns - 2; i++) lines.push(['user', 'Tell me more about the team?'], ['ai', 'Sure.']);
    lines.push(['user', 'Tell me about the benefits?']);
    const turn = await engine.respond(input(salary, chat('q-12', lines), { aiState: party('ai', SALARY_OPEN) }));
    expect(turn.metadata.reasoning).not.toMatch(/deadline|turn|time|round/i);
    expect(turn.metadata.negotiation_state).not.toBe('closing');
  });

  it('never concedes to a stonewaller and never jumps to its floor', async () => {
    const lines: ['user' | 'ai', string][] = [['ai', 'Hello']];
    let aiPrice = 11000;
    let walked = false;
    for (let i = 0; i < car.ai_private.deadline_turns && !walked; i++) {
      lines.push(['user', 'I can pay $7,400 for the car.']);
      const turn = await engine.respond(input(car, chat('q-13', lines), { aiState: party('ai', { price: aiPrice }) }));
      expect(turn.accept).toBeUndefined();
      if (turn.walk_away) walked = true;
      else {
        expect(utility(car.ai_private.prefs, turn.offer!)).toBeGreaterThan(0.6);
        aiPrice = turn.offer!.price;
        lines.push(['ai', turn.content]);
      }
    }
    expect(walked).toBe(true);
    const said = lines.filter(([who]) => who === 'ai').flatMap(([, c]) => splitSentences(c).map(sentenceKey));
    expect(new Set(said).size).toBe(said.length);
  });
});
