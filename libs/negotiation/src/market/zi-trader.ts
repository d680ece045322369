import { Chemical } from '@parley/contracts';
import { Cents, MIN_PRICE_CENTS, multiplyCents } from '../money';
import { MarketDesign, MarketSide, Step, designChemicals } from './design';
import { Commitment, TeamPosition, canHonour } from './honour';
import { MarketTrade } from './profit';

/**
 * Budget-constrained zero-intelligence traders (Gode & Sunder 1993, "ZI-C"): a buyer bids a uniformly
 * random price between the lowest price and the value of its next unit, a seller asks a uniformly random
 * price between the cost of its next unit and the highest price. They never trade at a loss and learn
 * nothing. Units move in lots: the largest quantity that divides every step of the design, so a lot
 * never spans two steps and has one value.
 */
export interface ZiTrader {
  team: string;
  chemical: Chemical;
  side: MarketSide;
  steps: Step[];
  /** Units traded so far this round. */
  traded: number;
}

/**
 * The traders and the lot size of a design. `floor` and `ceiling` bound every ZI price of a chemical:
 * the lowest and highest induced value or cost in it (Gode & Sunder's fixed price range, per market),
 * so buyers' and sellers' random prices have the same room.
 */
export interface ZiMarket {
  traders: ZiTrader[];
  lot: number;
  floor: Record<Chemical, Cents>;
  ceiling: Record<Chemical, Cents>;
}

export function ziMarket(design: MarketDesign): ZiMarket {
  const traders: ZiTrader[] = [];
  let lot = 0;
  for (const t of design.teams)
    for (const s of t.schedules) {
      traders.push({ team: t.team, chemical: s.chemical, side: s.side, steps: s.steps, traded: 0 });
      for (const st of s.steps) lot = gcd(lot, st.quantity);
    }
  const floor = {} as Record<Chemical, Cents>;
  const ceiling = {} as Record<Chemical, Cents>;
  for (const c of designChemicals(design)) {
    const prices = traders.filter((t) => t.chemical === c).flatMap((t) => t.steps.map((s) => s.cents));
    floor[c] = Math.max(MIN_PRICE_CENTS, Math.min(...prices));
    ceiling[c] = Math.max(MIN_PRICE_CENTS, ...prices);
  }
  return { traders, lot, floor, ceiling };
}

/** The value (buyer) or cost (seller) of the trader's next lot, or null when its schedule is used up. */
export function nextLotPrice(trader: ZiTrader): Cents | null {
  let start = 0;
  for (const s of trader.steps) {
    if (trader.traded < start + s.quantity) return s.cents;
    start += s.quantity;
  }
  return null;
}

/** A ZI-C bid or ask for the trader's next lot, or null when it has nothing left to trade or no room to. */
export function ziPrice(market: ZiMarket, trader: ZiTrader, rng: () => number): Cents | null {
  const limit = nextLotPrice(trader);
  if (limit === null) return null;
  const [lo, hi] =
    trader.side === 'buy'
      ? [market.floor[trader.chemical], limit]
      : [Math.max(limit, market.floor[trader.chemical]), Math.max(limit, market.ceiling[trader.chemical])];
  if (hi < lo) return null;
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Would the trader accept `price` for its next lot (not at a loss)? */
export function acceptable(trader: ZiTrader, price: Cents): boolean {
  const limit = nextLotPrice(trader);
  if (limit === null) return false;
  return trader.side === 'buy' ? price <= limit : price >= limit;
}

/**
 * The simulations' book-keeping: every team's cash and goods, its open commitments, and the trades. A
 * trade settles only if both sides can honour it (the same rule as Parley's), and moves exact cents.
 */
export class MarketLedger {
  readonly trades: MarketTrade[] = [];
  private readonly positions = new Map<string, TeamPosition>();
  private readonly open = new Map<string, Commitment[]>();

  constructor(design: MarketDesign) {
    for (const t of design.teams) {
      const sellLimit: TeamPosition['sell_limit'] = {};
      for (const s of t.schedules) if (s.side === 'sell') sellLimit[s.chemical] = s.steps.reduce((n, st) => n + st.quantity, 0);
      this.positions.set(t.team, { cash_cents: t.holdings.cash_cents, goods: { ...t.holdings.goods }, sell_limit: sellLimit });
      this.open.set(t.team, []);
    }
  }

  position(team: string): TeamPosition {
    return this.positions.get(team)!;
  }

  canCommit(team: string, c: Commitment): boolean {
    return canHonour(this.position(team), this.open.get(team)!, c).ok;
  }

  /** Records (or replaces, by id) an open commitment; false if the team could not honour it. */
  commit(team: string, c: Commitment): boolean {
    if (!this.canCommit(team, c)) return false;
    this.release(team, c.id);
    this.open.get(team)!.push(c);
    return true;
  }

  release(team: string, id: string): void {
    this.open.set(
      team,
      this.open.get(team)!.filter((c) => c.id !== id),
    );
  }

  /**
   * Settles a trade under each side's commitment id (checked again, as Parley does at settlement), then
   * releases those commitments. Returns false, changing nothing, if either side could not honour it.
   */
  settle(trade: MarketTrade, buyerId: string, sellerId: string): boolean {
    const { chemical, price_cents, quantity } = trade;
    const asBuyer: Commitment = { id: buyerId, side: 'buy', chemical, price_cents, quantity };
    const asSeller: Commitment = { id: sellerId, side: 'sell', chemical, price_cents, quantity };
    if (!this.canCommit(trade.buyer, asBuyer) || !this.canCommit(trade.seller, asSeller)) return false;
    const paid = multiplyCents(price_cents, quantity);
    const b = this.position(trade.buyer);
    const s = this.position(trade.seller);
    b.cash_cents -= paid;
    b.goods[chemical] += quantity;
    s.cash_cents += paid;
    s.goods[chemical] -= quantity;
    s.sell_limit![chemical] = (s.sell_limit![chemical] ?? 0) - quantity;
    this.release(trade.buyer, buyerId);
    this.release(trade.seller, sellerId);
    this.trades.push(trade);
    return true;
  }

  holdings(): Map<string, TeamPosition> {
    return this.positions;
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
