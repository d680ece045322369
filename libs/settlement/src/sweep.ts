import type { DataPaths } from '@parley/store';
import { Settlement } from './settlement';
import type { SettlementDeps, SettlementResult } from './types';

const SWEEP_CONCURRENCY = 16;

/** What a pass needs of the settlement: its files and the per-negotiation steps. */
type Settler = Pick<Settlement, 'files' | 'check' | 'resume' | 'expireIfStale'>;

/**
 * The safety net around the settlement: the repeatable `sweep` (seed 000's poll, for checks that were
 * lost) and `stale-cleanup` (expiry) passes over DATA_DIR, several negotiations at a time.
 */
export class SettlementSweep {
  constructor(
    private readonly settlement: Settler,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * One pass over DATA_DIR (seed 000's poll): every initiator-owned negotiation directory is checked
   * (responder symlinks are skipped, or repaired when they dangle after an archive), and claims older
   * than `claimStaleMs` are finished.
   */
  async sweep(options: { claimStaleMs?: number } = {}): Promise<SettlementResult[]> {
    const { files } = this.settlement;
    const claimStaleMs = options.claimStaleMs ?? 30_000;
    const results: SettlementResult[] = [];
    const { entries, invalid } = await files.listActive();
    for (const name of invalid) results.push({ negotiation_id: name, owner: '', action: 'skipped', reason: 'not a negotiation id' });
    // negotiations are independent: check several at once so the disk, not one await after another, sets the pace
    const checked = await mapLimit(entries, SWEEP_CONCURRENCY, async (entry) => {
      if (entry.type === 'link') {
        await files.repairResponderLink(entry.owner, entry.id).catch(() => false);
        return null;
      }
      return guard(entry.owner, entry.id, () => this.settlement.check(entry.owner, entry.id));
    });
    for (const r of checked) if (r) results.push(r);
    for (const claimed of await files.listClaimed()) {
      if (this.now() - claimed.changedMs < claimStaleMs) {
        results.push({ negotiation_id: claimed.id, owner: claimed.owner, action: 'busy' });
        continue;
      }
      results.push(await guard(claimed.owner, claimed.id, () => this.settlement.resume(claimed.owner, claimed.id)));
    }
    return results;
  }

  /** Every active negotiation without activity for `staleAfterMs` is archived as 'expired'. */
  async staleCleanup(staleAfterMs: number): Promise<SettlementResult[]> {
    const results: SettlementResult[] = [];
    const dirs = (await this.settlement.files.listActive()).entries.filter((e) => e.type === 'dir');
    results.push(
      ...(await mapLimit(dirs, SWEEP_CONCURRENCY, (e) =>
        guard(e.owner, e.id, () => this.settlement.expireIfStale(e.owner, e.id, staleAfterMs)),
      )),
    );
    return results;
  }
}

/** `sweepOnce(paths)`: one pass, e.g. from the CLI without Redis (no events). */
export async function sweepOnce(
  paths: DataPaths,
  deps: Omit<SettlementDeps, 'paths'> & { claimStaleMs?: number } = {},
): Promise<SettlementResult[]> {
  return new Settlement({ ...deps, paths }).sweep({ claimStaleMs: deps.claimStaleMs });
}

/** One negotiation's step; an error is reported for it, never stops the pass. */
async function guard(owner: string, id: string, fn: () => Promise<SettlementResult>): Promise<SettlementResult> {
  try {
    return await fn();
  } catch (e) {
    return { negotiation_id: id, owner, action: 'error', reason: (e as Error).message };
  }
}

/** `fn` over `items`, at most `limit` at a time, results in the items' order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
