import { pick } from '../rng';
import { Cents } from '../money';
import { MarketDesign } from './design';
import { MarketTrade } from './profit';
import { MarketLedger, ZiMarket, ZiTrader, acceptable, nextLotPrice, ziMarket, ziPrice } from './zi-trader';
import { TeamPosition } from './honour';

export interface RoundResult {
  trades: MarketTrade[];
  /** Every team's cash, goods and remaining cost schedule at the end of the round. */
  holdings: Map<string, TeamPosition>;
}

/**
 * Actions per round: this many per lot any trader could trade, and at least MIN_TICKS (a tiny market
 * still gets time); a round ends earlier when no trader has units left.
 */
export const DEFAULT_TICKS_PER_LOT = 20;
export const MIN_TICKS = 200;

interface BookOrder {
  id: string;
  trader: ZiTrader;
  price: Cents;
  seq: number;
}

/**
 * A plain continuous double auction: each tick a random trader with units left sends a ZI-C bid or ask
 * for one lot. A bid at or above the best ask trades at the ask's price (the earlier order's price), an
 * ask at or below the best bid at the bid's price; otherwise the order replaces the trader's standing one
 * in the book. Best price first, then the earlier order.
 */
export function doubleAuctionRound(design: MarketDesign, rng: () => number, ticksPerLot = DEFAULT_TICKS_PER_LOT): RoundResult {
  const market = ziMarket(design);
  const ledger = new MarketLedger(design);
  const books = new Books<BookOrder>();
  const active = new ActiveTraders(market.traders);
  let seq = 0;
  for (let tick = 0, ticks = roundTicks(market, ticksPerLot); tick < ticks && active.size > 0; tick++) {
    const trader = active.pick(rng);
    const price = ziPrice(market, trader, rng);
    if (price === null) continue;
    const id = `${trader.team}:${trader.chemical}`;
    const own = books.side(trader);
    const other = books.facing(trader);
    let best: BookOrder | undefined;
    for (const o of other) {
      const better = trader.side === 'buy' ? o.price < (best?.price ?? Infinity) : o.price > (best?.price ?? -Infinity);
      if (better) best = o; // the book is in time order, so on equal prices the earlier order stays best
    }
    if (best && (trader.side === 'buy' ? price >= best.price : price <= best.price)) {
      const [buyer, seller] = trader.side === 'buy' ? [trader, best.trader] : [best.trader, trader];
      const trade: MarketTrade = {
        chemical: trader.chemical,
        buyer: buyer.team,
        seller: seller.team,
        price_cents: best.price,
        quantity: market.lot,
      };
      const [buyerId, sellerId] = trader.side === 'buy' ? [id, best.id] : [best.id, id];
      if (ledger.settle(trade, buyerId, sellerId)) {
        active.traded(buyer, market.lot);
        active.traded(seller, market.lot);
        removeOrders(other, (o) => o.id === best.id);
        removeOrders(own, (o) => o.id === id);
      }
      continue;
    }
    if (ledger.commit(trader.team, { id, side: trader.side, chemical: trader.chemical, price_cents: price, quantity: market.lot })) {
      removeOrders(own, (o) => o.id === id);
      own.push({ id, trader, price, seq: seq++ });
    }
  }
  return { trades: ledger.trades, holdings: ledger.holdings() };
}

interface PostedOrder extends BookOrder {
  /** Teams that opened a negotiation on this order: one per (order, responder). */
  responders: Set<string>;
}

/**
 * Parley's mechanism with ZI-C teams: a team posts an order (at most one open order per team and
 * chemical) or responds to a random open order of the other side, withdrawing its own. The responder
 * draws its own ZI-C price; if that reaches the order's price it accepts as posted, else it proposes its price and the
 * poster agrees when that is not a loss for it. Each negotiation ends in one trade or none; a filled
 * order leaves the board. Every order, proposal and agreement passes the honour rule, and so does the
 * settlement. No order book sorts the prices: a responder sees the board, not the best offer.
 */
