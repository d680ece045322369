import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, NegotiationStatus, Outcome, ParleyError, PartyRef } from '@parley/contracts';
import { LocatedNegotiation, isNegotiationId } from '@parley/store';
import { Infra } from '../infra';
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
  constructor(@Inject(Infra) private readonly infra: Infra) {}

  async find(user: AuthUser, id: unknown): Promise<Access> {
    const notFound = new ParleyError(ErrorCode.NegotiationNotFound, 'negotiation not found', 404);
    if (!isNegotiationId(id)) throw notFound;
    let located = await this.infra.negotiations.locate(user.email, id);
    if (!located && user.role === 'instructor') located = await this.findAnywhere(id);
    if (!located) throw notFound;
    const party = located.meta.parties.find((p) => p.user === user.email) ?? null;
    if (!party && user.role !== 'instructor') throw notFound;
    const outcome = located.place === 'archived' ? await this.infra.negotiations.readOutcome(located.dir) : null;
    return { located, party, outcome };
  }

  /** For events that change the negotiation: the user must be a party and it must be open. */
  async requireActiveParty(user: AuthUser, id: unknown): Promise<Access & { party: PartyRef }> {
    const access = await this.find(user, id);
    if (!access.party) throw new ParleyError(ErrorCode.NotAParty, 'observers cannot act in this negotiation', 403);
    assertOpen(access);
    return access as Access & { party: PartyRef };
  }

  private async findAnywhere(id: string): Promise<LocatedNegotiation | null> {
    for (const email of await this.infra.teams.list()) {
      const located = await this.infra.negotiations.locate(email, id);
      if (located) return located;
    }
    return null;
  }
}

export function assertOpen(access: Access): void {
  const { located, outcome } = access;
  if (located.place === 'archived') {
    if (outcome?.status === 'expired') throw new ParleyError(ErrorCode.NegotiationExpired, 'This negotiation session has expired', 410);
    throw new ParleyError(ErrorCode.NegotiationClosed, `this negotiation is over (${outcome?.status ?? 'closed'})`, 409);
  }
  if (located.place === 'settling') throw new ParleyError(ErrorCode.NegotiationSettling, 'the negotiation is being settled; try again', 409);
}

export function statusOf(access: Access): NegotiationStatus {
  if (access.located.place !== 'archived') return 'active';
  return access.outcome?.status ?? 'completed';
}
