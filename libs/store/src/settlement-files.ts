import { readdirSync } from 'node:fs';
import { lstat, readdir, readlink, rename, stat, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { NegotiationMeta, Outcome, PartyState } from '@parley/contracts';
import {
  CorruptFileError,
  createFileExclusive,
  createFileJournaled,
  ensureDir,
  isExists,
  isNotFound,
  listDir,
  listDirSync,
  readJsonSync,
} from './files';
import { NegotiationStore, readOutcomeSync, readStatesSync } from './negotiations';
import type { SettlementJournal } from './journal';
import { DataPaths, NegotiationFiles } from './paths';
import { assertEmail, assertNegotiationId, isEmail, isNegotiationId } from './validate';

/** What the agreement worker reads of one negotiation directory. */
export interface NegotiationSnapshot {
  owner: string;
  id: string;
  dir: string;
  /** Null in trees written by seed 000's program, which has no negotiation.json. */
  meta: NegotiationMeta | null;
  states: PartyState[];
  outcome: Outcome | null;
}

export type ClaimResult = 'claimed' | 'missing' | 'busy';

export interface NegotiationEntry {
  owner: string;
  id: string;
  /** 'link' is a responder's symlink; the initiator's directory is the one to settle. */
  type: 'dir' | 'link';
}

export interface ClaimedEntry {
  owner: string;
  id: string;
  /** Last change of the claimed directory (the claim rename, or a write inside it). */
  changedMs: number;
}

/**
 * File-system steps of settling a negotiation: claim (atomic rename into negotiations_settling/),
 * unclaim, outcome.json, archive (into negotiations_archive/) and moving the responder's symlink.
 * Every step is idempotent, so a settlement killed anywhere can be finished by another process.
 */
export class SettlementFiles {
  private readonly negotiations: NegotiationStore;

  constructor(private readonly paths: DataPaths) {
    this.negotiations = new NegotiationStore(paths);
  }

  activeDir = (owner: string, id: string) => this.paths.negotiation(owner, id);
  claimedDir = (owner: string, id: string) => this.paths.claimedNegotiation(owner, id);
  archivedDir = (owner: string, id: string) => this.paths.archivedNegotiation(owner, id);

  /** Null when the directory does not exist (claimed, archived or never there). Reads only the files its listing shows. */
  async read(owner: string, id: string, dir: string): Promise<NegotiationSnapshot | null> {
    // synchronous: a listing and three small files cost less than four hops through libuv's pool
    let listing: string[];
    try {
      listing = readdirSync(dir);
    } catch (e) {
      if (isNotFound(e) || isNotDirectory(e)) return null;
      throw e;
    }
    const meta = listing.includes(NegotiationFiles.meta) ? readMetaSync(join(dir, NegotiationFiles.meta)) : null;
    const states = readStatesSync(dir, listing);
    const outcome = listing.includes(NegotiationFiles.outcome) ? readOutcomeSync(dir) : null;
    return { owner, id, dir, meta: meta && meta.id === id ? meta : null, states, outcome };
  }

  /** The outcome.json of a claimed negotiation; 'missing' when it is no longer claimed. */
  async claimedOutcome(owner: string, id: string): Promise<Outcome | null | 'missing'> {
    const dir = this.claimedDir(owner, id);
    const listing = listDirSync(dir);
    // a claimed directory always holds negotiation.json or a state file: empty means gone
    if (listing.length === 0) return 'missing';
    return listing.includes(NegotiationFiles.outcome) ? this.negotiations.readOutcome(dir) : null;
  }

  /** The atomic claim: from now on a party's state write fails with NEGOTIATION_SETTLING. */
  async claim(owner: string, id: string): Promise<ClaimResult> {
    const from = this.activeDir(owner, id);
    const to = this.claimedDir(owner, id);
    try {
      await renameCreatingParent(from, to, this.paths.claimedDir(owner));
      return 'claimed';
    } catch (e) {
      if (isNotFound(e)) return (await isDirectory(to)) ? 'busy' : 'missing';
      if (isNonEmpty(e)) return 'busy';
      throw e;
    }
  }

  /** Gives the negotiation back untouched. False when someone else already moved it on. */
  async unclaim(owner: string, id: string): Promise<boolean> {
    try {
      await rename(this.claimedDir(owner, id), this.activeDir(owner, id));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /**
   * The claimed negotiation's outcome.json, created once: returns the outcome in force (another
   * settler's when it wrote first). ENOENT when the negotiation is no longer claimed.
   */
  async writeOutcome(owner: string, id: string, outcome: Outcome, journal?: SettlementJournal): Promise<Outcome> {
    const dir = this.claimedDir(owner, id);
    // staged in the team's own .staging: negotiations_settling/ holds claims only
    const staging = join(this.paths.teamDir(owner), '.staging');
    const options = { createDir: false, staging };
    if (journal) {
      // written without fsyncs: the record makes it durable at the journal's next commit, which the
      // settler awaits before it tells anyone (the archive rename need not wait for it)
      if (await createFileJournaled(dir, NegotiationFiles.outcome, outcome, options)) {
        journal.release(journal.append({ kind: 'outcome', owner, id, outcome }));
        return outcome;
      }
    } else if (await createFileExclusive(dir, NegotiationFiles.outcome, outcome, options)) return outcome;
    const existing = await this.negotiations.readOutcome(dir);
    if (!existing) throw new CorruptFileError(join(dir, NegotiationFiles.outcome), 'is not a valid outcome');
    return existing;
  }

  /** Claimed → archived. Already archived counts as done. */
  async archive(owner: string, id: string): Promise<void> {
    try {
      await renameCreatingParent(this.claimedDir(owner, id), this.archivedDir(owner, id), this.paths.archiveDir(owner));
    } catch (e) {
      if (isNotFound(e) && (await isDirectory(this.archivedDir(owner, id)))) return;
      throw e;
    }
  }

  /**
   * The responder's `negotiations/<id>` symlink becomes `negotiations_archive/<id>` →
   * `../../<initiator>/negotiations_archive/<id>`. Idempotent; a responder without a team directory is skipped.
   */
  async archiveResponderLink(initiator: string, responder: string, id: string): Promise<void> {
    // the archive link first: a process killed between the two steps leaves a dangling active link,
    // which the sweep repairs, never a responder with no link at all
    const target = archivedLinkTarget(initiator, id);
    const archived = this.paths.archivedNegotiation(responder, id);
    try {
      await symlink(target, archived);
    } catch (e) {
      if (isNotFound(e) && (await isDirectory(this.paths.teamDir(responder)))) {
        await ensureDir(this.paths.archiveDir(responder));
        await symlink(target, archived).catch((again) => (isExists(again) ? undefined : Promise.reject(again)));
      } else if (!isExists(e) && !isNotFound(e)) throw e;
    }
    const activeLink = this.paths.negotiation(responder, id);
    try {
      if ((await lstat(activeLink)).isSymbolicLink()) await unlink(activeLink);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * A responder symlink that dangles because its initiator's directory was archived (a settler died
   * between the two renames) is moved to the archive. Returns true when it repaired something.
   */
  async repairResponderLink(responder: string, id: string): Promise<boolean> {
    const link = this.paths.negotiation(responder, id);
    let target: string;
    try {
      target = await readlink(link);
    } catch {
      return false;
    }
    const initiator = target.split('/').filter(Boolean)[2];
    if (!isEmail(initiator)) return false;
    if (await isDirectory(link)) return false; // target still there (active)
    if (!(await isDirectory(this.archivedDir(initiator, id)))) return false;
    await this.archiveResponderLink(initiator, responder, id);
    return true;
  }

  /** Every `teams/*\/negotiations/*` entry with a valid id; `invalid` lists names that are not ids. */
  async listActive(): Promise<{ entries: NegotiationEntry[]; invalid: string[] }> {
    const entries: NegotiationEntry[] = [];
    const invalid: string[] = [];
    for (const owner of await this.teams()) {
      // the directory entry already says link or directory: no lstat per negotiation
      const dirents = await readdir(this.paths.negotiationsDir(owner), { withFileTypes: true }).catch((e) =>
        isNotFound(e) ? [] : Promise.reject(e),
      );
      for (const d of dirents) {
        if (!isNegotiationId(d.name)) {
          invalid.push(`${owner}/negotiations/${d.name}`);
          continue;
        }
        if (d.isSymbolicLink()) entries.push({ owner, id: d.name, type: 'link' });
        else if (d.isDirectory()) entries.push({ owner, id: d.name, type: 'dir' });
      }
    }
    return { entries, invalid };
  }

  async listClaimed(): Promise<ClaimedEntry[]> {
    const out: ClaimedEntry[] = [];
    for (const owner of await this.teams()) {
      for (const id of (await listDir(this.paths.claimedDir(owner))).filter(isNegotiationId)) {
        const st = await stat(this.claimedDir(owner, id)).catch(() => null);
        if (st?.isDirectory()) out.push({ owner, id, changedMs: Math.max(st.ctimeMs, st.mtimeMs) });
      }
    }
    return out;
  }

  /**
   * Last activity in ms: the newest of the parties' `last_updated`, the state and message files'
   * modification times, the creation time and the directory's own modification time (a file added).
   */
  async lastActivityMs(snapshot: NegotiationSnapshot): Promise<number> {
    let latest = snapshot.meta ? toMs(snapshot.meta.created_at) : 0;
    const own = await stat(snapshot.dir).catch(() => null);
    if (own) latest = Math.max(latest, own.mtimeMs);
    for (const s of snapshot.states) if (typeof s.last_updated === 'number') latest = Math.max(latest, toMs(s.last_updated));
    for (const name of await listDir(snapshot.dir)) {
      if (!NegotiationFiles.isMessages(name) && !NegotiationFiles.isState(name)) continue;
      const st = await stat(join(snapshot.dir, name)).catch(() => null);
      if (st) latest = Math.max(latest, st.mtimeMs);
    }
    return latest;
  }

  private async teams(): Promise<string[]> {
    return (await listDir(this.paths.teamsDir())).filter(isEmail).sort();
  }
}

/**
 * rename(from, to), creating `to`'s parent when the first try finds it missing. The second try also
 * runs when the parent exists by now: another settler may have created it between our rename and the
 * check. ENOENT from a missing `from` (on the second try) is the caller's to read.
 */
async function renameCreatingParent(from: string, to: string, parent: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    if (!(await isDirectory(parent))) await ensureDir(parent);
    await rename(from, to);
  }
}

/** `../../<initiator>/negotiations_archive/<id>`, relative to the responder's negotiations_archive/. */
export function archivedLinkTarget(initiator: string, id: string): string {
  return join('..', '..', assertEmail(initiator), 'negotiations_archive', assertNegotiationId(id));
}

/** Unix seconds (seed 000 uses time()) or milliseconds → milliseconds. */
export const toMs = (t: number) => (t < 1e11 ? t * 1000 : t);

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

const isNotDirectory = (e: unknown) => (e as NodeJS.ErrnoException)?.code === 'ENOTDIR';
const isNonEmpty = (e: unknown) => ['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException)?.code ?? '');

function readMetaSync(path: string): NegotiationMeta | null {
  try {
    return readJsonSync<NegotiationMeta>(path);
  } catch {
    return null;
  }
}
