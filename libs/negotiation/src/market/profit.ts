import type { Chemical } from '@parley/contracts';
import { Cents, multiplyCents, sumCents } from '../money';
import { MarketDesign, Schedule, designChemicals, scheduleOf } from './design';
import { curves, equilibrium } from './equilibrium';

/** A settled trade of a market, in settlement order. */
export interface MarketTrade {
  chemical: Chemical;
  buyer: string;
  seller: string;
  price_cents: Cents;
  quantity: number;
}

export interface TeamProfit {
  team: string;
  profit_cents: Cents;
  bought: Record<Chemical, number>;
  sold: Record<Chemical, number>;
}

export interface ChemicalResult {
  chemical: Chemical;
  volume: number;
  /** Volume-weighted, rounded to the cent; null without trades. */
  mean_price_cents: Cents | null;
  realised_surplus_cents: Cents;
  max_surplus_cents: Cents;
  /** realised / maximum surplus; null when no surplus was possible. */
  efficiency: number | null;
}

export interface MarketResults {
  teams: TeamProfit[];
  chemicals: ChemicalResult[];
  realised_surplus_cents: Cents;
  max_surplus_cents: Cents;
  efficiency: number | null;
}

/** A trade the market's rules forbid (a seller selling past its cost schedule). */
export class MarketRuleError extends Error {
  override name = 'MarketRuleError';
}

/**
 * Profit at each team's own schedule, taking units in trade order: a buyer's k-th unit of a chemical is
 * worth its k-th value step (0 past its schedule, or with no schedule), a seller's k-th unit costs its
 * k-th cost step. A seller may not sell past its cost schedule (the honour rule refuses such a trade);
 * meeting one here means the trades and the design disagree, and is an error, not a number.
 * Realised surplus Σ(value − cost) equals the sum of profits: prices only move surplus between teams.
 */
export function marketResults(design: MarketDesign, trades: MarketTrade[]): MarketResults {
  const teams = new Map<string, TeamProfit>();
  const teamOf = (team: string) => {
    let t = teams.get(team);
    if (!t) teams.set(team, (t = { team, profit_cents: 0, bought: zeroes(), sold: zeroes() }));
    return t;
  };
  for (const t of design.teams) teamOf(t.team);
  const chemicals = designChemicals(design);
  for (const tr of trades) if (!chemicals.includes(tr.chemical)) chemicals.push(tr.chemical);
  const surplus = zeroes();
  const volume = zeroes();
  const turnover = zeroes();

  for (const tr of trades) {
    if (tr.buyer === tr.seller) throw new MarketRuleError(`${tr.buyer} cannot trade with itself`);
    const buyer = teamOf(tr.buyer);
    const seller = teamOf(tr.seller);
    const paid = multiplyCents(tr.price_cents, tr.quantity);
    const value = unitsWorth(scheduleOf(design, tr.buyer, tr.chemical), 'buy', buyer.bought[tr.chemical], tr.quantity);
    const sellSchedule = scheduleOf(design, tr.seller, tr.chemical);
    if (sellSchedule?.side !== 'sell') throw new MarketRuleError(`${tr.seller} has no cost schedule for ${tr.chemical} and cannot sell it`);
    const cost = unitsWorth(sellSchedule, 'sell', seller.sold[tr.chemical], tr.quantity);
    if (cost === null) throw new MarketRuleError(`${tr.seller} sells more ${tr.chemical} than its cost schedule holds`);
    buyer.profit_cents += value! - paid;
    seller.profit_cents += paid - cost;
    buyer.bought[tr.chemical] += tr.quantity;
    seller.sold[tr.chemical] += tr.quantity;
    surplus[tr.chemical] += value! - cost;
    volume[tr.chemical] += tr.quantity;
    turnover[tr.chemical] += paid;
  }

  const perChemical: ChemicalResult[] = chemicals.map((chemical) => {
    const c = curves(design, chemical);
    const max = c.demand.length > 0 && c.supply.length > 0 ? equilibrium(c).max_surplus_cents : 0;
    return {
      chemical,
      volume: volume[chemical],
      mean_price_cents: volume[chemical] > 0 ? Math.round(turnover[chemical] / volume[chemical]) : null,
      realised_surplus_cents: surplus[chemical],
      max_surplus_cents: max,
      efficiency: max > 0 ? surplus[chemical] / max : null,
    };
  });
  const realised = sumCents(perChemical.map((c) => c.realised_surplus_cents));
  const max = sumCents(perChemical.map((c) => c.max_surplus_cents));
  return {
    teams: [...teams.values()],
    chemicals: perChemical,
    realised_surplus_cents: realised,
    max_surplus_cents: max,
    efficiency: max > 0 ? realised / max : null,
  };
}

/**
 * Σ of the schedule's prices for units after+1 … after+quantity. Value schedules (and no schedule) give
 * 0 past their end; a cost schedule gives null there (the seller cannot sell those units).
 */
export function unitsWorth(schedule: Schedule | undefined, side: 'buy' | 'sell', after: number, quantity: number): Cents | null {
  if (side === 'buy' && schedule?.side !== 'buy') return 0;
  let total = 0;
  let left = quantity;
  let start = 0;
  for (const step of schedule!.steps) {
    const end = start + step.quantity;
    const from = Math.max(start, after);
    const n = Math.min(end - from, left);
    if (n > 0) {
      total += multiplyCents(step.cents, n);
      left -= n;
      after += n;
    }
    start = end;
    if (left === 0) break;
  }
  if (left > 0 && side === 'sell') return null;
  return total;
}

const zeroes = (): Record<Chemical, number> => ({ C: 0, N: 0, D: 0, Q: 0 });
