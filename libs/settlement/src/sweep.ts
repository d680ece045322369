import type { DataPaths, DirVersion } from '@parley/store';
import { Settlement } from './settlement';
import type { SettlementDeps, SettlementResult } from './types';

const SWEEP_CONCURRENCY = 16;
/** The longest stretch of synchronous reads between two turns of the event loop (checks and emits run in between). */
const SLICE_MS = 4;
/**
 * While checks run, or ran within RECENT_MS (they come in a stream), a pass gives way to them: its
 * slices are BUSY_SLICE_MS, and after each it waits until no check is running — at most
 * BUSY_WAIT_PER_SLICE slices' time, so under a saturating stream it still keeps ~1/11 of the loop and finishes.
 */
const RECENT_MS = 1_000;
const BUSY_SLICE_MS = 1;
const BUSY_WAIT_PER_SLICE = 10;
/** Stale cleanup's lanes while checks come (its reads go through the thread pool the checks' fsyncs need). */
const BUSY_LANES = 2;
/** Every this many passes one looks into every directory again, changed or not. */
const FULL_PASS_EVERY = 10;
/**
 * A directory changed this recently may change again within the same timestamp tick (or on a host
 * whose clock is a little behind): it is looked into again on the next pass, never remembered as unchanged.
 */
const SETTLED_AFTER_MS = 2_000;

interface Quiet {
  teams: Map<string, string>;
  dirs: Map<string, { version: string; action: 'untouched' | 'skipped'; reason?: string }>;
}

/** What a pass needs of the settlement: its files, its scanner and the per-negotiation steps. */
type Settler = Pick<Settlement, 'files' | 'scan' | 'check' | 'resume' | 'expireIfStale' | 'activity'>;

/**
 * The safety net around the settlement: the repeatable `sweep` (seed 000's poll, for checks that were
 * lost) and `stale-cleanup` (expiry) passes over DATA_DIR.
 *
 * A pass reads with synchronous calls in slices of a few ms (see NegotiationScan) and remembers each
 * directory's version (inode, mtime, ctime) when it found nothing to do there. Every state write is an
 * atomic rename into the directory, which changes its version, so the next pass looks only into
 * directories written since (one stat each for the rest) and still finds an agreement whose check was
 * lost. The first pass of a process, and every FULL_PASS_EVERY-th, looks into all of them.
 */
