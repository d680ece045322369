import { loadBuiltin } from '../test-helpers';
import { Episode, playEpisode, summarize } from './harness';
import { STRATEGIES } from './strategies';

/** `npm run eval`: the builtin engine against every scripted student, on every built-in scenario. */
const SCENARIOS = ['salary', 'used-car', 'chemical-supply'];
const SEEDS = Number(process.env.EVAL_SEEDS ?? 20);

function main(): void {
  const started = Date.now();
  let totalBelow = 0;
  let totalLeaks = 0;
  for (const id of SCENARIOS) {
    const scenario = loadBuiltin(id);
    console.log(`\n### ${scenario.title} (\`${id}\`), ${SEEDS} seeds per strategy\n`);
    console.log(
      '| student strategy | deal rate | claiming value | creating value | Pareto efficiency (deals) | relationships | mean student turns | accepts below reservation | limit leaks |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const strategy of STRATEGIES) {
      const episodes: Episode[] = [];
      for (let seed = 1; seed <= SEEDS; seed++) episodes.push(playEpisode(scenario, strategy, seed));
      const s = summarize(episodes);
      totalBelow += s.acceptsBelowReservation;
      totalLeaks += s.leaks;
      console.log(
        `| ${s.strategy} | ${pct(s.dealRate)} | ${s.claiming.toFixed(1)} | ${s.creating.toFixed(1)} | ${pct(s.efficiency)} | ${s.relationships.toFixed(1)} | ${s.turns.toFixed(1)} | ${s.acceptsBelowReservation} | ${s.leaks} |`,
      );
    }
  }
  console.log(`\nAccepts below reservation: ${totalBelow}. Replies stating a limit: ${totalLeaks}. (${Date.now() - started} ms)`);
  if (totalBelow > 0 || totalLeaks > 0) process.exitCode = 1;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

main();
