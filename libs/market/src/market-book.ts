import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, NegotiationMeta, ParleyError, PartyState } from '@parley/contracts';
import {
  DataPaths,
  MarketFile,
  MarketStore,
  NegotiationFiles,
  NegotiationStore,
  OrderStore,
  dirVersion,
  isNegotiationId,
  listDirSync,
  readJsonSync,
  readStatesSync,
  readTransactions,
  teamHoldings,
} from '@parley/store';
import {
  Commitment,
  MarketDesign,
  MarketTrade,
  TeamDesign,
  TeamPosition,
  canHonour,
  marketPosition,
  parseDesign,
  parsePrice,
  termsOf,
  toCents,
} from '@parley/negotiation';

/** A market with its design read into cents and both directions of the team assignment. */
export interface LoadedMarket {
  file: MarketFile;
  design: MarketDesign;
  slotOf(email: string): string | undefined;
  emailOf(slot: string): string | undefined;
  teamOf(email: string): TeamDesign | undefined;
}

/** A settled trade of a market, by design team (slot), with when it settled and which negotiation made it. */
export interface TimedTrade extends MarketTrade {
  negotiation_id: string;
  /** unix seconds (the transaction's timestamp) */
  at: number;
}

/** What a team is about to promise: a new order, a proposal, an agreement. */
export interface Candidate extends Commitment {
  market_id?: string;
}

/**
 * The market's reading of DATA_DIR: a team's position (holdings in cents), what it has promised in open
 * orders and negotiations, whether it could honour one more promise, and a market's trades. Nothing is
 * stored here: positions and trades are computed from the orders, state files and transaction files.
 */
export class MarketBook {
  private readonly metas = new Map<string, NegotiationMeta>();
  private readonly createdMetas = new Map<string, { version: string; meta: NegotiationMeta }>();
  private readonly offersByDir = new Map<string, { version: string; offer: OpenOffer | null }>();

  constructor(
    private readonly paths: DataPaths,
    private readonly markets: MarketStore,
    private readonly orders: OrderStore,
    private readonly negotiations: NegotiationStore,
  ) {}

  async load(id: string): Promise<LoadedMarket | null> {
    const file = await this.markets.readMarket(id);
    if (!file) return null;
    const parsed = parseDesign(file.design);
    if (!parsed.ok) throw new ParleyError(ErrorCode.StorageFailed, `market ${id} holds an invalid design`, 500);
    const design = parsed.design;
    const bySlot = new Map(Object.entries(file.assignment).map(([email, slot]) => [slot, email]));
    return {
      file,
      design,
      slotOf: (email) => file.assignment[email],
      emailOf: (slot) => bySlot.get(slot),
      teamOf: (email) => design.teams.find((t) => t.team === file.assignment[email]),
    };
  }

  /** The market's settled trades in settlement order (each read once, from the buyer's transaction files). */
  async trades(market: LoadedMarket): Promise<TimedTrade[]> {
    const all = await Promise.all(Object.keys(market.file.assignment).map((email) => this.tradesOf(market, email, 'buy')));
    return sortTrades(all.flat());
  }

  /** One team's trades in the market, from its own transaction files (`only`: one side of them). */
  async tradesOf(market: LoadedMarket, email: string, only?: 'buy' | 'sell'): Promise<TimedTrade[]> {
    const out: TimedTrade[] = [];
    for (const { transaction: tx } of await readTransactions(this.paths, email).catch(() => [])) {
      if ((only && tx.type !== only) || !tx.negotiation_id) continue;
      const meta = await this.metaOf(email, tx.negotiation_id);
      if (meta?.market_id !== market.file.id) continue;
      const [buyer, seller] = tx.type === 'buy' ? [email, tx.counterparty] : [tx.counterparty, email];
      const price = parsePrice(tx.price);
      const b = market.slotOf(buyer);
      const s = market.slotOf(seller);
      if (!b || !s || !price.ok) continue;
      out.push({
        negotiation_id: tx.negotiation_id,
        at: tx.timestamp,
        chemical: tx.chemical,
        buyer: b,
        seller: s,
        price_cents: price.cents,
        quantity: tx.quantity,
      });
    }
    return sortTrades(out);
  }

  /** In a market: its design holdings plus its trades there. On the free board: init.json plus every trade. */
  async position(email: string, market: LoadedMarket | null, excludeNegotiationId?: string): Promise<TeamPosition> {
    if (market) {
      const team = market.teamOf(email);
      if (!team) throw notMember();
      const trades = (await this.tradesOf(market, email)).filter((t) => t.negotiation_id !== excludeNegotiationId);
      return marketPosition(team, trades);
    }
    const h = await teamHoldings(this.paths, email, { excludeNegotiationId });
    // holdings are sums of two-decimal prices: cents read back exactly from the number
    return { cash_cents: Math.round(h.cash * 100), goods: { C: h.C, N: h.N, D: h.D, Q: h.Q } };
  }

