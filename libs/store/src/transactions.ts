import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { Chemical, ErrorCode, ParleyError, Transaction } from '@parley/contracts';
import { createFileExclusive, createFileJournaled, isNotFound, readJson } from './files';
import { crashPoint } from './fault-points';
import type { SettlementJournal } from './journal';
import { holdingsOutsideLedger, rememberTransaction } from './holdings';
import { LedgerHooks, TradeDecision, decideTrade } from './ledger';
import { DataPaths } from './paths';
import { emailPrefix } from './validate';

/** A settled peer deal: what both transaction files are made from. */
export interface Trade {
  negotiation_id: string;
  chemical: Chemical;
  /** Per unit. */
  price: number;
  quantity: number;
  buyer: string;
  seller: string;
  /** Unix seconds; deterministic for a negotiation so a retry rewrites the same files. */
  timestamp: number;
}

export type TradeSide = 'buy' | 'sell';

/** `1704312345` or `1704312345-2` from `alice_bob_C_1704312345-2`. */
export function negotiationTsPart(negotiationId: string): string {
  const m = /_(\d{9,12}(?:-\d{1,4})?)$/.exec(negotiationId);
  if (!m) throw new ParleyError(ErrorCode.InvalidPayload, `negotiation id ${negotiationId} has no timestamp part`);
  return m[1];
}

/**
 * Seed 000's `<ts>_buy_C_from_bob.json` / `<ts>_sell_C_to_alice.json`, ended with the negotiation id's
 * timestamp part so that names are unique and a retry rewrites the same file.
 */
export function transactionFileName(side: TradeSide, trade: Trade, variant: 'primary' | 'fallback' = 'primary'): string {
  const counterpart = side === 'buy' ? `from_${emailPrefix(trade.seller)}` : `to_${emailPrefix(trade.buyer)}`;
  let part = negotiationTsPart(trade.negotiation_id);
  // alice_bob_C_T and bob_alice_C_T share T: the rare clash gets a suffix from the whole id
  if (variant === 'fallback') part += '-' + createHash('sha256').update(trade.negotiation_id).digest('hex').slice(0, 8);
  return `${trade.timestamp}_${side}_${trade.chemical}_${counterpart}_${part}.json`;
}

/** Exactly seed 000's fields. */
export function transactionRecord(side: TradeSide, trade: Trade): Transaction {
  return {
    type: side,
    chemical: trade.chemical,
    price: trade.price,
    quantity: trade.quantity,
    counterparty: side === 'buy' ? trade.seller : trade.buyer,
    negotiation_id: trade.negotiation_id,
    timestamp: trade.timestamp,
    settled: false,
  };
}

const teamOf = (side: TradeSide, trade: Trade) => (side === 'buy' ? trade.buyer : trade.seller);

export interface SettleTradeOptions {
  hooks?: LedgerHooks & {
    /** Between the buyer's and the seller's transaction file. */
    betweenTransactions?(trade: Trade): Promise<void>;
  };
  now?: () => number;
  /**
   * With a journal, a completed trade is journaled (and the record committed) before its transaction
   * files, which are then written without fsyncs; recovery writes them from the record if they are lost.
   */
  journal?: SettlementJournal;
}

/**
 * Decides a trade through the ledger (exclusive creation, no lock: see ledger.ts) and then makes the
 * transaction files agree with the decision: both written when completed (from the decision's copy of
 * the trade, so every settler writes the same bytes), none when failed. Safe to run any number of
 * times, on any number of hosts, at once.
 */
export async function settleTrade(paths: DataPaths, owner: string, trade: Trade, options: SettleTradeOptions = {}): Promise<TradeDecision> {
  const base = (email: string, view: Parameters<typeof holdingsOutsideLedger>[2]) =>
    // files an earlier version left for this very trade do not count against it
    holdingsOutsideLedger(paths, email, view, trade.negotiation_id);
  const decision = await decideTrade(paths, owner, trade, base, options);
  if (decision.status === 'completed' && decision.trade) {
    const { journal } = options;
    const entry = journal?.append({ kind: 'trade', owner, decision });
    if (journal) {
      await journal.commit();
      crashPoint('settle-after-journal');
    }
    const durability = journal ? 'journaled' : 'durable';
    await writeTransaction(paths, 'buy', decision.trade, durability);
    await options.hooks?.betweenTransactions?.(decision.trade);
    await writeTransaction(paths, 'sell', decision.trade, durability);
    // only once both are written: a record whose files are not all there keeps its segment for recovery
    if (entry) journal!.release(entry);
  } else {
    // a settler of an earlier version may have written one side before it died: never leave half a pair
    await removeTransaction(paths, 'buy', trade);
    await removeTransaction(paths, 'sell', trade);
  }
  return decision;
}

/**
 * Writes one side's transaction file (atomically) and returns its name. The name is chosen by looking
 * at what is already there; every writer of one trade sees the same files and picks the same name.
 */
export async function writeTransaction(
  paths: DataPaths,
  side: TradeSide,
  trade: Trade,
  durability: 'durable' | 'journaled' = 'durable',
): Promise<string> {
  const create = durability === 'journaled' ? createFileJournaled : createFileExclusive;
  const email = teamOf(side, trade);
  // a missing transactions/ is created (and made durable in the team's directory) by the exclusive create
  for (const variant of ['primary', 'fallback'] as const) {
    const name = transactionFileName(side, trade, variant);
    // exclusive: two trades that would share a name, settled at once on two hosts, never overwrite each other
    const record = transactionRecord(side, trade);
    if (await create(paths.transactionsDir(email), name, record)) {
      rememberTransaction(paths.transaction(email, name), record);
      return name;
    }
    const existing = await readJson<Transaction>(paths.transaction(email, name)).catch(() => null);
    if (existing?.negotiation_id === trade.negotiation_id) return name;
  }
  throw new ParleyError(ErrorCode.Conflict, `no free transaction file name for ${trade.negotiation_id}`, 409);
}

/** Removes this trade's file on one side, if an earlier attempt wrote it (rollback of a half-written pair). */
export async function removeTransaction(paths: DataPaths, side: TradeSide, trade: Trade): Promise<void> {
  const email = teamOf(side, trade);
  for (const variant of ['primary', 'fallback'] as const) {
    const file = paths.transaction(email, transactionFileName(side, trade, variant));
    const existing = await readJson<Transaction>(file).catch(() => null);
    if (existing?.negotiation_id !== trade.negotiation_id) continue;
    await unlink(file).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }
}
