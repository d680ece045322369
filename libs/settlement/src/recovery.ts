import { readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import {
  DataPaths,
  NegotiationFiles,
  SettlementFiles,
  SettlementRecord,
  createFileJournaled,
  isNotFound,
  transactionFileName,
  transactionRecord,
  writeJsonAtomic,
  writeTransaction,
} from '@parley/store';

/**
 * Recovery from the settlement journal: writes what a record names when it is missing or torn (a crash
 * between the record and the files, or a power loss before the kernel wrote them). Idempotent: the
 * files are created exclusively with the record's content, and a file that is there and whole is left.
 */
export async function applyRecord(paths: DataPaths, files: SettlementFiles, record: SettlementRecord): Promise<void> {
  if (record.kind === 'created') {
    // a ledger leg or a trade decision whose directory entry a power loss may have taken
    const dir = resolve(paths.root, record.dir);
    if (!dir.startsWith(paths.root + sep) || !/^[A-Za-z0-9@._+-]+\.json$/.test(record.name))
      throw new Error(`journal record names ${record.dir}/${record.name}`);
    await createFileJournaled(dir, record.name, record.value);
    return;
  }
  if (record.kind === 'trade') {
    const trade = record.decision.trade;
    if (record.decision.status !== 'completed' || !trade) return;
    for (const side of ['buy', 'sell'] as const) {
      const team = side === 'buy' ? trade.buyer : trade.seller;
      await repairTorn(paths.transaction(team, transactionFileName(side, trade)), transactionRecord(side, trade));
      await writeTransaction(paths, side, trade, 'journaled');
    }
    return;
  }
  const { owner, id, outcome } = record;
  // claimed (not finished yet) or archived; an active one was given back before its outcome and is settled again
  for (const dir of [files.claimedDir(owner, id), files.archivedDir(owner, id)]) {
    const path = join(dir, NegotiationFiles.outcome);
    await repairTorn(path, outcome);
    try {
      await createFileJournaled(dir, NegotiationFiles.outcome, outcome, {
        createDir: false,
        staging: join(paths.teamDir(owner), '.staging'),
      });
      return;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

/** A file that is there but not whole JSON (a power loss before its data was written) gets the record's content. */
async function repairTorn(path: string, value: unknown): Promise<void> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (isNotFound(e) || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw e;
  }
  try {
    JSON.parse(text);
  } catch {
    await writeJsonAtomic(path, value);
  }
}

/** Where a record's content lives: fsynced (files, then their directories) before the journal lets the record go. */
export function recordTargets(paths: DataPaths, files: SettlementFiles, record: SettlementRecord): string[] {
  if (record.kind === 'created') {
    const dir = resolve(paths.root, record.dir);
    return [join(dir, record.name), dir];
  }
  if (record.kind === 'trade') {
    const trade = record.decision.trade;
    if (!trade) return [];
    return (['buy', 'sell'] as const).flatMap((side) => {
      const team = side === 'buy' ? trade.buyer : trade.seller;
      const names = (['primary', 'fallback'] as const).map((v) => paths.transaction(team, transactionFileName(side, trade, v)));
      return [...names, paths.transactionsDir(team)];
    });
  }
  const { owner, id } = record;
  const claimed = files.claimedDir(owner, id);
  const archived = files.archivedDir(owner, id);
  // the outcome where it is now, and the renames that moved its directory there
  return [
    join(claimed, NegotiationFiles.outcome),
    join(archived, NegotiationFiles.outcome),
    claimed,
    archived,
    paths.claimedDir(owner),
    paths.archiveDir(owner),
  ];
}