  /**
   * What the team has promised in the same market (or on the free board): its open orders, and its own
   * proposal or agreement in every open negotiation. The owner's offers in negotiations on one of its
   * open orders are the same promise as the order (whichever settles fills it); `withoutOrder` reads
   * the book as if that order were already taken, each of its negotiations a promise of its own.
   */
  async commitments(email: string, marketId: string | undefined, options: { withoutOrder?: string } = {}): Promise<Commitment[]> {
    const out: Commitment[] = [];
    const openOrders = new Set<string>();
    for (const o of await this.orders.listOf(email)) {
      const price = parsePrice(o.price);
      if (o.market_id !== marketId || !price.ok || o.id === options.withoutOrder) continue;
      openOrders.add(o.id);
      out.push({ id: o.id, side: o.side, chemical: o.chemical, price_cents: price.cents, quantity: o.quantity });
    }
    for (const { meta, own } of await this.openOffers(email)) {
      if (meta.market_id !== marketId) continue;
      const terms = termsOf(own.offer)!;
      out.push({
        id: meta.order_id && openOrders.has(meta.order_id) ? meta.order_id : meta.id,
        side: own.role === 'buyer' ? 'buy' : 'sell',
        chemical: meta.chemical!,
        price_cents: toCents(terms.price),
        quantity: terms.quantity,
      });
    }
    return out;
  }

  /**
   * The team's own offers (proposed or agreed) in its open peer negotiations, settling ones included.
   * Read synchronously, negotiation.json once per process (it is written once, at creation): this runs
   * under the team's promise lock on every proposal and agreement, where a hop through libuv's pool per
   * file made the check cost tens of ms for a team with a few dozen open negotiations.
   */
  private async openOffers(email: string): Promise<OpenOffer[]> {
    const dirs = [this.paths.negotiationsDir(email), this.paths.claimedDir(email)].flatMap((parent) =>
      listDirSync(parent)
        .filter(isNegotiationId)
        .map((id) => ({ id, dir: join(parent, id) })),
    );
    const out: OpenOffer[] = [];
    for (const { id, dir } of dirs) {
      const offer = this.openOfferIn(id, dir, email);
      if (offer) out.push(offer);
    }
    return out;
  }

  /**
   * The team's open offer in one negotiation directory, remembered with the directory's version: every
   * state write is a rename into the directory, so an unchanged version means unchanged states and one
   * stat answers. A directory changed within RACY_MS of the read is not remembered: a second change in
   * the same tick of the file system's clock would leave its version as it was.
   */
  private openOfferIn(id: string, dir: string, email: string): OpenOffer | null {
    const version = dirVersion(dir);
    if (!version) return null;
    const known = this.offersByDir.get(dir);
    if (known?.version === version.version) return known.offer;
    const listing = listingOf(dir);
    const offer = readOpenOffer(dir, listing, this.createdMeta(id, dir, listing), email);
    if (Date.now() - version.changedMs > RACY_MS) {
      if (this.offersByDir.size > 100_000) this.offersByDir.clear();
      this.offersByDir.set(dir, { version: version.version, offer });
    }
    return offer;
  }

  /**
   * negotiation.json of the negotiation in `dir` (null while it is not there yet, or unreadable),
   * remembered with its version (inode, size, mtime): a stat instead of a read, and a directory removed
   * and made again under the same id (a creation that failed) is read afresh.
   */
  private createdMeta(id: string, dir: string, listing: string[]): NegotiationMeta | null {
    if (!listing.includes(NegotiationFiles.meta)) return null;
    const path = join(dir, NegotiationFiles.meta);
    let version: string;
    try {
      const st = statSync(path);
      version = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return null;
    }
    const known = this.createdMetas.get(id);
    if (known?.version === version) return known.meta;
    let meta: NegotiationMeta | null;
    try {
      meta = readJsonSync<NegotiationMeta>(path);
    } catch {
      return null;
    }
    if (!meta || meta.id !== id) return null;
    if (this.createdMetas.size > 100_000) this.createdMetas.clear();
    this.createdMetas.set(id, { version, meta });
    return meta;
  }

  /** Refuses, with a clear code, a promise the team could not honour on top of its others. */
  async assertCanHonour(email: string, candidate: Candidate, options: { withoutOrder?: string } = {}): Promise<void> {
    const market = candidate.market_id ? await this.requireRunning(candidate.market_id, email) : null;
    const open = await this.commitments(email, candidate.market_id, options);
    const result = canHonour(await this.position(email, market), open, candidate);
    if (!result.ok) throw new ParleyError(ErrorCode[HONOUR_CODES[result.code]], result.message, 409);
  }

