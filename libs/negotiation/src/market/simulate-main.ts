/**
 * The ZI-C comparison as a Markdown table (docs/MARKET.md):
 *   npx tsc -p tsconfig.build.json && npx tsc-alias -p tsconfig.build.json &&
 *   node dist/libs/negotiation/src/market/simulate-main.js [--teams 30] [--kind symmetric] [--rounds 5] [--seed parley]
 */
import { formatCents } from '../money';
import { BuiltinKind, builtinDesign } from './builtin-designs';
import { MarketComparison, compareMarkets } from './simulate';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

export function comparisonTable(run: MarketComparison): string {
  const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
  const price = (c: number | null) => (c === null ? '–' : formatCents(c));
  const rows = [
    '| chemical | equilibrium band | Q* | DA efficiency | DA volume | DA mean price | bilateral efficiency | bilateral volume | bilateral mean price |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const e of run.equilibria) {
    const da = run.double_auction.chemicals.find((c) => c.chemical === e.chemical)!;
    const bi = run.bilateral.chemicals.find((c) => c.chemical === e.chemical)!;
    const q = e.quantity_min === e.quantity_max ? `${e.quantity_max}` : `${e.quantity_min}–${e.quantity_max}`;
    rows.push(
      `| ${e.chemical} | ${price(e.price_low_cents)}–${price(e.price_high_cents)} | ${q} | ${pct(da.efficiency)} | ${da.volume_per_round} | ${price(da.mean_price_cents)} | ${pct(bi.efficiency)} | ${bi.volume_per_round} | ${price(bi.mean_price_cents)} |`,
    );
  }
  rows.push(
    `| all | | | ${pct(run.double_auction.efficiency)} | ${run.double_auction.trades} trades | | ${pct(run.bilateral.efficiency)} | ${run.bilateral.trades} trades | |`,
  );
  return rows.join('\n');
}

if (require.main === module) {
  const teams = Number(arg('teams', '30'));
  const kind = arg('kind', 'symmetric') as BuiltinKind;
  const rounds = Number(arg('rounds', '5'));
  const seed = arg('seed', 'parley');
  const design = builtinDesign({ kind, teams, seed });
  const started = Date.now();
  const run = compareMarkets(design, { rounds, seed });
  console.log(`${design.title}, design seed "${seed}", ${rounds} rounds, run seed "${seed}" (${Date.now() - started} ms)\n`);
  console.log(comparisonTable(run));
  const perRound = (xs: number[]) => xs.map((x) => `${(x * 100).toFixed(1)}`).join(', ');
  console.log(
    `\nefficiency per round (%): double auction ${perRound(run.double_auction.efficiency_per_round)}; bilateral ${perRound(run.bilateral.efficiency_per_round)}`,
  );
}
