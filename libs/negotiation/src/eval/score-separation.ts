import { FullScenario } from '../types';
import type { Summary } from './harness';
import { ADVERSARIAL, HONEST, StudentStrategy } from './strategies';

export interface SeparationRow {
  scenario: string;
  /** Mean overall score of the honest students (hardball, conceder, tit-for-tat, integrative). */
  honest: number;
  /** Mean overall score of the exploit students (stonewaller … polite-concedes-everything). */
  exploit: number;
  /** honest − exploit: positive means the scorer rewards honest play over the tricks. */
  gap: number;
  /** The exploit student with the highest overall score, to show which trick comes closest. */
  bestExploit: { name: string; overall: number } | null;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Per scenario: honest vs exploit students on the overall score (issue 13); null where either group was not played. */
export function scoreSeparation(
  scenarios: FullScenario[],
  strategies: StudentStrategy[],
  summaries: Record<string, Record<string, Summary>>,
): SeparationRow[] {
  const honest = HONEST.filter((s) => strategies.includes(s));
  const exploit = ADVERSARIAL.filter((s) => strategies.includes(s));
  if (!honest.length || !exploit.length) return [];
  return scenarios.map((sc) => {
    const row = summaries[sc.id];
    const h = mean(honest.map((s) => row[s.name].overall));
    const e = mean(exploit.map((s) => row[s.name].overall));
    const best = exploit.map((s) => ({ name: s.name, overall: row[s.name].overall })).reduce((b, x) => (x.overall > b.overall ? x : b));
    return { scenario: sc.id, honest: h, exploit: e, gap: h - e, bestExploit: best };
  });
}

/** One target per scenario: honest students score higher overall than exploit students, on average. */
export function separationTargets(rows: SeparationRow[]): { name: string; ok: boolean; detail: string }[] {
  return rows.map((r) => ({
    name: `${r.scenario}: honest students score higher overall than exploit students on average`,
    ok: r.gap > 0,
    detail: `honest ${r.honest.toFixed(1)}, exploit ${r.exploit.toFixed(1)}, gap ${signed(r.gap)}`,
  }));
}

/** The "Score separation" section of docs/EVALUATION.md. */
export function renderScoreSeparation(rows: SeparationRow[]): string[] {
  if (!rows.length) return [];
  const all = {
    honest: mean(rows.map((r) => r.honest)),
    exploit: mean(rows.map((r) => r.exploit)),
  };
  return [
    '## Score separation (overall score, honest vs exploit students)',
    '',
    'Mean overall score (`scoreNegotiation`, 0–100, no deal included) of the honest students (hardball, conceder,',
    'tit-for-tat, integrative) and of the exploit students (stonewaller, tiny-step-staller, questions-then-lowball,',
    'retractor, absurd-anchor-then-jump, alternative-bluffer, copy-paster, polite-concedes-everything). Target: the gap',
    'is positive in every scenario. The last column names the exploit that comes closest.',
    '',
    '| scenario | honest: mean overall | exploit: mean overall | gap | highest-scoring exploit |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.honest.toFixed(1)} | ${r.exploit.toFixed(1)} | ${signed(r.gap)} | ${r.bestExploit ? `${r.bestExploit.name} ${r.bestExploit.overall.toFixed(1)}` : '–'} |`,
    ),
    `| **all scenarios** | ${all.honest.toFixed(1)} | ${all.exploit.toFixed(1)} | ${signed(all.honest - all.exploit)} | |`,
    '',
  ];
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
