import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadBuiltin } from '../test-helpers';
import { evaluate, EvalReport, renderReport } from './report';

/**
 * `npm run eval`: the builtin engine against every scripted student (honest, adversarial and held-out)
 * on every built-in scenario. Prints the report; exits 1 when a target is missed.
 * EVAL_SEEDS=N changes the seeds per pair; EVAL_DOCS=path also writes the report there, followed by the
 * replay of the students' message forms against `npm start` (evaluation-replay.md in the same folder) if present.
 */
const SCENARIOS = ['salary', 'used-car', 'chemical-supply'];
const SEEDS = Number(process.env.EVAL_SEEDS ?? 12);

function main(): void {
  const started = Date.now();
  const report: EvalReport = evaluate(SCENARIOS.map(loadBuiltin), SEEDS, process.env.EVAL_STRATEGIES?.split(','));
  const text = renderReport(report, Date.now() - started);
  console.log(text);
  if (process.env.EVAL_DOCS) {
    // the replay through `npm start` (test/counterpart-start.e2e.ts with REPLAY_DOCS=1) is recorded beside it
    const replay = join(dirname(process.env.EVAL_DOCS), 'evaluation-replay.md');
    writeFileSync(process.env.EVAL_DOCS, existsSync(replay) ? `${text}\n${readFileSync(replay, 'utf8')}` : text);
  }
  const missed = report.targets.filter((t) => !t.ok);
  if (missed.length) {
    console.error(`\n${missed.length} target(s) missed:\n${missed.map((t) => `- ${t.name}: ${t.detail}`).join('\n')}`);
    process.exitCode = 1;
  }
}

main();