export class SettlementSweep {
  /** What the last pass found nothing to do in: teams by their negotiations/ version, directories by theirs. */
  private quiet: Quiet = { teams: new Map(), dirs: new Map() };
  private passes = 0;
  private running = false;

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
    // a pass that outlasts the interval (it gave way to a stream of checks) is not joined by a second one: it covers the call
    if (this.running) return [];
    this.running = true;
    try {
      return await this.pass(options);
    } finally {
      this.running = false;
    }
  }

  private async pass(options: { claimStaleMs?: number }): Promise<SettlementResult[]> {
    const { files, scan } = this.settlement;
    const claimStaleMs = options.claimStaleMs ?? 30_000;
    const last = this.passes++ % FULL_PASS_EVERY === 0 ? null : this.quiet;
    const quiet: Quiet = { teams: new Map(), dirs: new Map() };
    const results: SettlementResult[] = [];
    const toCheck: { owner: string; id: string; key: string; v: DirVersion }[] = [];
    const activeIds = new Set<string>();
    const links: { owner: string; id: string }[] = [];
    const claimed: { owner: string; id: string; changedMs: number }[] = [];
    const loudTeams = new Set<string>();
    const slice = new Slicer(this.settlement.activity);
    const startedMs = this.now();
    const settled = (v: DirVersion) => startedMs - v.changedMs >= SETTLED_AFTER_MS;
    const untouched = (owner: string, id: string, key: string, v: DirVersion, action: 'untouched' | 'skipped', reason?: string) => {
      if (settled(v)) quiet.dirs.set(key, { version: v.version, action, reason });
      else loudTeams.add(owner);
      results.push({ negotiation_id: id, owner, action, ...(reason ? { reason } : {}) });
    };
    for (const owner of scan.teams()) {
      await slice.yieldIfDue();
      // the marker before the listing and the reads: a state written after this is seen by the next pass
      const marker = scan.teamVersion(owner);
      const team = scan.team(owner);
      for (const name of team.invalid)
        results.push({ negotiation_id: `${owner}/negotiations/${name}`, owner: '', action: 'skipped', reason: 'not a negotiation id' });
      for (const c of team.claimed) claimed.push({ owner, ...c });
      for (const id of team.links) links.push({ owner, id });
      for (const id of team.dirs) activeIds.add(id);
      if (!marker) continue;
      if (last && last.teams.get(owner) === marker.version && team.dirs.every((id) => last.dirs.has(`${owner}/${id}`))) {
        // no state written, nothing created, claimed or given back in this team since the last pass
        quiet.teams.set(owner, marker.version);
        for (const id of team.dirs) {
          const q = last.dirs.get(`${owner}/${id}`)!;
          quiet.dirs.set(`${owner}/${id}`, q);
          results.push({ negotiation_id: id, owner, action: q.action, ...(q.reason ? { reason: q.reason } : {}) });
        }
        continue;
      }
      for (const id of team.dirs) {
        await slice.yieldIfDue();
        const key = `${owner}/${id}`;
        const v = scan.version(owner, id);
        if (!v) continue; // claimed or archived since the listing
        const q = last?.dirs.get(key);
        if (q && q.version === v.version) {
          untouched(owner, id, key, v, q.action, q.reason);
          continue;
        }
        const read = scan.states(owner, id);
        if (!read) continue;
        // nobody agreed or walked away: nothing to settle, whoever the parties are (negotiation.json is not read)
        if (read.hasMeta && !read.states.some((s) => s.status === 'agreed' || s.status === 'rejected')) {
          untouched(owner, id, key, v, 'untouched');
          continue;
        }
        toCheck.push({ owner, id, key, v });
      }
      if (settled(marker)) quiet.teams.set(owner, marker.version);
    }
    // what may need settling goes through the full check (claim, re-read, decide), several at a time
    await mapLimit(toCheck, SWEEP_CONCURRENCY, async (c) => {
      const r = await guard(c.owner, c.id, () => this.settlement.check(c.owner, c.id));
      if (r.action === 'untouched' || r.action === 'skipped') untouched(c.owner, c.id, c.key, c.v, r.action, r.reason);
      else {
        loudTeams.add(c.owner);
        results.push(r);
      }
    });
    // a team with something not yet quiet is looked into again, directory by directory
    for (const owner of loudTeams) quiet.teams.delete(owner);
    // a responder link whose negotiation is still active cannot dangle; only the others are looked at
    await mapLimit(
      links.filter((l) => !activeIds.has(l.id)),
      SWEEP_CONCURRENCY,
      (l) => files.repairResponderLink(l.owner, l.id).catch(() => false),
    );
    for (const c of claimed) {
      if (this.now() - c.changedMs < claimStaleMs) {
        results.push({ negotiation_id: c.id, owner: c.owner, action: 'busy' });
        continue;
      }
      results.push(await guard(c.owner, c.id, () => this.settlement.resume(c.owner, c.id)));
    }
    this.quiet = quiet;
    return results;
  }

  /** Every active negotiation without activity for `staleAfterMs` is archived as 'expired'. */
  async staleCleanup(staleAfterMs: number): Promise<SettlementResult[]> {
    const results: SettlementResult[] = [];
    const dirs = (await this.settlement.files.listActive()).entries.filter((e) => e.type === 'dir');
    const { activity } = this.settlement;
    results.push(
      ...(await mapLimit(dirs, SWEEP_CONCURRENCY, async (e, lane) => {
        // its reads share the thread pool with the checks' writes and fsyncs: while checks come, two lanes only
        while (lane >= BUSY_LANES && activity.recent(RECENT_MS)) await new Promise((resolve) => setTimeout(resolve, RECENT_MS / 10));
        return guard(e.owner, e.id, () => this.settlement.expireIfStale(e.owner, e.id, staleAfterMs));
      })),
    );
    return results;
  }
}

/** `sweepOnce(paths)`: one pass, e.g. from the CLI without Redis (no events). */
export async function sweepOnce(
  paths: DataPaths,
  deps: Omit<SettlementDeps, 'paths'> & { claimStaleMs?: number } = {},
): Promise<SettlementResult[]> {
  const settlement = new Settlement({ ...deps, paths });
  try {
    return await settlement.sweep({ claimStaleMs: deps.claimStaleMs });
  } finally {
    await settlement.shutdown();
  }
}

/** One negotiation's step; an error is reported for it, never stops the pass. */
async function guard(owner: string, id: string, fn: () => Promise<SettlementResult>): Promise<SettlementResult> {
  try {
    return await fn();
  } catch (e) {
    return { negotiation_id: id, owner, action: 'error', reason: (e as Error).message };
  }
}

/**
 * Lets the event loop run when the current stretch of synchronous work has lasted SLICE_MS; while
 * checks run or just ran, after BUSY_SLICE_MS, and then waits for the running ones (see RECENT_MS).
 */
class Slicer {
  private since = performance.now();

  constructor(private readonly activity: Settler['activity']) {}

  async yieldIfDue(): Promise<void> {
    const ran = performance.now() - this.since;
    const busy = this.activity.recent(RECENT_MS);
    if (ran < (busy ? BUSY_SLICE_MS : SLICE_MS)) return;
    await new Promise((resolve) => setImmediate(resolve));
    if (busy) await this.activity.idle(ran * BUSY_WAIT_PER_SLICE);
    this.since = performance.now();
  }
}

/** `fn` over `items`, at most `limit` at a time (each in its lane, 0 to limit - 1), results in the items' order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, lane: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async (_: unknown, k: number) => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], k);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
