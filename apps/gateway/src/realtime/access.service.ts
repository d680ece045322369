import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, NegotiationStatus, Outcome, ParleyError, PartyRef, partyStatus } from '@parley/contracts';
import { LocatedNegotiation, NegotiationStore, TeamStore, isNegotiationId } from '@parley/store';
import type { AuthUser } from '../auth/auth.service';

export interface Access {
  located: LocatedNegotiation;
  /** The user's party, or null for an instructor observing. */
  party: PartyRef | null;
  outcome: Outcome | null;
}

/**
 * A negotiation is reachable only through the user's own namespace (their directory or the
 * responder's symlink); instructors may observe any. Anyone else gets NEGOTIATION_NOT_FOUND, the
 * same answer as for an id that does not exist.
 */
@Injectable()
export class AccessService {
  private readonly recentlyOpen = new Map<string, { access: Access & { party: PartyRef }; until: number }>();

  constructor(
    @Inject(NegotiationStore) private readonly negotiations: NegotiationStore,
    @Inject(TeamStore) private readonly teams: TeamStore,
  ) {}

  async find(user: AuthUser, id: unknown): Promise<Access> {
    if (!isNegotiationId(id)) throw notFound();
    let located = await this.negotiations.locate(user.email, id);
    const party = located?.meta.parties.find((p) => p.user === user.email) ?? null;
    if (!party) {
      // observing: the role is read again now, so a demoted instructor's token or socket loses it
      if (!(await this.isInstructorNow(user))) throw notFound();
      located ??= await this.findAnywhere(id);
    }
    if (!located) throw notFound();
    const outcome = located.place === 'archived' ? await this.negotiations.readOutcome(located.dir) : null;
    return { located, party, outcome };
  }

  /**
   * For events that change the negotiation: the user must be a party and it must be open. An open
   * negotiation a party used is remembered for a minute (its negotiation.json never changes, and
   * reading it again for every few lines of a chatting class cost a file open per line or so): a
   * write into it after it was settled or archived fails on the missing directory and says so, so
   * the shortcut never lets a write land in a closed negotiation.
   */
  async requireActiveParty(user: AuthUser, id: unknown): Promise<Access & { party: PartyRef }> {
    const key = `${user.email} ${String(id)}`;
    const cached = this.recentlyOpen.get(key);
    if (cached && cached.until > Date.now()) return cached.access;
    const access = await this.find(user, id);
    if (!access.party) throw new ParleyError(ErrorCode.NotAParty, 'observers cannot act in this negotiation', 403);
    assertOpen(access);
    if (this.recentlyOpen.size >= RECENT_MAX) this.recentlyOpen.clear();
    this.recentlyOpen.set(key, { access: access as Access & { party: PartyRef }, until: Date.now() + RECENT_MS });
    return access as Access & { party: PartyRef };
  }

  /** Drops the remembered access (after a write found the negotiation closed). */
  forget(user: AuthUser, id: string): void {
    this.recentlyOpen.delete(`${user.email} ${id}`);
  }

  async isInstructorNow(user: AuthUser): Promise<boolean> {
    return user.role === 'instructor' && (await this.teams.read(user.email))?.role === 'instructor';
  }

  private async findAnywhere(id: string): Promise<LocatedNegotiation | null> {
    for (const email of await this.teams.list()) {
      const located = await this.negotiations.locate(email, id);
      if (located) return located;
    }
    return null;
  }
}

const RECENT_MS = 60_000;
const RECENT_MAX = 10_000;
const notFound = () => new ParleyError(ErrorCode.NegotiationNotFound, 'negotiation not found', 404);

export function assertOpen(access: Access): void {
  const { located, outcome } = access;
  if (located.place === 'archived') {
    if (outcome?.status === 'expired') throw new ParleyError(ErrorCode.NegotiationExpired, 'This negotiation session has expired', 410);
    throw new ParleyError(ErrorCode.NegotiationClosed, `this negotiation is over (${outcome?.status ?? 'closed'})`, 409);
  }
  if (located.place === 'settling')
    throw new ParleyError(ErrorCode.NegotiationSettling, 'the negotiation is being settled; try again', 409);
}

export function statusOf(access: Access): NegotiationStatus {
  return partyStatus(access.located.place, access.outcome);
}
