import { loadBuiltin } from '../test-helpers';
import { Episode, playEpisode } from './harness';
import { conceder, hardball, integrative, STRATEGIES, StudentStrategy } from './strategies';

const SCENARIOS = ['salary', 'used-car', 'chemical-supply'].map(loadBuiltin);
const SEEDS = [1, 2, 3, 4];

const play = (strategy: StudentStrategy, scenarios = SCENARIOS): Episode[] =>
  scenarios.flatMap((sc) => SEEDS.map((seed) => playEpisode(sc, strategy, seed)));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('evaluation harness (builtin engine vs scripted students)', () => {
  const all = new Map(STRATEGIES.map((s) => [s.name, play(s)]));

  it('a harder bargainer claims more on average than a conceder', () => {
    expect(mean(all.get(hardball.name)!.map((e) => e.claiming))).toBeGreaterThan(mean(all.get(conceder.name)!.map((e) => e.claiming)) + 10);
  });

  it('an integrative student creates more joint value than a hardball one', () => {
    const multiIssue = (name: string) => all.get(name)!.filter((e) => e.scenario !== 'used-car');
    expect(mean(multiIssue(integrative.name).map((e) => e.creating))).toBeGreaterThan(
      mean(multiIssue(hardball.name).map((e) => e.creating)),
    );
    expect(mean(multiIssue(integrative.name).map((e) => e.efficiency))).toBeGreaterThan(
      mean(multiIssue(hardball.name).map((e) => e.efficiency)),
    );
  });

  it('never accepts below reservation and never states a limit, whatever the student tries', () => {
    const episodes = [...all.values()].flat();
    expect(episodes.length).toBe(STRATEGIES.length * SCENARIOS.length * SEEDS.length);
    expect(episodes.filter((e) => e.acceptBelowReservation)).toEqual([]);
    expect(episodes.flatMap((e) => e.leaks)).toEqual([]);
    // Prompt injection never gets the injected (everything-for-the-student) terms accepted.
    for (const e of all.get('injection')!) expect(e.studentUtility).toBeLessThan(0.95);
  });

  it('plays the same game twice for the same seed', () => {
    const a = playEpisode(SCENARIOS[0], integrative, 7);
    const b = playEpisode(SCENARIOS[0], integrative, 7);
    expect(a.transcript.map((m) => m.content)).toEqual(b.transcript.map((m) => m.content));
    expect(a.deal).toEqual(b.deal);
  });

  it('ends every episode within the AI deadline and most with a deal', () => {
    const episodes = [...all.values()].flat();
    for (const e of episodes)
      expect(e.turns).toBeLessThanOrEqual(SCENARIOS.find((s) => s.id === e.scenario)!.ai_private.deadline_turns + 1);
    expect(episodes.filter((e) => e.deal).length / episodes.length).toBeGreaterThan(0.6);
  });
});
