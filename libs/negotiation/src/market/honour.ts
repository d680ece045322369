import { Chemical } from '@parley/contracts';
import { Cents, MIN_PRICE_CENTS, formatCents, multiplyCents } from '../money';
import { MarketSide, TeamDesign, scheduleUnits } from './design';
import { MarketTrade } from './profit';

/**
 * Something a team has said it will do and may yet have to: an open order, or its own proposal or
 * agreement in an open negotiation. Commitments with the same `id` are one promise (an order and the
 * negotiations opened on it fill it once): together they reserve what the largest of them needs.
 */
export interface Commitment {
  id: string;
  side: MarketSide;
  chemical: Chemical;
  price_cents: Cents;
  quantity: number;
}

export interface TeamPosition {
  cash_cents: Cents;
  goods: Record<Chemical, number>;
  /**
   * In a market: units of each chemical the team may still sell under its cost schedule (absent = 0,
   * no cost schedule). Undefined outside a market (free trading: only goods limit a sale).
   */
  sell_limit?: Partial<Record<Chemical, number>>;
}

export type HonourCode = 'INVALID_TERMS' | 'NOT_ENOUGH_CASH' | 'NOT_ENOUGH_GOODS' | 'BEYOND_SCHEDULE';
export type HonourResult = { ok: true } | { ok: false; code: HonourCode; message: string };

/**
 * Could the team honour `candidate` on top of everything else it has promised? The rule: every open
 * commitment reserves in full — a buy its price × quantity of cash, a sale its goods and its units of
 * the cost schedule — and nothing still to come in counts (an open sale's cash may never arrive). So
 * however the open commitments settle, in any order, none of them can fail for want of cash or goods.
 * The candidate's own id is left out of `open`, so a re-check of the same order or negotiation (a new
 * proposal, the agreement, the settlement) does not count against itself.
 */
export function canHonour(position: TeamPosition, open: Commitment[], candidate: Commitment): HonourResult {
  if (!Number.isSafeInteger(candidate.quantity) || candidate.quantity < 1)
    return { ok: false, code: 'INVALID_TERMS', message: `quantity must be a whole number of at least 1 (got ${candidate.quantity})` };
  if (!Number.isSafeInteger(candidate.price_cents) || candidate.price_cents < MIN_PRICE_CENTS)
    return { ok: false, code: 'INVALID_TERMS', message: `price must be at least ${formatCents(MIN_PRICE_CENTS)}` };
  const reserved = reservations(open.filter((c) => c.id !== candidate.id));
  const { chemical, quantity } = candidate;
  if (candidate.side === 'buy') {
    const cost = multiplyCents(candidate.price_cents, quantity);
    const free = position.cash_cents - reserved.cash;
    if (cost > free)
      return {
        ok: false,
        code: 'NOT_ENOUGH_CASH',
        message: `this needs ${formatCents(cost)} cash; you have ${formatCents(position.cash_cents)}, of which ${formatCents(reserved.cash)} is promised in other open orders and negotiations`,
      };
    return { ok: true };
  }
  if (position.sell_limit) {
    const limit = position.sell_limit[chemical] ?? 0;
    if (quantity > limit - reserved.goods[chemical])
      return {
        ok: false,
        code: 'BEYOND_SCHEDULE',
        message:
          limit === 0
            ? `you have no cost schedule for ${chemical} (or none left), so you cannot sell it in this market`
            : `your cost schedule lets you sell ${limit} more ${chemical}, of which ${reserved.goods[chemical]} are promised elsewhere`,
      };
  }
  const free = position.goods[chemical] - reserved.goods[chemical];
  if (quantity > free)
    return {
      ok: false,
      code: 'NOT_ENOUGH_GOODS',
      message: `this sells ${quantity} ${chemical}; you hold ${position.goods[chemical]}, of which ${reserved.goods[chemical]} are promised in other open orders and negotiations`,
    };
  return { ok: true };
}

/** Cash and goods held back by open commitments; one promise (id) reserves its largest member. */
export function reservations(open: Commitment[]): { cash: Cents; goods: Record<Chemical, number> } {
  const total = { cash: 0, goods: zeroes() };
  open.forEach((c, i) => {
    if (open.findIndex((o) => o.id === c.id) !== i) return; // the promise was counted at its first member
    let cash = 0;
    let units = 0;
    for (const o of open) {
      if (o.id !== c.id) continue;
      if (o.side === 'buy') cash = Math.max(cash, multiplyCents(o.price_cents, o.quantity));
      else units = Math.max(units, o.quantity);
    }
    total.cash += cash;
    if (c.side === 'sell') total.goods[c.chemical] += units;
  });
  return total;
}

/** A team's position in a market: its design holdings plus its settled trades, and what it may still sell. */
export function marketPosition(team: TeamDesign, trades: MarketTrade[]): TeamPosition {
  const goods = { ...team.holdings.goods };
  let cash = team.holdings.cash_cents;
  const sellLimit: Partial<Record<Chemical, number>> = {};
  for (const s of team.schedules) if (s.side === 'sell') sellLimit[s.chemical] = scheduleUnits(s);
  for (const t of trades) {
    const paid = multiplyCents(t.price_cents, t.quantity);
    if (t.buyer === team.team) {
      cash -= paid;
      goods[t.chemical] += t.quantity;
    }
    if (t.seller === team.team) {
      cash += paid;
      goods[t.chemical] -= t.quantity;
      sellLimit[t.chemical] = (sellLimit[t.chemical] ?? 0) - t.quantity;
    }
  }
  return { cash_cents: cash, goods, sell_limit: sellLimit };
}

const zeroes = (): Record<Chemical, number> => ({ C: 0, N: 0, D: 0, Q: 0 });