export function bilateralRound(design: MarketDesign, rng: () => number, ticksPerLot = DEFAULT_TICKS_PER_LOT): RoundResult {
  const market = ziMarket(design);
  const ledger = new MarketLedger(design);
  const board = new Books<PostedOrder>();
  const active = new ActiveTraders(market.traders);
  let seq = 0;
  for (let tick = 0, ticks = roundTicks(market, ticksPerLot); tick < ticks && active.size > 0; tick++) {
    const trader = active.pick(rng);
    const price = ziPrice(market, trader, rng);
    if (price === null) continue;
    const open = board.facing(trader).filter((o) => o.trader.team !== trader.team && !o.responders.has(trader.team));
    if (open.length > 0 && rng() < 0.5) {
      const order = pick(rng, open);
      order.responders.add(trader.team);
      const negotiation = `n${seq++}`;
      const asPosted = trader.side === 'buy' ? price >= order.price : price <= order.price;
      const proposal = asPosted ? order.price : price;
      // its own order was for the same next lot: it withdraws it to respond (else it could rarely afford both)
      for (const o of board.mine(trader)) {
        ledger.release(trader.team, o.id);
        board.remove(o);
      }
      // the responder's proposal must pass the honour rule when it is made
      if (
        !ledger.commit(trader.team, {
          id: negotiation,
          side: trader.side,
          chemical: trader.chemical,
          price_cents: proposal,
          quantity: market.lot,
        })
      )
        continue;
      if (asPosted || acceptable(order.trader, proposal)) {
        const [buyer, seller] = trader.side === 'buy' ? [trader, order.trader] : [order.trader, trader];
        const [buyerId, sellerId] = trader.side === 'buy' ? [negotiation, order.id] : [order.id, negotiation];
        const trade: MarketTrade = {
          chemical: trader.chemical,
          buyer: buyer.team,
          seller: seller.team,
          price_cents: proposal,
          quantity: market.lot,
        };
        if (ledger.settle(trade, buyerId, sellerId)) {
          active.traded(buyer, market.lot);
          active.traded(seller, market.lot);
          board.remove(order); // filled: it leaves the board (settle released its commitment)
          continue;
        }
      }
      ledger.release(trader.team, negotiation); // rejected or failed: the negotiation closes, the order stays
      continue;
    }
    // post an order, or replace its own open one with a fresh price (a new order: anyone may respond again)
    const mine = board.mine(trader)[0];
    const id = mine?.id ?? `o${seq++}`;
    if (!ledger.commit(trader.team, { id, side: trader.side, chemical: trader.chemical, price_cents: price, quantity: market.lot }))
      continue;
    if (mine) board.remove(mine);
    board.side(trader).push({ id, trader, price, seq: seq++, responders: new Set() });
  }
  return { trades: ledger.trades, holdings: ledger.holdings() };
}

/** Orders by chemical and side, each list in time order. */
class Books<T extends { trader: ZiTrader }> {
  private readonly lists = new Map<string, T[]>();
  private list(chemical: string, side: string): T[] {
    const key = `${chemical}:${side}`;
    let l = this.lists.get(key);
    if (!l) this.lists.set(key, (l = []));
    return l;
  }
  /** The orders on the trader's own side of its chemical. */
  side(trader: ZiTrader): T[] {
    return this.list(trader.chemical, trader.side);
  }
  mine(trader: ZiTrader): T[] {
    return this.side(trader).filter((o) => o.trader === trader);
  }
  facing(trader: ZiTrader): T[] {
    return this.list(trader.chemical, trader.side === 'buy' ? 'sell' : 'buy');
  }
  remove(order: T): void {
    const l = this.list(order.trader.chemical, order.trader.side);
    const i = l.indexOf(order);
    if (i >= 0) l.splice(i, 1);
  }
}

/** The traders with units left, for a uniform random pick; a trader leaves when its schedule is used up. */
class ActiveTraders {
  private readonly list: ZiTrader[];
  constructor(traders: ZiTrader[]) {
    this.list = traders.filter((t) => nextLotPrice(t) !== null);
  }
  get size(): number {
    return this.list.length;
  }
  pick(rng: () => number): ZiTrader {
    return pick(rng, this.list);
  }
  traded(trader: ZiTrader, units: number): void {
    trader.traded += units;
    if (nextLotPrice(trader) === null) this.list.splice(this.list.indexOf(trader), 1);
  }
}

function roundTicks(market: ZiMarket, ticksPerLot: number): number {
  const lots = market.traders.reduce((n, t) => n + t.steps.reduce((m, s) => m + s.quantity, 0), 0) / market.lot;
  return Math.max(MIN_TICKS, ticksPerLot * lots);
}

function removeOrders<T>(orders: T[], match: (o: T) => boolean): void {
  for (let i = orders.length - 1; i >= 0; i--) if (match(orders[i])) orders.splice(i, 1);
}
