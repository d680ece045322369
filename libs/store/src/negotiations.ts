import { randomUUID } from 'node:crypto';
import { lstat, mkdir, open, readlink, rm, rmdir, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Chemical, ErrorCode, Terms, NegotiationMeta, Outcome, ParleyError, PartyRef, PartyState } from '@parley/contracts';
import type { NegotiationPlace } from '@parley/contracts';
import { DIR_MODE, FILE_MODE, ensureDir, isExists, isNotFound, listDir, readJson, readJsonSync, syncDir, writeJsonAtomic } from './files';
import { DataPaths, NegotiationFiles } from './paths';
import { readPrefix } from './teams';
import { assertUuid, isNegotiationId } from './validate';

/** The session round a negotiation belongs to (negotiation.json's session_id and round). */
export interface SessionRef {
  session_id: string;
  round: number;
}

/** Where a negotiation's directory is (one name for it, in libs/contracts). */
export type { NegotiationPlace };

export interface LocatedNegotiation {
  id: string;
  /** The real directory (the initiator's), symlinks resolved by the OS on access. */
  dir: string;
  place: NegotiationPlace;
  meta: NegotiationMeta;
}

/** Negotiation directories: creation, lookup from a user's own namespace, party state files. */
export class NegotiationStore {
  constructor(private readonly paths: DataPaths) {}

  async createAi(
    student: string,
    scenarioId: string,
    studentRole: string,
    aiRole: string,
    ttlMs: number,
    options: { session?: SessionRef; id?: string } = {},
  ): Promise<NegotiationMeta> {
    const { session } = options;
    const id = options.id ? assertUuid(options.id, 'negotiation id') : randomUUID();
    const now = Date.now();
    const meta: NegotiationMeta = {
      id,
      kind: 'ai',
      scenario_id: scenarioId,
      initiator: student,
      parties: [
        { user: student, prefix: await readPrefix(this.paths, student), role: studentRole },
        { user: 'ai', prefix: 'ai', role: aiRole },
      ],
      created_at: Math.floor(now / 1000),
      expires_at: Math.floor((now + ttlMs) / 1000),
      ...(session ? { session_id: session.session_id, round: session.round } : {}),
    };
    await ensureDir(this.paths.negotiationsDir(student));
    const dir = this.paths.negotiation(student, id);
    await mkdir(dir, DIR_MODE);
    await removedOnFailure([dir], () => writeNewNegotiation(dir, meta));
    return meta;
  }

  /**
   * Seed 000: `{initiator}_{responder}_{chemical}_{unix_ts}` under the initiator, a relative symlink of
   * the same name under the responder. A second one in the same second gets `-1`, `-2`, … (mkdir is the
   * atomic test), so ids stay unique.
   */
  async createPeer(args: {
    initiator: string;
    initiatorRole: 'buyer' | 'seller';
    responder: string;
    chemical: Chemical;
    orderId?: string;
    marketId?: string;
    openingTerms?: Terms;
    ttlMs: number;
    nowMs?: number;
  }): Promise<NegotiationMeta> {
    const { initiator, responder, chemical } = args;
    const now = args.nowMs ?? Date.now();
    const ts = Math.floor(now / 1000);
    const [initiatorPrefix, responderPrefix] = await Promise.all([readPrefix(this.paths, initiator), readPrefix(this.paths, responder)]);
    const base = `${initiatorPrefix}_${responderPrefix}_${chemical}_${ts}`;
    await ensureDir(this.paths.negotiationsDir(initiator));
    await ensureDir(this.paths.negotiationsDir(responder));
    let id = base;
    for (let n = 1; ; n++) {
      try {
        await mkdir(this.paths.negotiation(initiator, id), DIR_MODE);
        if (!(await this.existsAnywhere(responder, id)) && !(await this.settledOrSettling(initiator, id))) break;
        // an earlier negotiation (settled or settling) holds that name: give it back, try the next
        await rmdir(this.paths.negotiation(initiator, id));
        id = `${base}-${n}`;
      } catch (e) {
        if (!isExists(e) || n > 9999) throw e;
        id = `${base}-${n}`;
      }
    }
    const parties: PartyRef[] = [
      { user: initiator, prefix: initiatorPrefix, role: args.initiatorRole },
      { user: responder, prefix: responderPrefix, role: args.initiatorRole === 'buyer' ? 'seller' : 'buyer' },
    ];
    const meta: NegotiationMeta = {
      id,
      kind: 'peer',
      chemical,
      order_id: args.orderId,
      ...(args.marketId ? { market_id: args.marketId } : {}),
      opening_terms: args.openingTerms,
      initiator,
      parties,
      created_at: ts,
      expires_at: Math.floor((now + args.ttlMs) / 1000),
    };
    await this.fillPeer(initiator, responder, meta);
    return meta;
  }