  /**
   * Settlement's second look at a market trade: each side, with this trade's own promise left out,
   * could still honour it. The free board's holdings are checked by the ledger itself.
   */
  async settlementProblem(
    meta: NegotiationMeta,
    trade: { buyer: string; seller: string; price: number; quantity: number },
  ): Promise<string | null> {
    if (!meta.market_id || !meta.chemical) return null;
    const market = await this.load(meta.market_id);
    if (!market) return `market ${meta.market_id} does not exist`;
    const price = parsePrice(trade.price);
    if (!price.ok) return price.error;
    for (const [email, side] of [
      [trade.buyer, 'buy'],
      [trade.seller, 'sell'],
    ] as const) {
      if (!market.teamOf(email)) return `${email} is not in market ${meta.market_id}`;
      const candidate = { id: meta.order_id ?? meta.id, side, chemical: meta.chemical, price_cents: price.cents, quantity: trade.quantity };
      const position = await this.position(email, market, meta.id);
      const open = (await this.commitments(email, meta.market_id)).filter((c) => c.id !== meta.id);
      const result = canHonour(position, open, candidate);
      if (!result.ok) return `${email}: ${result.message}`;
    }
    return null;
  }

  /** The market, open for trading, with the team as one of its members. */
  async requireRunning(marketId: string, email: string): Promise<LoadedMarket> {
    const market = await this.load(marketId);
    if (!market) throw new ParleyError(ErrorCode.NotFound, 'no such market', 404);
    if (!market.teamOf(email)) throw notMember();
    if (market.file.ended_at !== undefined || Date.now() >= market.file.ends_at * 1000)
      throw new ParleyError(ErrorCode.MarketClosed, 'this market is closed: trading has ended', 409);
    return market;
  }

  /** A negotiation's meta, found through the team's own namespace; written once, so kept. */
  private async metaOf(email: string, negotiationId: string): Promise<NegotiationMeta | null> {
    if (this.metas.has(negotiationId)) return this.metas.get(negotiationId)!;
    const meta = (await this.negotiations.locate(email, negotiationId).catch(() => null))?.meta ?? null;
    if (this.metas.size > 100_000) this.metas.clear();
    if (meta) this.metas.set(negotiationId, meta);
    return meta;
  }
}

/** A team's own proposal or agreement in an open peer negotiation. */
interface OpenOffer {
  meta: NegotiationMeta;
  own: PartyState;
}

/** Longer than any file system's timestamp tick (and than the clock skew between hosts sharing DATA_DIR). */
const RACY_MS = 2000;

function readOpenOffer(dir: string, listing: string[], meta: NegotiationMeta | null, email: string): OpenOffer | null {
  if (!meta || meta.kind !== 'peer' || !meta.chemical) return null;
  const own = ownState(dir, listing, meta, email);
  const terms = termsOf(own?.offer);
  if (!own || own.status === 'rejected' || !terms || !parsePrice(terms.price).ok || !Number.isSafeInteger(terms.quantity)) return null;
  return { meta, own };
}

/**
 * The team's own state in a negotiation directory: its own file first (named by its prefix in
 * negotiation.json), confirmed by the `user` inside; every state file only when that does not answer.
 */
function ownState(dir: string, listing: string[], meta: NegotiationMeta, email: string): PartyState | undefined {
  const prefix = meta.parties?.find((p) => p.user === email)?.prefix;
  const name = prefix ? NegotiationFiles.state(prefix) : null;
  if (name && listing.includes(name)) {
    const [own] = readStatesSync(dir, [name]);
    if (own?.user === email) return own;
  }
  return readStatesSync(dir, listing).find((s) => s.user === email);
}

/** A negotiation directory's names; none when it is not a directory (a stray file, a link whose target is gone). */
function listingOf(dir: string): string[] {
  try {
    return listDirSync(dir);
  } catch {
    return [];
  }
}

const HONOUR_CODES = {
  INVALID_TERMS: 'InvalidOffer',
  NOT_ENOUGH_CASH: 'NotEnoughCash',
  NOT_ENOUGH_GOODS: 'NotEnoughGoods',
  BEYOND_SCHEDULE: 'BeyondSchedule',
} as const satisfies Record<string, keyof typeof ErrorCode>;

const notMember = () => new ParleyError(ErrorCode.Forbidden, 'you are not a team in this market', 403);

const sortTrades = (trades: TimedTrade[]) => trades.sort((a, b) => a.at - b.at || a.negotiation_id.localeCompare(b.negotiation_id));
