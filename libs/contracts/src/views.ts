import type { NegotiationStatus, Outcome, PartyState, Terms } from './domain';
import type { NegotiationUpdate, OfferView } from './payloads';

/** What the room sees of a party's state file. */
export function offerView(s: PartyState): OfferView {
  return { user: s.user, role: s.role, offer: s.offer, status: s.status, last_updated: s.last_updated };
}

/** The `negotiation-update` for an outcome; stamped with its settlement time unless told otherwise. */
export function outcomeUpdate(outcome: Outcome, nowMs = outcome.settled_at * 1000): NegotiationUpdate {
  const update: NegotiationUpdate = {
    negotiation_id: outcome.negotiation_id,
    status: outcome.status,
    deal_terms: outcome.deal_terms,
    updated_at: new Date(nowMs).toISOString(),
  };
  if (outcome.final_score) update.final_score = outcome.final_score;
  if (outcome.score_explanations) update.score_explanations = outcome.score_explanations;
  if (outcome.reason) update.reason = outcome.reason;
  return update;
}

/** Terms without the offer timestamp. */
export function termsOf(offer: (Terms & { timestamp?: number }) | null | undefined): Terms | null {
  if (!offer) return null;
  const { timestamp: _ts, ...terms } = offer;
  return terms as Terms;
}

/**
 * Where a negotiation's directory is. 'settling' is the agreement worker's claim on it
 * (negotiations_settling/ on disk; a sweep that finds it there reports the action 'busy').
 */
export type NegotiationPlace = 'active' | 'settling' | 'archived';

/** The status the instructor's screens show: the outcome's once archived, 'settling' while it is claimed. */
export function negotiationStatus(place: NegotiationPlace, outcome: Pick<Outcome, 'status'> | null): NegotiationStatus | 'settling' {
  if (place === 'archived') return outcome?.status ?? 'completed';
  return place === 'settling' ? 'settling' : 'active';
}

/** The status a party sees (negotiation-state, their lists), which has no 'settling': open until it is archived. */
export function partyStatus(place: NegotiationPlace, outcome: Pick<Outcome, 'status'> | null): NegotiationStatus {
  const status = negotiationStatus(place, outcome);
  return status === 'settling' ? 'active' : status;
}

/**
 * Whose move it is in an open peer negotiation, for `me`: the party that has not agreed to the other's
 * agreement, else the one answering the latest offer. Before any offer, the initiator (the order's
 * owner, whose order was just answered).
 */
export function waitingFor(states: PartyState[], me: string, initiator: string): 'you' | 'them' | undefined {
  const mine = states.find((s) => s.user === me && s.offer);
  const theirs = states.find((s) => s.user !== me && s.offer);
  if (mine?.status === 'rejected' || theirs?.status === 'rejected') return undefined;
  if (mine?.status === 'agreed' && theirs?.status === 'agreed') return undefined;
  if (theirs?.status === 'agreed') return 'you';
  if (mine?.status === 'agreed') return 'them';
  if (!mine && !theirs) return me === initiator ? 'you' : 'them';
  if (!mine) return 'you';
  if (!theirs) return 'them';
  return theirs.last_updated >= mine.last_updated ? 'you' : 'them';
}
