/** Shapes of what Parley stores and sends; file formats follow seed 000 and DESIGN.md. */

export const CHEMICALS = ['C', 'N', 'D', 'Q'] as const;
export type Chemical = (typeof CHEMICALS)[number];
export type Role = 'student' | 'instructor';

export interface Holdings {
  cash: number;
  C: number;
  N: number;
  D: number;
  Q: number;
}

/** data/teams/<email>/init.json */
export interface TeamInit {
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  holdings: Holdings;
  /**
   * The namespace prefix of this account's file names in negotiations (`<prefix>_state.json`) and of
   * seed 000's peer ids, fixed when the account is made. Absent on accounts made before it existed:
   * their prefix is the e-mail's local part, which never changes.
   */
  prefix?: string;
  /** A roster import's other columns (e.g. `group`), for pairing a session by a roster column. */
  columns?: Record<string, string>;
}

export type PublicUser = Omit<TeamInit, 'password_hash'>;

/** Terms of a deal: issue name → number (trading: price and quantity; a scenario: its issues). */
export type Terms = Record<string, number>;

export type PartyStatus = 'pending' | 'agreed' | 'rejected';

/** <prefix>_state.json / ai_state.json: one writer, the party itself (seed 000). */
export interface PartyState {
  user: string;
  role: string;
  chemical?: Chemical;
  offer: (Terms & { timestamp: number }) | null;
  status: PartyStatus;
  agreement_key?: string;
  last_updated: number;
}

/** 'ai': AI practice; 'peer': a trade (seed 000); 'roleplay': two students on the two sides of a scenario. */
export type NegotiationKind = 'ai' | 'peer' | 'roleplay';

export interface PartyRef {
  /** An e-mail, or 'ai' for the AI counterpart. */
  user: string;
  /** File prefix: the account's namespace prefix (TeamInit.prefix), or 'ai'. */
  prefix: string;
  role: string;
}

/** negotiation.json, written once at creation. */
export interface NegotiationMeta {
  id: string;
  kind: NegotiationKind;
  scenario_id?: string;
  chemical?: Chemical;
  order_id?: string;
  /** Owner of the directory: the initiator (peer) or the student (ai). */
  initiator: string;
  parties: PartyRef[];
  created_at: number;
  expires_at: number;
  /** Peer negotiations opened on an order: the order's price and quantity, as a starting point. */
  opening_terms?: Terms;
  /** Opened on an order of a market: the trade counts in that market (schedules, profit, checks). */
  market_id?: string;
  /** A negotiation made by a class session's round (the session lists it, never copies it). */
  session_id?: string;
  round?: number;
}

export type NegotiationStatus = 'active' | 'completed' | 'rejected' | 'expired' | 'failed';

export interface AiMetadata {
  model: string;
  reasoning: string;
  negotiation_state: 'opening' | 'discussion' | 'closing';
  confidence: number;
}

/** One line of a <prefix>_messages.jsonl file. */
export interface ChatMessage {
  id: string;
  seq: number;
  negotiation_id: string;
  sender_type: 'user' | 'ai';
  sender: string;
  content: string;
  timestamp: string;
  client_message_id?: string;
  /** AI replies: the user message seq they answer (makes a retried job a no-op). */
  reply_to?: number;
  ai_metadata?: AiMetadata;
  read?: boolean;
  /** 'offer' lines record a party's propose/agree/reject in the transcript (terms and status). */
  kind?: 'chat' | 'offer';
  terms?: Terms;
  status?: PartyStatus;
}

export interface FinalScore {
  claiming_value: number;
  creating_value: number;
  managing_relationships: number;
  overall: number;
}

export interface ScoreExplanations {
  claiming_value: string;
  creating_value: string;
  managing_relationships: string;
  overall: string;
}

/** outcome.json, written by the agreement worker into the archived negotiation. */
export interface Outcome {
  negotiation_id: string;
  kind: NegotiationKind;
  status: Exclude<NegotiationStatus, 'active'>;
  deal_terms: { agreed: boolean; terms: Terms | null };
  final_score?: FinalScore;
  score_explanations?: ScoreExplanations;
  reason?: string;
  settled_at: number;
  /** Role-play: each student scored from their own brief (e-mail → score). AI practice keeps final_score. */
  scores?: Record<string, PartyScore>;
}

export interface PartyScore {
  role: string;
  final_score: FinalScore;
  score_explanations: ScoreExplanations;
}

/** data/teams/<email>/transactions/*.json — exactly seed 000's fields. */
export interface Transaction {
  type: 'buy' | 'sell';
  chemical: Chemical;
  price: number;
  quantity: number;
  counterparty: string;
  negotiation_id: string;
  timestamp: number;
  settled: boolean;
}

/** data/teams/<email>/orders/<order_id>.json */
export interface Order {
  id: string;
  owner: string;
  side: 'buy' | 'sell';
  chemical: Chemical;
  price: number;
  quantity: number;
  created_at: number;
  /** Posted in a market (absent: the free trading board). */
  market_id?: string;
}
