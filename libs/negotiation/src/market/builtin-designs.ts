import { CHEMICALS, Chemical } from '@parley/contracts';
import { seededRandom } from '../rng';
import { Cents } from '../money';
import { MarketDesign, parseDesign } from './design';

/**
 * Designs for a class, generated from a seed and the team count, as in Chamberlin's (1948) and Smith's
 * (1962) classroom markets. In chemical j, team i buys when i + j is even and sells otherwise, so every
 * team buys some chemicals and sells others. Each trader has `steps` steps of `lot` units; the values
 * (and costs) of all traders of one side form an evenly spaced grid, dealt to the traders at random.
 *
 * - symmetric: values and costs on the same grid around the chemical's centre price, so supply mirrors
 *   demand and the equilibrium price band sits at the centre; the surplus splits evenly.
 * - asymmetric: values spread from 0.5× to 2× the centre, costs bunched between 0.5× and 0.75×: a flat
 *   supply, a price near the sellers' costs, most of the surplus to the buyers (Smith's skewed designs).
 */
export type BuiltinKind = 'symmetric' | 'asymmetric';

export const BUILTIN_DESIGNS: { kind: BuiltinKind; title: string; description: string }[] = [
  {
    kind: 'symmetric',
    title: 'Symmetric market',
    description: 'Supply mirrors demand; the surplus splits evenly between buyers and sellers.',
  },
  {
    kind: 'asymmetric',
    title: 'Asymmetric market',
    description: 'Many cheap sellers and a wide spread of buyers; buyers earn most of the surplus.',
  },
];

export interface BuiltinOptions {
  kind: BuiltinKind;
  /** 10–60 for a class; 2–200 work. */
  teams: number;
  seed: string;
  chemicals?: Chemical[];
  /** Steps per trader and chemical (default 3). */
  steps?: number;
  /** Units per step (default 100). */
  lot?: number;
  round_seconds?: number;
}

/** Centre price per chemical, in cents, so the four markets look different on a chart. */
const CENTRE: Record<Chemical, Cents> = { C: 1000, N: 2000, D: 1500, Q: 500 };

export function builtinDesign(options: BuiltinOptions): MarketDesign {
  const { kind, teams, seed } = options;
  const chemicals = options.chemicals ?? [...CHEMICALS];
  const steps = options.steps ?? 3;
  const lot = options.lot ?? 100;
  if (!Number.isInteger(teams) || teams < 2 || teams > 200)
    throw new RangeError(`teams must be a whole number from 2 to 200 (got ${teams})`);
  const rng = seededRandom(`${seed}:${kind}:${teams}:${steps}:${lot}`);
  const ids = Array.from({ length: teams }, (_, i) => `T${String(i + 1).padStart(2, '0')}`);
  const schedules = ids.map(
    () => [] as { chemical: Chemical; side: 'buy' | 'sell'; steps: { quantity: number; value?: number; cost?: number }[] }[],
  );
  chemicals.forEach((chemical) => {
    const j = CHEMICALS.indexOf(chemical);
    const c = CENTRE[chemical];
    const buyers = ids.map((_, i) => i).filter((i) => (i + j) % 2 === 0);
    const sellers = ids.map((_, i) => i).filter((i) => (i + j) % 2 === 1);
    const [valueLo, valueHi, costLo, costHi] =
      kind === 'symmetric' ? [c / 2, (c * 3) / 2, c / 2, (c * 3) / 2] : [c / 2, c * 2, c / 2, (c * 3) / 4];
    const values = shuffle(grid(valueLo, valueHi, buyers.length * steps), rng);
    const costs = shuffle(grid(costLo, costHi, sellers.length * steps), rng);
    buyers.forEach((i, b) => {
      const own = values.slice(b * steps, (b + 1) * steps).sort((x, y) => y - x);
      schedules[i].push({ chemical, side: 'buy', steps: own.map((v) => ({ quantity: lot, value: v / 100 })) });
    });
    sellers.forEach((i, s) => {
      const own = costs.slice(s * steps, (s + 1) * steps).sort((x, y) => x - y);
      schedules[i].push({ chemical, side: 'sell', steps: own.map((v) => ({ quantity: lot, cost: v / 100 })) });
    });
  });
  const meta = BUILTIN_DESIGNS.find((d) => d.kind === kind)!;
  const result = parseDesign({
    id: `builtin-${kind}-${teams}`,
    title: `${meta.title}, ${teams} teams`,
    round_seconds: options.round_seconds ?? 600,
    teams: ids.map((team, i) => ({ team, schedules: schedules[i] })).filter((t) => t.schedules.length > 0),
  });
  if (!result.ok) throw new Error(`built-in design is invalid: ${JSON.stringify(result.problems)}`);
  return result.design;
}

/** n whole-cent prices evenly spaced from lo to hi. */
function grid(lo: number, hi: number, n: number): Cents[] {
  if (n === 1) return [Math.round((lo + hi) / 2)];
  return Array.from({ length: n }, (_, k) => Math.round(lo + ((hi - lo) * k) / (n - 1)));
}

function shuffle<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const k = Math.floor(rng() * (i + 1));
    [items[i], items[k]] = [items[k], items[i]];
  }
  return items;
}
