import { loadBuiltin } from '../test-helpers';
import { evaluate } from './report';
import { ADVERSARIAL, alternativeBluffer, titForTat } from './strategies';

/**
 * A small, fast subset of the `npm run eval` targets (issue 12), so CI catches a regression: the exploit
 * students against the honest tit-for-tat student on every scenario, 3 seeds.
 */
describe('evaluation targets (subset)', () => {
  const scenarios = ['salary', 'used-car', 'chemical-supply'].map(loadBuiltin);
  const names = [titForTat, ...ADVERSARIAL].map((s) => s.name);
  const report = evaluate(scenarios, 3, names);
  const target = (pattern: RegExp) => report.targets.filter((t) => pattern.test(t.name));

  it('no exploit claims more than 65% of the zone, and stalling does not beat tit-for-tat', () => {
    const checks = [...target(/no strategy claims/), ...target(/does no better than tit-for-tat/)];
    expect(checks.length).toBe(scenarios.length * 3);
    expect(checks.filter((t) => !t.ok)).toEqual([]);
  });

  it('no acceptance below reservation, no leak, no deal on a question or statement, no repeated sentence', () => {
    const checks = [
      ...target(/acceptances below reservation/),
      ...target(/replies stating a limit/),
      ...target(/deals made on a question/),
      ...target(/sentences repeated/),
      ...target(/distinct sentences per 100/),
    ];
    expect(checks).toHaveLength(5);
    expect(checks.filter((t) => !t.ok)).toEqual([]);
  });

  it('naming a better offer elsewhere every round claims no more than honest tit-for-tat play', () => {
    for (const sc of scenarios)
      expect(report.summaries[sc.id][alternativeBluffer.name].zoneShare).toBeLessThanOrEqual(
        report.summaries[sc.id][titForTat.name].zoneShare,
      );
  });

  it('tit-for-tat, the honest student, reaches a deal in every scenario', () => {
    for (const sc of scenarios) expect(report.summaries[sc.id][titForTat.name].dealRate).toBeGreaterThanOrEqual(0.8);
  });
});
