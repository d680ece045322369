import type { Outcome, PartyState } from './domain';
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
