import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CHEMICALS, Chemical, ErrorCode, Holdings, ParleyError, TeamInit, Transaction } from '@parley/contracts';
import { CorruptFileError, listDir, readJson, readJsonSync } from './files';
import { LedgerView, applyLegs, ledgerEffects, readLedger } from './ledger';
import { DataPaths } from './paths';
import { amountCents, centsAmount } from './cents';
import { DEFAULT_HOLDINGS } from './teams';

export interface StoredTransaction {
  file: string;
  transaction: Transaction;
}

/**
 * Parsed transaction files by path, valid while the file's inode, size and mtime are unchanged (every
 * write is an atomic rename, so a rewritten file is a new inode). Holdings are computed on every
 * settlement; this keeps that from re-reading a team's whole history each time.
 */
const parsed = new Map<string, { version: string; transaction: Transaction }>();
const MAX_CACHED = 200_000;

/**
 * Every transaction file of a team (any *.json name: trees written by other programs included).
 * `ignoreKnown`: files already parsed once whose transaction it names are left out without a stat —
 * for trades counted elsewhere (the ledger), so a settlement does not stat a team's whole history.
 * Parley never rewrites a transaction file for another trade (each is created exclusively).
 */
export async function readTransactions(
  paths: DataPaths,
  email: string,
  ignoreKnown?: (tx: Transaction) => boolean,
): Promise<StoredTransaction[]> {
  const dir = paths.transactionsDir(email);
  const names = (await listDir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  const read = await Promise.all(names.map((file) => readTransaction(join(dir, file), file, ignoreKnown)));
  return read.filter((x): x is StoredTransaction => x !== null);
}

async function readTransaction(path: string, file: string, ignoreKnown?: (tx: Transaction) => boolean): Promise<StoredTransaction | null> {
  const known = parsed.get(path);
  if (known && ignoreKnown?.(known.transaction)) return null;
  const st = await stat(path).catch(() => null);
  if (!st) return null; // removed while we listed
  const version = `${st.ino}:${st.size}:${st.mtimeMs}`;
  const cached = parsed.get(path);
  if (cached?.version === version) return { file, transaction: cached.transaction };
  const tx = await readJson<Transaction>(path);
  if (tx === null) return null;
  assertTransaction(tx, path);
  if (parsed.size >= MAX_CACHED) parsed.clear();
  parsed.set(path, { version, transaction: tx });
  return { file, transaction: tx };
}

/** A transaction file this process just created: known without reading it back (see `ignoreKnown`). */
export function rememberTransaction(path: string, tx: Transaction): void {
  if (parsed.size >= MAX_CACHED) parsed.clear();
  // no version: if it is ever needed as a counted file, it is stat'ed and read like any other
  parsed.set(path, { version: '', transaction: tx });
}

/** init.json holdings (the defaults when a hand-made init.json has none). Null when the team does not exist. */
export async function startingHoldings(paths: DataPaths, email: string): Promise<Holdings | null> {
  // one small file on every honour check and settlement: a synchronous read costs less than the pool's hops
  const init = readJsonSync<Partial<TeamInit>>(paths.init(email));
  if (!init) return null;
  if (!init.holdings || typeof init.holdings !== 'object') return { ...DEFAULT_HOLDINGS };
  const h = init.holdings as Partial<Holdings>;
  return { cash: num(h.cash), C: num(h.C), N: num(h.N), D: num(h.D), Q: num(h.Q) };
}

/**
 * A team's current holdings: init.json plus its trades (price is per unit: a buy costs price × quantity
 * and adds the quantity, a sell does the opposite). Trades settled through the ledger count once
 * decided 'completed' (their transaction files may still be being written); transaction files the
 * ledger does not know (seed 000's program, earlier versions) count as they are.
 * `excludeNegotiationId` leaves out one negotiation's trade.
 */
export async function teamHoldings(paths: DataPaths, email: string, options: { excludeNegotiationId?: string } = {}): Promise<Holdings> {
  const view = await readLedger(paths, email);
  const base = await holdingsOutsideLedger(paths, email, view, options.excludeNegotiationId);
  return applyLegs(base, await ledgerEffects(paths, view), 'ignore', options.excludeNegotiationId);
}

/** init.json plus the transaction files of trades the ledger view does not cover. */
export async function holdingsOutsideLedger(
  paths: DataPaths,
  email: string,
  view: LedgerView,
  excludeNegotiationId?: string,
): Promise<Holdings> {
  const start = await startingHoldings(paths, email);
  if (!start) throw new ParleyError(ErrorCode.NotFound, `team ${email} does not exist`, 404);
  const covered = new Set(view.legs.map((l) => l.negotiation_id));
  const isCovered = (tx: Transaction) => tx.negotiation_id !== undefined && covered.has(tx.negotiation_id);
  let h = start;
  for (const { transaction } of await readTransactions(paths, email, isCovered)) {
    const id = transaction.negotiation_id;
    if (id !== undefined && (id === excludeNegotiationId || covered.has(id))) continue;
    h = applyTransaction(h, transaction);
  }
  return h;
}

export function applyTransaction(h: Holdings, tx: Pick<Transaction, 'type' | 'chemical' | 'price' | 'quantity'>): Holdings {
  const sign = tx.type === 'buy' ? 1 : -1;
  return {
    ...h,
    cash: centsAmount(amountCents(h.cash) - sign * amountCents(tx.price) * tx.quantity),
    [tx.chemical]: h[tx.chemical] + sign * tx.quantity,
  };
}

/** Why a trade cannot settle, or null when both sides can afford it. */
export function tradeShortfall(
  trade: { chemical: Chemical; price: number; quantity: number; buyer: string; seller: string },
  buyer: Holdings,
  seller: Holdings,
): string | null {
  const cost = amountCents(trade.price) * trade.quantity;
  if (seller[trade.chemical] < trade.quantity) {
    return `${trade.seller} holds ${seller[trade.chemical]} ${trade.chemical}, needs ${trade.quantity}`;
  }
  if (amountCents(buyer.cash) < cost) return `${trade.buyer} has ${buyer.cash} cash, needs ${centsAmount(cost)}`;
  return null;
}

function assertTransaction(tx: Transaction, file: string): void {
  const ok =
    (tx.type === 'buy' || tx.type === 'sell') &&
    (CHEMICALS as readonly string[]).includes(tx.chemical) &&
    Number.isFinite(tx.price) &&
    Number.isFinite(tx.quantity);
  if (!ok) throw new CorruptFileError(file, 'is not a valid transaction');
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
