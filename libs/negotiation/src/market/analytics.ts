import type { Chemical } from '@parley/contracts';
import { Cents } from '../money';
import { MarketDesign, designChemicals } from './design';
import { Equilibrium, curves, equilibrium, stepChart } from './equilibrium';
import { MarketTrade, marketResults } from './profit';

/** One settled trade on the price chart. */
export interface TradePoint {
  /** unix seconds */
  at: number;
  price_cents: Cents;
  quantity: number;
}

export interface ChemicalAnalytics {
  chemical: Chemical;
  equilibrium: Equilibrium;
  /** Step charts: each step covers units (from, to] at its price. */
  demand: { from: number; to: number; cents: Cents }[];
  supply: { from: number; to: number; cents: Cents }[];
  trades: TradePoint[];
  volume: number;
  mean_price_cents: Cents | null;
  realised_surplus_cents: Cents;
  max_surplus_cents: Cents;
  efficiency: number | null;
}

export interface MarketAnalytics {
  chemicals: ChemicalAnalytics[];
  efficiency: number | null;
  realised_surplus_cents: Cents;
  max_surplus_cents: Cents;
  volume: number;
  trade_count: number;
  teams: { team: string; profit_cents: Cents }[];
}

/** What the instructor's market screens show, from the design and the trades (nothing stored twice). */
export function marketAnalytics(design: MarketDesign, trades: (MarketTrade & { at: number })[]): MarketAnalytics {
  const results = marketResults(design, trades);
  const chemicals = designChemicals(design).map((chemical): ChemicalAnalytics => {
    const c = curves(design, chemical);
    const r = results.chemicals.find((x) => x.chemical === chemical)!;
    return {
      chemical,
      equilibrium: equilibrium(c),
      demand: stepChart(c.demand),
      supply: stepChart(c.supply),
      trades: trades.filter((t) => t.chemical === chemical).map((t) => ({ at: t.at, price_cents: t.price_cents, quantity: t.quantity })),
      volume: r.volume,
      mean_price_cents: r.mean_price_cents,
      realised_surplus_cents: r.realised_surplus_cents,
      max_surplus_cents: r.max_surplus_cents,
      efficiency: r.efficiency,
    };
  });
  return {
    chemicals,
    efficiency: results.efficiency,
    realised_surplus_cents: results.realised_surplus_cents,
    max_surplus_cents: results.max_surplus_cents,
    volume: chemicals.reduce((n, c) => n + c.volume, 0),
    trade_count: trades.length,
    teams: results.teams.map((t) => ({ team: t.team, profit_cents: t.profit_cents })).sort((a, b) => b.profit_cents - a.profit_cents),
  };
}
