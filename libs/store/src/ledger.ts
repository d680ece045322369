import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Chemical, ErrorCode, Holdings, ParleyError } from '@parley/contracts';
import { CorruptFileError, FileJournal, createFileExclusive, listDir, readJson } from './files';
import { DataPaths } from './paths';
import type { Trade, TradeSide } from './transactions';
import { amountCents, centsAmount } from './cents';

/**
 * The trade ledger: how settlers on any number of hosts decide trades on one shared DATA_DIR with no
 * lock and no timeout, however long any of them is paused.
 *
 * Every team has a sequence of legs, teams/<email>/ledger/<seq>.json (1, 2, 3, … with no gaps). A
 * settler checks a team's holdings against legs 1..n and then creates leg n+1 exclusively (link() of a
 * complete, fsynced file, which fails with EEXIST when the slot is taken). A settler that was paused
 * while someone else took that slot finds it taken and starts over from a fresh read, so a check is
 * never outdated when its write lands.
 *
 * A peer negotiation's outcome is one exclusive file, teams/<initiator>/trade_decisions/<id>.json:
 * 'completed' (once both legs exist) or 'failed' (no money, rejected, expired). Whoever creates it
 * first decides; everyone, a resumed settler included, follows it. Transaction files (seed 000's
 * format) are written only after a 'completed' decision, from the decision's own copy of the trade.
 *
 * A leg counts as its full effect when the decision completed exactly its trade, as nothing when the
 * negotiation was decided otherwise, and while undecided as its debit only (the buyer's cash, the
 * seller's chemical): holdings never go below zero whichever way an undecided trade ends.
 */

export interface LedgerLeg {
  seq: number;
  negotiation_id: string;
  side: TradeSide;
  chemical: Chemical;
  price: number;
  quantity: number;
  /** The negotiation's initiator: where the decision lives. */
  owner: string;
  buyer: string;
  seller: string;
  created_at: number;
}

export interface TradeDecision {
  negotiation_id: string;
  status: 'completed' | 'failed';
  reason?: string;
  /** The trade completed (or refused); absent when the negotiation ended without one. */
  trade?: Trade;
  decided_at: number;
}

export interface LedgerHooks {
  /** After the holdings check, right before a leg is created (a pause here is the classic oversell window). */
  beforeLeg?(trade: Trade, side: TradeSide): Promise<void>;
  /** Both legs exist, right before the 'completed' decision is created. */
  beforeDecision?(trade: Trade): Promise<void>;
}

export interface LedgerView {
  legs: LedgerLeg[];
  /** The slot the next leg must take. */
  next: number;
}

/** Legs and decisions never change once created: parsed once per process. */
const legCache = new Map<string, LedgerLeg>();
const decisionCache = new Map<string, TradeDecision>();
const MAX_CACHED = 200_000;
const LEG_FILE = /^(\d{12})\.json$/;
const MAX_ROUNDS = 200;

const legName = (seq: number) => `${String(seq).padStart(12, '0')}.json`;

export async function readLedger(paths: DataPaths, email: string): Promise<LedgerView> {
  const dir = paths.ledgerDir(email);
  for (let tries = 0; ; tries++) {
    const seqs = (await listDir(dir))
      .map((n) => LEG_FILE.exec(n)?.[1])
      .filter((s): s is string => !!s)
      .map(Number)
      .sort((a, b) => a - b);
    // a listing taken while legs are added may miss one below the highest: list again
    const contiguous = seqs.every((s, i) => s === i + 1);
    if (!contiguous && tries < 3) continue;
    const legs = await Promise.all(seqs.map((seq) => readLeg(join(dir, legName(seq)))));
    return { legs, next: (seqs[seqs.length - 1] ?? 0) + 1 };
  }
}

async function readLeg(path: string): Promise<LedgerLeg> {
  const cached = legCache.get(path);
  if (cached) return cached;
  const leg = await readJson<LedgerLeg>(path);
  if (!leg || typeof leg.negotiation_id !== 'string' || !Number.isFinite(leg.price) || !Number.isFinite(leg.quantity)) {
    throw new CorruptFileError(path, 'is not a valid ledger leg');
  }
  remember(legCache, path, leg);
  return leg;
}

export async function readDecision(paths: DataPaths, owner: string, negotiationId: string): Promise<TradeDecision | null> {
  const path = paths.tradeDecision(owner, negotiationId);
  const cached = decisionCache.get(path);
  if (cached) return cached;
  const d = await readJson<TradeDecision>(path);
  if (!d) return null;
  if (d.status !== 'completed' && d.status !== 'failed') {
    throw new CorruptFileError(path, 'is not a valid trade decision');
  }
  remember(decisionCache, path, d);
  return d;
}

