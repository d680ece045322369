import { Terms } from '@parley/contracts';
import { loadBuiltin } from '../test-helpers';
import { sideUtility } from '../utility';
import { describeTerms } from '../wording';
import { playEpisode } from './harness';
import { StudentStrategy } from './strategies';

const car = loadBuiltin('used-car');
const price = (p: number): Terms => ({ price: p });

/** A buyer who opens at $7,200 and raises by $150 a round up to `cap`, optionally claiming a cheaper car elsewhere. */
function buyer(name: string, cap: number, bluff: boolean, from = 7200): StudentStrategy {
  return {
    name,
    describe: name,
    next(v) {
      const offer = Math.min(cap, from + 150 * v.round);
      if (v.aiOffer && v.aiOffer.price <= offer) return { text: 'Okay, agreed.', agree: true };
      const mine = `I'd do ${describeTerms(car, price(offer))}.`;
      return { text: bluff ? `Another seller offers me ${describeTerms(car, price(7000))}, so you'll have to do better. ${mine}` : mine };
    },
  };
}

describe('the AI weighs what a student does, not what they claim', () => {
  it('at its deadline takes a deal above its walk-away from a student who came a fair way, not from one who never moved', () => {
    // Creeps up to $8,100 and holds there: above the AI's reservation, below what its tactic would accept earlier.
    const mover = playEpisode(car, buyer('mover', 8100, false), 1);
    expect(mover.deal).not.toBeNull();
    expect(sideUtility(car, 'ai', mover.deal!)).toBeGreaterThanOrEqual(car.ai_private.reservation_utility);
    const waiter = playEpisode(car, buyer('waiter', 8100, false, 8100), 1);
    expect(waiter.deal).toBeNull();
  });

  it('never words a concession as a reward for a stall: after "you haven\'t moved", a step is for earlier moves', () => {
    // moves three times, then repeats its offer
    const stopper: StudentStrategy = {
      name: 'stopper',
      describe: 'stopper',
      next: (v) => ({ text: `I'd do ${describeTerms(car, price(7200 + 300 * Math.min(3, v.round)))}.` }),
    };
    const e = playEpisode(car, stopper, 1);
    const stall = /haven't moved|same position|same number|repeating the offer|waiting for the other/i;
    const rewarding = /come toward you|a small step from me too|move a little as well|meet you partway/i;
    const afterStall = e.aiTurns.filter((t) => stall.test(t.content));
    expect(afterStall.length).toBeGreaterThan(0);
    expect(afterStall.filter((t) => rewarding.test(t.content)).map((t) => t.content)).toEqual([]);
    expect(afterStall.some((t) => /earlier/.test(t.content))).toBe(true);
  });

  it('calls out an alternative that keeps being better than what the student asks for, and the claim does not pay', () => {
    const honest = playEpisode(car, buyer('honest', 8100, false), 1);
    const bluffer = playEpisode(car, buyer('bluffer', 8100, true), 1);
    const replies = bluffer.aiTurns.map((t) => t.content);
    // the first mention is information; from the second on the AI says it doubts it (once)
    expect(replies[1]).not.toMatch(/if it's real|you would take it|can't see/i);
    expect(replies.filter((r) => /if it's real|you would take it|can't see/i.test(r))).toHaveLength(1);
    expect(bluffer.zoneShare).toBeLessThanOrEqual(honest.zoneShare);
    expect(bluffer.aiTurns.some((t) => t.accept)).toBe(false);
  });
});
