import { loadBuiltin } from '../test-helpers';
import { evaluate } from './report';
import { renderScoreSeparation, scoreSeparation, separationTargets } from './score-separation';
import { ADVERSARIAL, HONEST } from './strategies';

/** Issue 13: the overall score must reward honest negotiation over the exploit students' tricks. */
describe('score separation (honest vs exploit students on overall score)', () => {
  const scenarios = ['salary', 'used-car', 'chemical-supply'].map(loadBuiltin);
  const report = evaluate(
    scenarios,
    2,
    [...HONEST, ...ADVERSARIAL].map((s) => s.name),
  );
  const rows = scoreSeparation(report.scenarios, report.strategies, report.summaries);

  it('honest students score higher overall than exploit students in every scenario', () => {
    expect(rows.map((r) => r.scenario)).toEqual(['salary', 'used-car', 'chemical-supply']);
    for (const r of rows) {
      const honest = HONEST.map((s) => report.summaries[r.scenario][s.name].overall);
      expect(r.honest).toBeCloseTo(honest.reduce((a, b) => a + b, 0) / honest.length, 6);
      expect(r.honest).toBeGreaterThan(r.exploit);
    }
    expect(separationTargets(rows).filter((t) => !t.ok)).toEqual([]);
  });

  it('the eval report carries the separation targets and the table', () => {
    expect(report.targets.filter((t) => /honest students score higher overall/.test(t.name))).toHaveLength(3);
    const md = renderScoreSeparation(rows).join('\n');
    expect(md).toContain('## Score separation');
    expect(md).toMatch(/\| salary \| \d+\.\d \| \d+\.\d \| \+\d+\.\d \|/);
  });

  it('needs both groups: nothing to compare without exploit students', () => {
    const honestOnly = evaluate(scenarios.slice(0, 1), 1, HONEST.map((s) => s.name).slice(0, 1));
    expect(scoreSeparation(honestOnly.scenarios, honestOnly.strategies, honestOnly.summaries)).toEqual([]);
  });
});
