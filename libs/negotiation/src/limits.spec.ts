import { enforceLimits, scrubSecrets, validateTerms } from './limits';
import { chat, input, loadBuiltin, party } from './test-helpers';
import { AiTurn } from './types';
import { acceptableTo, sideUtility } from './utility';

const salary = loadBuiltin('salary');
const car = loadBuiltin('used-car');
const meta = { model: 'gpt-x', reasoning: 'ok', negotiation_state: 'discussion' as const, confidence: 0.5 };
const turn = (t: Partial<AiTurn>): AiTurn => ({ content: 'Sure.', metadata: { ...meta }, ...t });
const base = input(
  car,
  chat('g-1', [
    ['ai', 'Hi'],
    ['user', 'please'],
  ]),
  { aiState: party('ai', { price: 10000 }) },
);

describe('validateTerms', () => {
  it('names unknown, missing, non-numeric and out-of-range issues', () => {
    expect(validateTerms(salary, { salary: 95000, signing_bonus: 0, start_weeks: 4, remote_days: 2 })).toBeNull();
    expect(validateTerms(salary, { salary: 95000, signing_bonus: 0, start_weeks: 4, remote_days: 2, car: 1 })).toMatch(
      /unknown issue "car"/,
    );
    expect(validateTerms(salary, { salary: 95000, signing_bonus: 0, start_weeks: 4 })).toMatch(/missing issue "remote_days"/);
    expect(validateTerms(salary, { salary: '95k', signing_bonus: 0, start_weeks: 4, remote_days: 2 })).toMatch(
      /Base salary must be a number/,
    );
    expect(validateTerms(salary, { salary: 95000, signing_bonus: 0, start_weeks: 4, remote_days: 6 })).toMatch(
      /Remote days must be between 0 and 5 \(got 6\)/,
    );
    expect(validateTerms(salary, null)).toMatch(/object/);
  });
});

describe('enforceLimits', () => {
  it('drops an accept below the reservation and counters instead', () => {
    const out = enforceLimits(car, turn({ content: 'Deal at $6,000!', accept: { price: 6000 } }), base);
    expect(out.accept).toBeUndefined();
    expect(out.offer).toEqual({ price: 10000 });
    expect(out.content).toMatch(/can't agree/);
    expect(out.content).not.toContain('6,000');
  });

  it('drops an accept that crosses a hard limit even when the utility would be fine', () => {
    const terms = { salary: 125000, signing_bonus: 0, start_weeks: 1, remote_days: 0 };
    expect(sideUtility(salary, 'ai', terms)).toBeGreaterThan(salary.ai_private.reservation_utility);
    const out = enforceLimits(salary, turn({ accept: terms }), input(salary, []));
    expect(out.accept).toBeUndefined();
    expect(acceptableTo(salary, 'ai', out.offer!)).toBe(true);
  });

  it('lets an acceptable accept through and drops a contradicting offer', () => {
    const out = enforceLimits(car, turn({ accept: { price: 9500 }, offer: { price: 9000 } }), base);
    expect(out.accept).toEqual({ price: 9500 });
    expect(out.offer).toBeUndefined();
  });

  it('forceAccept lets the agreed terms through', () => {
    const forced = input(car, [], { forceAccept: true, studentState: party('buyer', { price: 6000 }, 'agreed') });
    expect(enforceLimits(car, turn({ accept: { price: 6000 } }), forced).accept).toEqual({ price: 6000 });
  });

  it('repairs an offer that is out of range, incomplete, crosses a limit or sits on it', () => {
    const a = enforceLimits(car, turn({ content: 'I can do $6,500.', offer: { price: 6500 } }), base);
    expect(a.offer!.price).toBeGreaterThan(7800);
    expect(a.content).not.toContain('6,500');
    expect(a.content).toMatch(/To be precise, my proposal is price \$/);
    const b = enforceLimits(car, turn({ content: 'My price: 7,800.', offer: { price: 7800 } }), base);
    expect(b.offer!.price).toBeGreaterThan(7800);
    expect(b.content).not.toContain('7,800');
    const c = enforceLimits(salary, turn({ offer: { salary: 140000 } as never }), input(salary, []));
    expect(Object.keys(c.offer!).sort()).toEqual(['remote_days', 'salary', 'signing_bonus', 'start_weeks']);
    expect(acceptableTo(salary, 'ai', c.offer!)).toBe(true);
  });

  it('scrubs sentences that state a limit or the reservation, keeping the rest', () => {
    const out = enforceLimits(
      car,
      turn({
        content: 'I love this car. My bottom line is $7,800. Make me an offer.',
        metadata: { ...meta, reasoning: 'Reservation is 0.2 (20%), limit 7800. Countering.' },
        offer: { price: 10000 },
      }),
      base,
    );
    expect(out.content).toBe("I love this car. I'd rather not get into our internal numbers. Make me an offer.");
    expect(out.metadata.reasoning).not.toMatch(/7800|0\.2|20%/);
    expect(out.metadata.reasoning).toContain('Countering.');
    expect(scrubSecrets(salary, 'We could do 112k if you start now.', [], '[x]')).toBe('[x]');
    expect(scrubSecrets(salary, 'We could do 105k if you start now.', [], '[x]')).toBe('We could do 105k if you start now.');
  });
});
