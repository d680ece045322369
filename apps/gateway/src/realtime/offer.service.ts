import { offerView } from '@parley/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { ChatMessage, ErrorCode, OfferView, ParleyError, PartyRef, PartyState, PartyStatus, Terms } from '@parley/contracts';
import { NegotiationStore } from '@parley/store';
import {
  ScenarioCatalog,
  agreementKey,
  describeTerms,
  describeTrade,
  termsOf,
  validateTerms,
  validateTradeTerms,
} from '@parley/negotiation';
import type { Access } from './access.service';
import { ChatService } from './chat.service';

export interface OfferChange {
  view: OfferView;
  /**
   * The change's line in the party's transcript; null when the negotiation was claimed for settlement
   * (or closed) after the state file was written and before the line was: the change stands (the
   * settler read it), only the line is missing.
   */
  line: ChatMessage | null;
}

/**
 * propose / agree / reject: the acting party rewrites only its own state file, records the change
 * as a line in its transcript, and the caller enqueues the agreement check (and the AI's turn).
 */
@Injectable()
export class OfferService {
  constructor(
    @Inject(NegotiationStore) private readonly negotiations: NegotiationStore,
    @Inject(ScenarioCatalog) private readonly scenarios: ScenarioCatalog,
    @Inject(ChatService) private readonly chat: ChatService,
  ) {}

  async change(access: Access & { party: PartyRef }, status: PartyStatus, terms: Terms | null): Promise<OfferChange> {
    const { located, party } = access;
    // the party's previous offer matters only when this change names no terms (an agree or reject as it stands)
    const previous = terms ? null : ((await this.negotiations.readStates(located.dir)).find((s) => s.user === party.user) ?? null);
    const offerTerms = terms ?? termsOf(previous?.offer);
    if (terms) await this.assertValid(access, terms);
    const now = Date.now();
    const state: PartyState = {
      user: party.user,
      role: party.role,
      ...(located.meta.chemical ? { chemical: located.meta.chemical } : {}),
      offer: offerTerms ? { ...offerTerms, timestamp: Math.floor(now / 1000) } : null,
      status,
      ...(status === 'agreed' && offerTerms ? { agreement_key: agreementKey(offerTerms) } : {}),
      last_updated: Math.floor(now / 1000),
    };
    await this.negotiations.writeState(located, party.prefix, state);
    const content = offerLine(status, offerTerms ? await this.describe(access, offerTerms) : '');
    const line = await this.chat
      .append(located, party, { kind: 'offer', content, ...(offerTerms ? { terms: offerTerms } : {}), status })
      .catch((e) => {
        if (e instanceof ParleyError && (e.code === ErrorCode.NegotiationSettling || e.code === ErrorCode.NegotiationClosed)) return null;
        throw e;
      });
    return { view: offerView(state), line };
  }

  /** Terms in plain words with their units: "price $11,000", "1,500 units of C at $4.25 each". */
  private async describe(access: Access, terms: Terms): Promise<string> {
    const meta = access.located.meta;
    if (meta.kind === 'peer') return describeTrade(meta.chemical, terms);
    const scenario = meta.scenario_id ? await this.scenarios.get(meta.scenario_id) : null;
    return scenario ? describeTerms(scenario, terms) : '';
  }

  private async assertValid(access: Access, terms: Terms): Promise<void> {
    const meta = access.located.meta;
    let problem: string | null;
    if (meta.kind === 'peer') {
      problem = validateTradeTerms(terms);
    } else {
      const scenario = meta.scenario_id ? await this.scenarios.get(meta.scenario_id) : null;
      problem = scenario ? validateTerms(scenario, terms) : 'the scenario of this negotiation is no longer available';
    }
    if (problem) throw new ParleyError(ErrorCode.InvalidOffer, problem);
  }
}

/** The chat line an offer-panel action leaves. */
function offerLine(status: PartyStatus, terms: string): string {
  if (status === 'rejected') return 'Rejected the negotiation.';
  const verb = status === 'agreed' ? 'Agreed to' : 'Proposed';
  return terms ? `${verb} ${terms}.` : `${verb}.`;
}
