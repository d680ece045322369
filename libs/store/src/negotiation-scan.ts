import { readdirSync, statSync } from 'node:fs';
import type { PartyState } from '@parley/contracts';
import { isNotFound } from './files';
import { readStatesSync } from './negotiations';
import { DataPaths, NegotiationFiles } from './paths';
import { isEmail, isNegotiationId } from './validate';

/** One team's `negotiations/` and `negotiations_settling/` as the sweep sees them. */
export interface TeamNegotiations {
  owner: string;
  /** Initiator-owned directories (the ones to settle). */
  dirs: string[];
  /** Responder symlinks. */
  links: string[];
  /** Names in negotiations/ that are not negotiation ids. */
  invalid: string[];
  /** Claimed directories with the time of their last change (ms). */
  claimed: { id: string; changedMs: number }[];
}

/** What a directory looked like: changes whenever a file is added to, renamed into or removed from it, or it is moved. */
export interface DirVersion {
  version: string;
  changedMs: number;
}

/**
 * The safety-net sweep's reads, with synchronous calls: it looks at every negotiation on the volume,
 * and on small, cached files a synchronous call costs a few µs where an asynchronous one is a round
 * trip through libuv's thread pool (open, fstat, read, close) that waits behind every fsync in the
 * process. The caller does a bounded amount at a time and yields in between (see the sweep).
 */
export class NegotiationScan {
  constructor(private readonly paths: DataPaths) {}

  teams(): string[] {
    return names(this.paths.teamsDir()).filter(isEmail).sort();
  }

  /**
   * The version of a team's negotiations/ directory: it changes when a negotiation is created, claimed,
   * given back or archived, and on every state write into one of them (NegotiationStore.writeState
   * touches it after the write), so a team whose version is the same has no new state to look at.
   */
  teamVersion(owner: string): DirVersion | null {
    return dirVersion(this.paths.negotiationsDir(owner));
  }

  team(owner: string): TeamNegotiations {
    const out: TeamNegotiations = { owner, dirs: [], links: [], invalid: [], claimed: [] };
    // the directory entry already says link or directory: no lstat per negotiation
    for (const d of entries(this.paths.negotiationsDir(owner))) {
      if (!isNegotiationId(d.name)) out.invalid.push(d.name);
      else if (d.isSymbolicLink()) out.links.push(d.name);
      else if (d.isDirectory()) out.dirs.push(d.name);
    }
    for (const id of names(this.paths.claimedDir(owner)).filter(isNegotiationId)) {
      const st = statOrNull(this.paths.claimedNegotiation(owner, id));
      if (st?.isDirectory()) out.claimed.push({ id, changedMs: Math.max(st.ctimeMs, st.mtimeMs) });
    }
    return out;
  }

  /** The active directory's version, or null when it is gone. Every state write is a rename into the directory, so it changes this. */
  version(owner: string, id: string): DirVersion | null {
    return dirVersion(this.paths.negotiation(owner, id));
  }

  /** The parties' state files (unreadable ones left out, as NegotiationStore.readStates does) and whether negotiation.json is there. */
  states(owner: string, id: string): { states: PartyState[]; hasMeta: boolean } | null {
    const dir = this.paths.negotiation(owner, id);
    let listing: string[];
    try {
      listing = readdirSync(dir);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
    return { states: readStatesSync(dir, listing), hasMeta: listing.includes(NegotiationFiles.meta) };
  }
}

function names(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

function entries(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

/** A directory's version: it changes whenever a name in it is created, renamed in or removed (and when it is replaced). */
export function dirVersion(dir: string): DirVersion | null {
  const st = statOrNull(dir);
  if (!st?.isDirectory()) return null;
  return { version: `${st.ino}:${st.mtimeMs}:${st.ctimeMs}`, changedMs: Math.max(st.ctimeMs, st.mtimeMs) };
}

const statOrNull = (p: string) => statSync(p, { throwIfNoEntry: false }) ?? null;
