import type { Chemical, NegotiationKind, Order, Outcome, Terms, Transaction } from './domain';
import type { OfferView } from './payloads';

/** A negotiation in the HTTP answers (GET/POST /api/negotiations, the instructor's lists). */
export interface NegotiationSummary {
  negotiation_id: string;
  kind: NegotiationKind;
  status: string;
  scenario_id?: string;
  chemical?: Chemical;
  parties: { user: string; role: string; name?: string }[];
  created_at: number;
  opening_terms?: Terms;
  outcome?: Outcome;
  /** A market negotiation: the market it trades in. */
  market_id?: string;
  /** An open peer negotiation: whose move it is, as the asking party sees it. */
  waiting_for?: 'you' | 'them';
  /** Made by a class session's round. */
  session_id?: string;
  round?: number;
}

/** GET /api/negotiations/:id */
export interface NegotiationDetail extends NegotiationSummary {
  my_role: string;
  offers: OfferView[];
}

/** GET /api/instructor/negotiations */
export interface ClassNegotiation extends NegotiationSummary {
  /** Milliseconds since the epoch: the latest message, offer change, settlement or creation. */
  last_activity: number;
  message_count: number;
  offers: OfferView[];
}

/** GET /api/instructor/transactions */
export interface ClassTransaction extends Transaction {
  /** The team whose file this is (the buyer for type 'buy', the seller for 'sell'). */
  team: string;
  file: string;
  /** The names people read (absent for a removed account). */
  team_name?: string;
  counterparty_name?: string;
}

/** GET /api/orders: an order of the free board carries its owner's name (a market's board shows no owner). */
export interface BoardOrder extends Order {
  owner_name?: string;
}

/** GET /api/teams/me: the team's own transactions, with the name of the team on the other side. */
export interface TeamTransaction extends Transaction {
  file: string;
  counterparty_name: string;
}