  /**
   * A peer role-play of a class session: two students on the two sides of a scenario. A UUID id, the
   * directory under the first student (`a`), a relative symlink of the same name under the second, as
   * for a trade; each writes only their own state and message files.
   */
  async createRoleplay(args: {
    a: { user: string; role: string };
    b: { user: string; role: string };
    scenarioId: string;
    ttlMs: number;
    session: SessionRef;
    id?: string;
  }): Promise<NegotiationMeta> {
    const id = args.id ? assertUuid(args.id, 'negotiation id') : randomUUID();
    const now = Date.now();
    const { a, b } = args;
    const meta: NegotiationMeta = {
      id,
      kind: 'roleplay',
      scenario_id: args.scenarioId,
      initiator: a.user,
      parties: [
        { user: a.user, prefix: await readPrefix(this.paths, a.user), role: a.role },
        { user: b.user, prefix: await readPrefix(this.paths, b.user), role: b.role },
      ],
      created_at: Math.floor(now / 1000),
      expires_at: Math.floor((now + args.ttlMs) / 1000),
      session_id: args.session.session_id,
      round: args.session.round,
    };
    await ensureDir(this.paths.negotiationsDir(a.user));
    await ensureDir(this.paths.negotiationsDir(b.user));
    await mkdir(this.paths.negotiation(a.user, id), DIR_MODE);
    await this.fillPeer(a.user, b.user, meta);
    return meta;
  }

  /**
   * negotiation.json in the directory just made under `owner`, the other party's symlink to it, both
   * durable. When a step fails (a full or failing disk), both are removed again, so the refused request
   * leaves no half-made negotiation counting against either team.
   */
  private async fillPeer(owner: string, other: string, meta: NegotiationMeta): Promise<void> {
    const dir = this.paths.negotiation(owner, meta.id);
    const link = this.paths.negotiation(other, meta.id);
    const made = [dir];
    await removedOnFailure(made, async () => {
      await writeNewNegotiation(dir, meta);
      await symlink(DataPaths.responderLinkTarget(owner, meta.id), link);
      made.unshift(link);
      await Promise.all([syncDir(this.paths.negotiationsDir(owner)), syncDir(this.paths.negotiationsDir(other))]);
    });
  }

  /** Finds a negotiation through the user's own namespace only: no entry there means no access. */
  async locate(email: string, id: string): Promise<LocatedNegotiation | null> {
    if (!isNegotiationId(id)) return null;
    const candidates: [string, NegotiationPlace][] = [
      [this.paths.negotiation(email, id), 'active'],
      [this.paths.claimedNegotiation(email, id), 'settling'],
      [this.paths.archivedNegotiation(email, id), 'archived'],
    ];
    for (const [dir, place] of candidates) {
      const meta = await readJson<NegotiationMeta>(join(dir, NegotiationFiles.meta)).catch(() => null);
      if (meta && meta.id === id) return { id, dir, place, meta };
    }
    // a responder's symlink dangles while the initiator's copy is being settled
    if (await this.isDanglingLink(this.paths.negotiation(email, id))) {
      const target = await readlink(this.paths.negotiation(email, id));
      const initiator = target.split('/')[2];
      const settling = await readJson<NegotiationMeta>(join(this.paths.claimedNegotiation(initiator, id), NegotiationFiles.meta)).catch(
        () => null,
      );
      if (settling) return { id, dir: this.paths.claimedNegotiation(initiator, id), place: 'settling', meta: settling };
      const archived = await readJson<NegotiationMeta>(join(this.paths.archivedNegotiation(initiator, id), NegotiationFiles.meta)).catch(
        () => null,
      );
      if (archived) return { id, dir: this.paths.archivedNegotiation(initiator, id), place: 'archived', meta: archived };
    }
    return null;
  }

