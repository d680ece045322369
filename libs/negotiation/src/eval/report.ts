import { FullScenario } from '../types';
import { describeTerms } from '../wording';
import { BASELINE } from './baseline';
import { distinctSentencesPer100, Episode, playEpisode, summarize, Summary } from './harness';
import { renderScoreSeparation, scoreSeparation, separationTargets } from './score-separation';
import { ADVERSARIAL, ALL_STRATEGIES, conceder, hardball, HELD_OUT, HONEST, integrative, StudentStrategy, titForTat } from './strategies';

export interface Target {
  name: string;
  ok: boolean;
  detail: string;
}

export interface EvalReport {
  seeds: number;
  scenarios: FullScenario[];
  strategies: StudentStrategy[];
  /** summaries[scenario][strategy] */
  summaries: Record<string, Record<string, Summary>>;
  episodes: Episode[];
  distinctPer100: number;
  targets: Target[];
}

const MAX_ZONE_SHARE = 0.65;
const MIN_HONEST_DEAL_RATE = 0.8;
const MIN_DISTINCT_PER_100 = 60;
const MAX_P99_MS = 20;

function percentile(xs: number[], q: number): number {
  if (!xs.length) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Plays every strategy against the builtin engine on every scenario and checks the targets of issue 12. */
export function evaluate(scenarios: FullScenario[], seeds: number, only?: string[]): EvalReport {
  const strategies = only?.length ? ALL_STRATEGIES.filter((s) => only.includes(s.name)) : ALL_STRATEGIES;
  const summaries: EvalReport['summaries'] = {};
  const episodes: Episode[] = [];
  for (const sc of scenarios) {
    summaries[sc.id] = {};
    for (const strategy of strategies) {
      const eps: Episode[] = [];
      for (let seed = 1; seed <= seeds; seed++) eps.push(playEpisode(sc, strategy, seed));
      summaries[sc.id][strategy.name] = summarize(eps);
      episodes.push(...eps);
    }
  }
  const distinctPer100 = distinctSentencesPer100(episodes.flatMap((e) => e.aiTurns.map((t) => t.content)));
  return {
    seeds,
    scenarios,
    strategies,
    summaries,
    episodes,
    distinctPer100,
    targets: [
      ...checkTargets(scenarios, strategies, summaries, episodes, distinctPer100),
      ...separationTargets(scoreSeparation(scenarios, strategies, summaries)),
    ],
  };
}

function checkTargets(
  scenarios: FullScenario[],
  strategies: StudentStrategy[],
  summaries: EvalReport['summaries'],
  episodes: Episode[],
  distinctPer100: number,
): Target[] {
  const targets: Target[] = [];
  const has = (s: StudentStrategy) => strategies.includes(s);
  for (const sc of scenarios) {
    const row = summaries[sc.id];
    const over = Object.values(row).filter((s) => s.zoneShare > MAX_ZONE_SHARE);
    targets.push({
      name: `${sc.id}: no strategy claims more than ${pct(MAX_ZONE_SHARE)} of the zone on average`,
      ok: over.length === 0,
      detail: over.length ? over.map((s) => `${s.strategy} ${pct(s.zoneShare)}`).join(', ') : 'all below',
    });
    const tft = row[titForTat.name];
    if (tft) {
      for (const name of ['stonewaller', 'tiny-step-staller']) {
        const s = row[name];
        if (!s) continue;
        targets.push({
          name: `${sc.id}: ${name} does no better than tit-for-tat (or ends without a deal)`,
          ok: s.zoneShare <= tft.zoneShare + 1e-9 || s.dealRate === 0,
          detail: `${name} ${pct(s.zoneShare)} (deal rate ${pct(s.dealRate)}) vs tit-for-tat ${pct(tft.zoneShare)}`,
        });
      }
    }
    if (has(hardball) && has(titForTat) && has(conceder)) {
      const [h, t, c] = [row[hardball.name], row[titForTat.name], row[conceder.name]];
      targets.push({
        name: `${sc.id}: hardball > tit-for-tat > conceder on claiming value (zone share)`,
        ok: h.zoneShare > t.zoneShare && t.zoneShare > c.zoneShare,
        detail: `hardball ${pct(h.zoneShare)}, tit-for-tat ${pct(t.zoneShare)}, conceder ${pct(c.zoneShare)}`,
      });
    }
    if (sc.issues.length > 1 && has(integrative)) {
      // Creating value = reaching the frontier: the joint value left on the table, which (unlike the scorer's joint
      // share) does not rise when a student claims less of an issue the AI values a little more per unit.
      const honest = HONEST.filter(has).map((h) => row[h.name]);
      const best = honest.reduce((b, s) => (s.valueLeft < b.valueLeft ? s : b));
      targets.push({
        name: `${sc.id}: the integrative student creates the most value (least joint value left on the table)`,
        ok: row[integrative.name].valueLeft <= best.valueLeft + 1e-9,
        detail: `integrative ${row[integrative.name].valueLeft.toFixed(3)}, least ${best.strategy} ${best.valueLeft.toFixed(3)} (scorer's creating: integrative ${row[integrative.name].creating.toFixed(1)}, ${honest
          .filter((h) => h.strategy !== integrative.name)
          .map((h) => `${h.strategy} ${h.creating.toFixed(1)}`)
          .join(', ')})`,
      });
    }
    for (const s of HONEST.filter(has)) {
      const r = row[s.name];
      targets.push({
        name: `${sc.id}: ${s.name} reaches a deal at least ${pct(MIN_HONEST_DEAL_RATE)} of the time`,
        ok: r.dealRate >= MIN_HONEST_DEAL_RATE,
        detail: `${pct(r.dealRate)}${noDealsWhy(r)}`,
      });
    }
  }
  const count = (f: (e: Episode) => number) => episodes.reduce((t, e) => t + f(e), 0);
  const zero = (name: string, n: number) => targets.push({ name, ok: n === 0, detail: String(n) });
  zero(
    'acceptances below reservation',
    count((e) => (e.acceptBelowReservation ? 1 : 0)),
  );
  zero(
    'replies stating a limit',
    count((e) => e.leaks.length),
  );
  zero(
    'deals made on a question or a statement',
    count((e) => (e.dealOnQuestionOrStatement ? 1 : 0)),
  );
  zero(
    'sentences repeated within one negotiation',
    count((e) => e.repeatedSentences.length),
  );
  const p99 = percentile(
    episodes.flatMap((e) => e.replyMs),
    0.99,
  );
  targets.push({ name: `engine reply time p99 below ${MAX_P99_MS} ms`, ok: p99 < MAX_P99_MS, detail: `${p99.toFixed(2)} ms` });
  targets.push({
    name: `at least ${MIN_DISTINCT_PER_100} distinct sentences per 100 replies`,
    ok: distinctPer100 >= MIN_DISTINCT_PER_100,
    detail: distinctPer100.toFixed(1),
  });
  return targets;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const kind = (s: StudentStrategy) =>
  HONEST.includes(s) || s.name === 'injection' ? 'honest' : HELD_OUT.includes(s) ? 'held-out' : 'exploit';

/** The whole of docs/EVALUATION.md. */
export function renderReport(r: EvalReport, ms: number): string {
  const out: string[] = [];
  out.push(
    '# Evaluating the built-in negotiator',
    '',
    '_Generated by `EVAL_DOCS=docs/EVALUATION.md npm run eval`; do not edit by hand._',
    '',
    '`npm run eval` builds the project and plays the built-in engine (`libs/negotiation/src/builtin-engine.ts`) against',
    `scripted students on every built-in scenario, ${r.seeds} seeds per pair (\`EVAL_SEEDS=N\` changes that). Everything is`,
    'deterministic. The run exits with status 1 when a target below is missed. `eval/targets.spec.ts` runs a small subset in jest.',
    '',
    '## The scripted students (`libs/negotiation/src/eval/strategies.ts`)',
    '',
    'They know their own brief and nothing of the AI’s. _Held-out_ students were written for the evaluation and never',
    'used while tuning the engine.',
    '',
    '| student | kind | behaviour |',
    '|---|---|---|',
    ...r.strategies.map((s) => `| ${s.name} | ${kind(s)} | ${s.describe} |`),
    '',
    '## Scenario fields the persona uses',
    '',
    'Besides `persona` and `private_facts`, `ai_private` may carry `answers` (topic words and the answer the persona gives',
    'to a question about them), `reasons` (per issue, public reasons it gives with an offer) and `opens` (`ai`, the default:',
    'the AI greets and opens a new negotiation; `student`: it waits). An issue may carry `phrases` (words that name a value,',
    'e.g. "fully remote" = 5) and `complement` (words after a number that count it from the other end, e.g. "2 days in',
    'office" = 3 remote days). All are validated by `scenario-schema.ts`.',
    '',
    '## Targets',
    '',
    'Creating value is judged by the joint value a deal leaves on the table: how much more joint utility the best',
    'package at least as good for both sides would have given (no deal leaves the whole gain over both walk-aways).',
    "The scorer's creating-value points (joint utility as a share of the frontier's best) also move with how a deal",
    'is split: in `salary` the AI values a dollar of base salary a little more than the student does, so a student',
    'who claims less salary scores higher there without creating anything. Both are in the tables below.',
    '',
    '| target | met | measured |',
    '|---|---|---|',
    ...r.targets.map((t) => `| ${t.name} | ${t.ok ? 'yes' : '**no**'} | ${t.detail} |`),
    '',
    ...missedTargetNotes(r),
    '## Before and after (share of the bargaining zone the student claims, mean over seeds; no deal counts 0)',
    '',
    '"Before" is the engine of commit 917c7c2 (clock-driven concession) against the same students, measured with this',
    'harness (`eval/baseline.json`).',
    '',
    `| scenario | student | before: zone share | before: deal rate | after: zone share | after: deal rate |`,
    '|---|---|---|---|---|---|',
  );
  const baseline = BASELINE;
  for (const sc of r.scenarios)
    for (const s of r.strategies) {
      const b = baseline[sc.id]?.[s.name];
      const a = r.summaries[sc.id][s.name];
      out.push(
        `| ${sc.id} | ${s.name} | ${b ? pct(b.zoneShare) : '–'} | ${b ? pct(b.dealRate) : '–'} | ${pct(a.zoneShare)} | ${pct(a.dealRate)} |`,
      );
    }
  out.push('', '## Results per scenario', '');
  for (const sc of r.scenarios) {
    out.push(
      `### ${sc.title} (\`${sc.id}\`)`,
      '',
      '| student | deal rate | zone share | claiming | creating | joint / best joint | value left on the table | relationships | overall score | turns | below res. | leaks | deals on question/statement | repeated sentences |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const s of r.strategies) {
      const x = r.summaries[sc.id][s.name];
      out.push(
        `| ${s.name} | ${pct(x.dealRate)} | ${pct(x.zoneShare)} | ${x.claiming.toFixed(1)} | ${x.creating.toFixed(1)} | ${pct(x.efficiency)} | ${x.valueLeft.toFixed(3)} | ${x.relationships.toFixed(1)} | ${x.overall.toFixed(1)} | ${x.turns.toFixed(1)} | ${x.acceptsBelowReservation} | ${x.leaks} | ${x.dealsOnQuestionOrStatement} | ${x.repeatedSentences} |`,
      );
    }
    out.push('');
  }
  out.push(
    '## Exploit table',
    '',
    'Zone share of each exploit (and held-out) student minus that of the honest tit-for-tat student in the same scenario:',
    'a positive number means the trick paid off against the AI.',
    '',
    `| student | ${r.scenarios.map((s) => s.id).join(' | ')} |`,
    `|---|${r.scenarios.map(() => '---').join('|')}|`,
  );
  for (const s of r.strategies.filter((x) => ADVERSARIAL.includes(x) || HELD_OUT.includes(x))) {
    out.push(
      `| ${s.name} | ${r.scenarios
        .map((sc) => {
          const tft = r.summaries[sc.id][titForTat.name];
          const d = r.summaries[sc.id][s.name].zoneShare - (tft?.zoneShare ?? 0);
          return `${d >= 0 ? '+' : ''}${Math.round(d * 100)} pts`;
        })
        .join(' | ')} |`,
    );
  }
  out.push(
    '',
    '## Overall score per student (existing scorer, `scoreNegotiation`)',
    '',
    'Whether the score separates honest play from exploits depends on the scorer; this table makes it visible.',
    '',
    `| student | kind | ${r.scenarios.map((s) => s.id).join(' | ')} |`,
    `|---|---|${r.scenarios.map(() => '---').join('|')}|`,
    ...r.strategies.map(
      (s) => `| ${s.name} | ${kind(s)} | ${r.scenarios.map((sc) => r.summaries[sc.id][s.name].overall.toFixed(1)).join(' | ')} |`,
    ),
    '',
    ...renderScoreSeparation(scoreSeparation(r.scenarios, r.strategies, r.summaries)),
    `Distinct sentences (numbers masked) per 100 AI replies: ${r.distinctPer100.toFixed(1)}.`,
    `${r.episodes.length} episodes in ${(ms / 1000).toFixed(1)} s.`,
    '',
    '## Sample transcripts',
  );
  const sample: [string, string][] = [
    ['used-car', 'tit-for-tat'],
    ['salary', 'integrative'],
    ['chemical-supply', 'stonewaller'],
  ];
  for (const [scId, strat] of sample) {
    const e = r.episodes.find((x) => x.scenario === scId && x.strategy === strat && x.seed === 1);
    const sc = r.scenarios.find((s) => s.id === scId);
    if (!e || !sc) continue;
    out.push('', `### ${sc.title}: ${strat} student, seed 1 (${e.deal ? `deal: ${describeTerms(sc, e.deal)}` : 'no deal'})`, '');
    for (const m of e.transcript) {
      if (m.kind === 'offer') out.push(`- _[offer panel] ${m.content}_`);
      else out.push(`- **${m.sender_type === 'ai' ? 'AI' : 'Student'}:** ${m.content}`);
    }
  }
  out.push('');
  return out.join('\n');
}

/** Why the episodes without a deal ended: how many on a student ask the AI could not take at all. */
function noDealsWhy(r: Summary): string {
  const noDeals = Math.round(r.episodes * (1 - r.dealRate));
  if (!noDeals) return '';
  return ` (${r.noDealsOnAskOutsideAiLimits} of ${noDeals} without a deal ended on a student ask below the AI's reservation or at/past its limits)`;
}

/**
 * Measured reasons behind missed targets, for the reader of docs/EVALUATION.md: episodes that ended
 * without a deal although the student's last ask was one the AI may not take at all, and how close the
 * students' value creation is where the integrative one is not the highest.
 */
function missedTargetNotes(r: EvalReport): string[] {
  const missed = r.targets.filter((t) => !t.ok);
  if (!missed.length) return [];
  const out = ['### Why the missed targets are missed (measured)', ''];
  const rows: string[] = [];
  for (const sc of r.scenarios)
    for (const s of r.strategies) {
      const a = r.summaries[sc.id][s.name];
      const noDeals = Math.round(a.episodes * (1 - a.dealRate));
      if (noDeals && HONEST.some((h) => h.name === s.name))
        rows.push(`| ${sc.id} | ${s.name} | ${noDeals} of ${a.episodes} | ${a.noDealsOnAskOutsideAiLimits} |`);
    }
  if (rows.length)
    out.push(
      'Honest students that ended without a deal, and how many of those ended on an ask the AI may not take at all',
      '(below its reservation, or at or past one of its hard limits: no acceptance rule can close on it, only a',
      'further concession by the student):',
      '',
      "| scenario | student | without a deal | last ask outside the AI's limits |",
      '|---|---|---|---|',
      ...rows,
      '',
    );
  for (const sc of r.scenarios) {
    if (!missed.some((t) => t.name.startsWith(`${sc.id}: hardball > tit-for-tat`))) continue;
    const row = r.summaries[sc.id];
    const inDeals = (x: Summary) => (x.dealRate ? x.zoneShare / x.dealRate : 0);
    out.push(
      `${sc.id}, claiming value within the deals made (zone share; efficiency): ${[hardball, titForTat, conceder]
        .filter((h) => row[h.name])
        .map((h) => `${h.name} ${pct(inDeals(row[h.name]))}; ${pct(row[h.name].efficiency)}`)
        .join(', ')}.`,
      '',
    );
  }
  for (const sc of r.scenarios) {
    if (sc.issues.length < 2 || !missed.some((t) => t.name.startsWith(`${sc.id}: the integrative student creates the most value`)))
      continue;
    const row = r.summaries[sc.id];
    const ranked = HONEST.filter((h) => row[h.name])
      .map((h) => row[h.name])
      .sort((a, b) => b.creating - a.creating);
    out.push(
      `${sc.id}, creating value of the honest students (scorer points; efficiency = joint utility / the frontier's best): ${ranked.map((x) => `${x.strategy} ${x.creating.toFixed(1)} (efficiency ${pct(x.efficiency)})`).join(', ')}.`,
      '',
    );
  }
  return out;
}
