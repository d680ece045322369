import { seededRandom } from '../rng';
import { manualProblem, pairRound, Seat } from './pairing';

const members = (...emails: string[]) => emails.map((email) => ({ email }));
const everyone = (seats: Seat[]) => seats.flatMap((s) => [s.first, s.second]).filter((e) => e !== 'ai');

describe('pairing a round', () => {
  it('pairs everyone once at random; an odd count leaves one student with the AI in the first role', () => {
    const seats = pairRound({ members: members('a@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'e@x.io'), rule: 'random', rng: seededRandom('1') });
    expect(seats).toHaveLength(3);
    expect(everyone(seats).sort()).toEqual(['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'e@x.io']);
    expect(seats.filter((s) => s.second === 'ai')).toHaveLength(1);
    expect(seats.every((s) => s.first !== 'ai')).toBe(true);
  });

  it('pairs by a roster column: equal values together', () => {
    const roster = [
      { email: 'a@x.io', columns: { group: '1' } },
      { email: 'b@x.io', columns: { group: '2' } },
      { email: 'c@x.io', columns: { group: '1' } },
      { email: 'd@x.io', columns: { group: '2' } },
    ];
    const seats = pairRound({ members: roster, rule: 'column', column: 'group', rng: seededRandom('2') });
    const groupOf = (e: string) => roster.find((m) => m.email === e)!.columns.group;
    for (const s of seats) expect(groupOf(s.first)).toBe(groupOf(s.second as string));
  });

  it('pairs by hand, and pairs the students left out at random', () => {
    const seats = pairRound({
      members: members('a@x.io', 'b@x.io', 'c@x.io', 'd@x.io'),
      rule: 'manual',
      manual: [{ a: 'c@x.io', b: 'a@x.io' }],
      rng: seededRandom('3'),
    });
    expect(seats[0]).toEqual({ first: 'c@x.io', second: 'a@x.io' });
    expect(everyone(seats.slice(1)).sort()).toEqual(['b@x.io', 'd@x.io']);
    expect(manualProblem(['a@x.io', 'b@x.io'], [{ a: 'a@x.io', b: 'z@x.io' }])).toBe('z@x.io is not a member of this session');
    expect(
      manualProblem(
        ['a@x.io', 'b@x.io'],
        [
          { a: 'a@x.io', b: 'ai' },
          { a: 'a@x.io', b: 'b@x.io' },
        ],
      ),
    ).toBe('a@x.io appears in two pairs');
    expect(manualProblem(['a@x.io'], [{ a: 'a@x.io', b: 'a@x.io' }])).toBe('a@x.io cannot be paired with themselves');
    expect(manualProblem(['a@x.io'], [{ a: 'ai', b: 'a@x.io' }])).toBe('the AI plays the second role only: put a student first');
    expect(manualProblem(['a@x.io', 'b@x.io'], [{ a: 'a@x.io', b: 'ai' }])).toBeNull();
  });

  it('takes pairs by hand in a later round too, whatever the rule, instead of the swap', () => {
    const previous: Seat[] = [{ first: 'a@x.io', second: 'b@x.io' }];
    const seats = pairRound({
      members: members('a@x.io', 'b@x.io', 'c@x.io'),
      rule: 'random',
      previous,
      manual: [{ a: 'a@x.io', b: 'b@x.io' }],
      rng: seededRandom('5'),
    });
    expect(seats).toEqual([
      { first: 'a@x.io', second: 'b@x.io' },
      { first: 'c@x.io', second: 'ai' },
    ]);
  });

  it("round 2 swaps everyone's role and changes partners where it can", () => {
    const previous: Seat[] = [
      { first: 'a@x.io', second: 'b@x.io' },
      { first: 'c@x.io', second: 'd@x.io' },
    ];
    const seats = pairRound({ members: members('a@x.io', 'b@x.io', 'c@x.io', 'd@x.io'), rule: 'random', previous, rng: seededRandom('4') });
    // b and d played the second role: now they play the first, each against someone new
    expect(seats).toEqual([
      { first: 'b@x.io', second: 'c@x.io' },
      { first: 'd@x.io', second: 'a@x.io' },
    ]);
  });

  it('round 2 with an odd count: new partners first; the one left over plays the first role against the AI', () => {
    const previous: Seat[] = [
      { first: 'a@x.io', second: 'b@x.io' },
      { first: 'c@x.io', second: 'ai' },
    ];
    const seats = pairRound({ members: members('a@x.io', 'b@x.io', 'c@x.io'), rule: 'random', previous, rng: seededRandom('5') });
    // b and c swap roles and meet; a cannot swap (the AI speaks only for the second role) but gets a new partner
    expect(seats).toEqual([
      { first: 'b@x.io', second: 'c@x.io' },
      { first: 'a@x.io', second: 'ai' },
    ]);
  });
});