export interface LegEffect {
  leg: LedgerLeg;
  decision: TradeDecision | null;
}

/** The ledger's legs with their trades' decisions. */
export async function ledgerEffects(paths: DataPaths, view: LedgerView): Promise<LegEffect[]> {
  return Promise.all(view.legs.map(async (leg) => ({ leg, decision: await readDecision(paths, leg.owner, leg.negotiation_id) })));
}

/**
 * Applies legs to holdings: completed in full; undecided as their debit only when `undecided` is
 * 'debit' (what a new trade may rely on), or not at all when 'ignore' (what the team owns for sure).
 */
export function applyLegs(h: Holdings, effects: LegEffect[], undecided: 'debit' | 'ignore', excludeNegotiationId?: string): Holdings {
  let out = { ...h };
  for (const { leg, decision } of effects) {
    if (excludeNegotiationId !== undefined && leg.negotiation_id === excludeNegotiationId) continue;
    if (decision && !(decision.status === 'completed' && sameTrade(leg, decision.trade))) continue;
    const value = amountCents(leg.price) * leg.quantity;
    const complete = decision !== null;
    if (!complete && undecided === 'ignore') continue;
    if (leg.side === 'buy') {
      out = {
        ...out,
        cash: centsAmount(amountCents(out.cash) - value),
        ...(complete ? { [leg.chemical]: out[leg.chemical] + leg.quantity } : {}),
      };
    } else {
      out = {
        ...out,
        [leg.chemical]: out[leg.chemical] - leg.quantity,
        ...(complete ? { cash: centsAmount(amountCents(out.cash) + value) } : {}),
      };
    }
  }
  return out;
}

/** What a team can spend on a new trade: everything but its ledger, plus the ledger with undecided debits held back. */
export type BaseHoldings = (email: string, view: LedgerView) => Promise<Holdings>;

/**
 * Decides one trade and returns the decision (this call's or an earlier one's). `base` gives a team's
 * holdings outside the ledger (init.json plus transaction files the ledger does not cover).
 */
export async function decideTrade(
  paths: DataPaths,
  owner: string,
  trade: Trade,
  base: BaseHoldings,
  options: { hooks?: LedgerHooks; now?: () => number; journal?: FileJournal } = {},
): Promise<TradeDecision> {
  const now = options.now ?? Date.now;
  const { journal } = options;
  const id = trade.negotiation_id;
  const decide = (status: TradeDecision['status'], reason?: string) =>
    createDecision(paths, owner, id, status, reason, trade, now, journal);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const existing = await readDecision(paths, owner, id);
    if (existing) return existing;
    const [b, s] = await Promise.all([knownLedger(paths, trade.buyer), knownLedger(paths, trade.seller)]);
    const ownBuy = b.legs.find((l) => l.side === 'buy' && sameTrade(l, trade));
    const ownSell = s.legs.find((l) => l.side === 'sell' && sameTrade(l, trade));
    // a side whose leg exists was checked when the leg was created; every later leg counted its debit
    const shortfall =
      (ownSell ? null : sellerShortfall(trade, applyLegs(await base(trade.seller, s), await ledgerEffects(paths, s), 'debit'))) ??
      (ownBuy ? null : buyerShortfall(trade, applyLegs(await base(trade.buyer, b), await ledgerEffects(paths, b), 'debit')));
    if (shortfall) {
      // a refusal is final: never made from what this process remembered, only from a fresh read
      if (b.remembered || s.remembered) {
        forgetLedger(paths, trade.buyer);
        forgetLedger(paths, trade.seller);
        continue;
      }
      const refused = await decide('failed', shortfall);
      if (refused) return refused;
      continue;
    }
    if (!ownBuy) {
      await options.hooks?.beforeLeg?.(trade, 'buy');
      if (!(await createLeg(paths, trade.buyer, leg(owner, trade, 'buy', b.next, now()), journal))) continue;
    }
    if (!ownSell) {
      await options.hooks?.beforeLeg?.(trade, 'sell');
      // the buyer's leg stays if this slot is taken: the next round finds it and checks the seller again
      if (!(await createLeg(paths, trade.seller, leg(owner, trade, 'sell', s.next, now()), journal))) continue;
    }
    await options.hooks?.beforeDecision?.(trade);
    const completed = await decide('completed');
    if (completed) return completed;
  }
  throw new ParleyError(ErrorCode.StorageFailed, `trade ${id} could not be decided: the ledgers kept changing`, 503);
}

/**
 * Ends a negotiation without a trade (rejected, expired, refused): its undecided legs stop holding
 * anything back, and a paused settler can no longer complete it. Returns the decision in force, which
 * is someone else's 'completed' when that came first.
 */