  /** Ids in a user's namespace, active and archived. */
  async listIds(email: string): Promise<{ active: string[]; archived: string[] }> {
    const active = (await listDir(this.paths.negotiationsDir(email))).filter(isNegotiationId);
    const archived = (await listDir(this.paths.archiveDir(email))).filter(isNegotiationId);
    return { active, archived };
  }

  /** The parties' state files; `listing` is the directory's listing when the caller has it already. */
  async readStates(dir: string, listing?: string[]): Promise<PartyState[]> {
    return readStatesSync(dir, listing ?? (await listDir(dir)));
  }

  async readOutcome(dir: string): Promise<Outcome | null> {
    return readOutcomeSync(dir);
  }

  /**
   * The party's own state file. Fails with NEGOTIATION_SETTLING / NEGOTIATION_CLOSED when the directory
   * has been claimed or archived meanwhile: a write never silently lands nowhere.
   */
  async writeState(located: LocatedNegotiation, prefix: string, state: PartyState): Promise<void> {
    if (located.place !== 'active') throw closedError(located.place);
    try {
      await writeJsonAtomic(join(located.dir, NegotiationFiles.state(prefix)), state);
      // the sweep's change marker (NegotiationScan.teamVersion): after the write, so a pass that saw the marker unchanged saw no newer state
      // (a marker that could not be touched only delays that: every 10th pass looks into every directory)
      const now = new Date();
      await utimes(this.paths.negotiationsDir(located.meta.initiator), now, now).catch(() => undefined);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      // the directory moved away since it was located: archived (over) or claimed (being settled)
      const { initiator } = located.meta;
      throw closedError((await anyExists([this.paths.archivedNegotiation(initiator, located.id)])) ? 'archived' : 'settling');
    }
  }

  private existsAnywhere(email: string, id: string): Promise<boolean> {
    return anyExists([this.paths.negotiation(email, id), this.paths.archivedNegotiation(email, id)]);
  }

  private settledOrSettling(email: string, id: string): Promise<boolean> {
    return anyExists([this.paths.archivedNegotiation(email, id), this.paths.claimedNegotiation(email, id)]);
  }

  private async isDanglingLink(p: string): Promise<boolean> {
    try {
      const st = await lstat(p);
      return st.isSymbolicLink();
    } catch {
      return false;
    }
  }
}

export function closedError(place: NegotiationPlace): ParleyError {
  return place === 'settling'
    ? new ParleyError(ErrorCode.NegotiationSettling, 'the negotiation is being settled; try again', 409)
    : new ParleyError(ErrorCode.NegotiationClosed, 'this negotiation is over', 409);
}

async function anyExists(paths: string[]): Promise<boolean> {
  for (const p of paths) {
    try {
      await lstat(p);
      return true;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return false;
}

/**
 * The parties' state files named in `listing` (unreadable ones left out: moved away, or half-written by
 * another program). Synchronous: a few small files read where a settlement or a pass needs them.
 */
export function readStatesSync(dir: string, listing: string[]): PartyState[] {
  const states: PartyState[] = [];
  for (const name of listing.filter(NegotiationFiles.isState).sort()) {
    try {
      const s = readJsonSync<PartyState>(join(dir, name));
      if (s && typeof s.user === 'string') states.push(s);
    } catch {
      /* the check after the claim reads it again */
    }
  }
  return states;
}

/** outcome.json of a negotiation directory; null when absent or unreadable. */
export function readOutcomeSync(dir: string): Outcome | null {
  try {
    return readJsonSync<Outcome>(join(dir, NegotiationFiles.outcome));
  } catch {
    return null;
  }
}

/**
 * A new negotiation's files: each party's (empty) messages file, so its first line is an append to an
 * open file and never a file creation on the event loop while a class is chatting, then
 * negotiation.json, whose directory fsync makes every name durable.
 */
async function writeNewNegotiation(dir: string, meta: NegotiationMeta): Promise<void> {
  for (const { prefix } of meta.parties) await (await open(join(dir, NegotiationFiles.messages(prefix)), 'a', FILE_MODE)).close();
  await writeJsonAtomic(join(dir, NegotiationFiles.meta), meta);
}

/**
 * Runs `step`; when it fails, `made` (what this request has created so far, never anything that was
 * there before) is removed before the error goes on.
 */
async function removedOnFailure<T>(made: string[], step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    for (const path of made) await rm(path, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}
