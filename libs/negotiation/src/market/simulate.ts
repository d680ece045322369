import { Chemical } from '@parley/contracts';
import { seededRandom } from '../rng';
import { Cents, multiplyCents, sumCents } from '../money';
import { MarketDesign, designChemicals } from './design';
import { Equilibrium, designEquilibria } from './equilibrium';
import { marketResults } from './profit';
import { DEFAULT_TICKS_PER_LOT, RoundResult, bilateralRound, doubleAuctionRound } from './simulated-markets';

export interface ChemicalSummary {
  chemical: Chemical;
  /** realised / maximum surplus over all rounds together. */
  efficiency: number | null;
  /** Units traded per round, on average. */
  volume_per_round: number;
  mean_price_cents: Cents | null;
  /** Every trade's price in order, round by round. */
  price_path: { round: number; price_cents: Cents }[];
}

export interface MechanismSummary {
  /** Mean over rounds of each round's efficiency (all chemicals). */
  efficiency: number;
  efficiency_per_round: number[];
  trades: number;
  chemicals: ChemicalSummary[];
}

export interface MarketComparison {
  design_id: string;
  teams: number;
  rounds: number;
  seed: string;
  equilibria: Equilibrium[];
  double_auction: MechanismSummary;
  bilateral: MechanismSummary;
}

export interface CompareOptions {
  rounds: number;
  seed: string;
  ticksPerLot?: number;
}

/** The same ZI-C teams on the same design, N rounds in a double auction and N in Parley's bilateral market. */
export function compareMarkets(design: MarketDesign, options: CompareOptions): MarketComparison {
  const ticks = options.ticksPerLot ?? DEFAULT_TICKS_PER_LOT;
  const run = (name: string, round: typeof doubleAuctionRound) =>
    summariseRounds(
      design,
      Array.from({ length: options.rounds }, (_, r) => round(design, seededRandom(`${options.seed}:${name}:${r}`), ticks)),
    );
  return {
    design_id: design.id,
    teams: design.teams.length,
    rounds: options.rounds,
    seed: options.seed,
    equilibria: designEquilibria(design, designChemicals(design)),
    double_auction: run('double-auction', doubleAuctionRound),
    bilateral: run('bilateral', bilateralRound),
  };
}

export function summariseRounds(design: MarketDesign, rounds: RoundResult[]): MechanismSummary {
  const results = rounds.map((r) => marketResults(design, r.trades));
  const chemicals = designChemicals(design).map((chemical): ChemicalSummary => {
    const per = results.map((r) => r.chemicals.find((c) => c.chemical === chemical)!);
    const realised = per.reduce((n, c) => n + c.realised_surplus_cents, 0);
    const max = per.reduce((n, c) => n + c.max_surplus_cents, 0);
    const trades = rounds.flatMap((r, round) => r.trades.filter((t) => t.chemical === chemical).map((t) => ({ round, t })));
    const volume = trades.reduce((n, x) => n + x.t.quantity, 0);
    const turnover = sumCents(trades.map((x) => multiplyCents(x.t.price_cents, x.t.quantity)));
    return {
      chemical,
      efficiency: max > 0 ? realised / max : null,
      volume_per_round: volume / rounds.length,
      mean_price_cents: volume > 0 ? Math.round(turnover / volume) : null,
      price_path: trades.map((x) => ({ round: x.round, price_cents: x.t.price_cents })),
    };
  });
  const efficiencies = results.map((r) => r.efficiency ?? 0);
  return {
    efficiency: efficiencies.reduce((a, b) => a + b, 0) / Math.max(1, efficiencies.length),
    efficiency_per_round: efficiencies,
    trades: rounds.reduce((n, r) => n + r.trades.length, 0),
    chemicals,
  };
}