export async function closeWithoutTrade(
  paths: DataPaths,
  owner: string,
  negotiationId: string,
  reason: string,
  now = Date.now,
  journal?: FileJournal,
): Promise<TradeDecision> {
  const d =
    (await createDecision(paths, owner, negotiationId, 'failed', reason, undefined, now, journal)) ??
    (await readDecision(paths, owner, negotiationId));
  if (!d) throw new ParleyError(ErrorCode.StorageFailed, `trade decision of ${negotiationId} vanished`, 503);
  return d;
}

async function createDecision(
  paths: DataPaths,
  owner: string,
  id: string,
  status: TradeDecision['status'],
  reason: string | undefined,
  trade: Trade | undefined,
  now: () => number,
  journal?: FileJournal,
): Promise<TradeDecision | null> {
  const decision: TradeDecision = {
    negotiation_id: id,
    status,
    ...(reason ? { reason } : {}),
    ...(trade ? { trade } : {}),
    decided_at: Math.floor(now() / 1000),
  };
  if (!(await createFileExclusive(paths.tradeDecisionsDir(owner), `${id}.json`, decision, { journal }))) return null;
  remember(decisionCache, paths.tradeDecision(owner, id), decision);
  return decision;
}

/** Takes slot `value.seq` of the team's ledger; false when someone else holds it. */
async function createLeg(paths: DataPaths, team: string, value: LedgerLeg, journal?: FileJournal): Promise<boolean> {
  const dir = paths.ledgerDir(team);
  if (!(await createFileExclusive(dir, legName(value.seq), value, { journal }))) {
    // someone else (another process) took the slot: what this process remembered is behind
    forgetLedger(paths, team);
    return false;
  }
  remember(legCache, join(dir, legName(value.seq)), value);
  const known = views.get(dir);
  // a new object, never changed in place: a settler between two awaits keeps the view it checked
  if (known && known.view.next === value.seq)
    views.set(dir, { ino: known.ino, view: { legs: [...known.view.legs, value], next: value.seq + 1 } });
  else views.delete(dir);
  return true;
}

/**
 * Per team: its ledger as this process last saw it, with the directory's inode (a team removed and
 * made again is a new directory). No listing per settlement: a view that is behind is found out by the
 * exclusive creation of the next leg, which fails when someone else took that slot; that creation
 * succeeding proves the view was complete.
 */
const views = new Map<string, { ino: number; view: LedgerView }>();

async function knownLedger(paths: DataPaths, email: string): Promise<LedgerView & { remembered?: boolean }> {
  const dir = paths.ledgerDir(email);
  const ino = dirInode(dir);
  const known = views.get(dir);
  if (known && known.ino === ino) return { ...known.view, remembered: true };
  const view = await readLedger(paths, email);
  if (ino !== null) {
    if (views.size >= MAX_CACHED) views.clear();
    views.set(dir, { ino, view });
  }
  return view;
}

function forgetLedger(paths: DataPaths, email: string): void {
  views.delete(paths.ledgerDir(email));
}

function dirInode(dir: string): number | null {
  try {
    return statSync(dir).ino;
  } catch {
    return null;
  }
}

/** Created here or parsed once: legs and decisions never change. */
function remember<T>(cache: Map<string, T>, path: string, value: T): void {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(path, value);
}

/** A leg belongs to a trade when it has the trade's negotiation, parties and terms. */
function sameTrade(leg: LedgerLeg, trade: Trade | undefined): boolean {
  return (
    !!trade &&
    leg.negotiation_id === trade.negotiation_id &&
    leg.chemical === trade.chemical &&
    leg.price === trade.price &&
    leg.quantity === trade.quantity &&
    leg.buyer === trade.buyer &&
    leg.seller === trade.seller
  );
}

const leg = (owner: string, trade: Trade, side: TradeSide, seq: number, nowMs: number): LedgerLeg => ({
  seq,
  owner,
  negotiation_id: trade.negotiation_id,
  side,
  chemical: trade.chemical,
  price: trade.price,
  quantity: trade.quantity,
  buyer: trade.buyer,
  seller: trade.seller,
  created_at: Math.floor(nowMs / 1000),
});

function sellerShortfall(trade: Trade, seller: Holdings): string | null {
  if (seller[trade.chemical] < trade.quantity)
    return `${trade.seller} holds ${seller[trade.chemical]} ${trade.chemical}, needs ${trade.quantity}`;
  return null;
}

function buyerShortfall(trade: Trade, buyer: Holdings): string | null {
  const cost = amountCents(trade.price) * trade.quantity;
  if (amountCents(buyer.cash) < cost) return `${trade.buyer} has ${buyer.cash} cash, needs ${centsAmount(cost)}`;
  return null;
}
