import type { ChatMessage, NegotiationMeta, NegotiationUpdate, Outcome, PartyScore, Terms } from '@parley/contracts';
import type { DataPaths, MessageLog, OrderStore, SettleTradeOptions, Trade } from '@parley/store';
import type { ScoreResult } from '@parley/negotiation';

/** Where a settlement's result goes (the worker: the room, through the Socket.io Redis emitter). */
export interface SettlementEvents {
  /** `meta` (null for a tree without negotiation.json) tells the parties and the session; `outcome` holds each party's score. */
  negotiationUpdate(update: NegotiationUpdate, context: { meta: NegotiationMeta | null; outcome: Outcome }): void | Promise<void>;
}

export interface ScoreInput {
  meta: NegotiationMeta;
  /** The agreed terms; null when there was no deal (walk-away, expiry). */
  terms: Terms | null;
  status: 'completed' | 'rejected' | 'expired';
  transcript: ChatMessage[];
}

/** Scores an AI practice negotiation (the real one wraps scoreNegotiation + ScenarioCatalog). */
export interface Scorer {
  score(input: ScoreInput): Promise<ScoreResult | null>;
  /** Peer role-play: every student scored from their own brief, by e-mail. */
  scoreEach?(input: ScoreInput): Promise<Record<string, PartyScore> | null>;
}

/** Test seams: called at the points where a crash or a race matters. */
export interface SettlementHooks extends NonNullable<SettleTradeOptions['hooks']> {
  /** After the pre-read decided there is something to do, right before the claim rename. */
  beforeClaim?(owner: string, id: string): Promise<void>;
}

export interface SettlementDeps {
  paths: DataPaths;
  events?: SettlementEvents;
  scorer?: Scorer;
  hooks?: SettlementHooks;
  now?: () => number;
  /** The order board a filled trade leaves (built from `paths` when not given). */
  orders?: Pick<OrderStore, 'remove'>;
  /**
   * A market's rules for a trade about to be decided (schedules, promises): why it cannot be made, or
   * null. Holdings are the ledger's to check. A MarketBook over `paths` when not given.
   */
  tradeCheck?: (meta: NegotiationMeta, trade: Trade) => Promise<string | null>;
  /** Transcripts for the scorer (a plain MessageLog when not given). */
  messages?: Pick<MessageLog, 'readAll'>;
}

/**
 * What happened to one negotiation. 'busy' is the settling place seen from outside: the negotiation is
 * in negotiations_settling/ (claimed) by another process right now.
 */
export type SettlementAction =
  /** transactions (peer) or a scored outcome (ai) written, archived as 'completed' */
  | 'settled'
  /** agreed, but a side could not afford it: archived as 'failed', no transactions */
  | 'failed'
  | 'rejected'
  | 'expired'
  /** nothing to do (no matching agreement); the negotiation is where it was */
  | 'untouched'
  /** another process holds the claim right now */
  | 'busy'
  /** no such active negotiation (already settled, or never there) */
  | 'missing'
  /** cannot be judged (e.g. a hand-made tree without roles); left alone */
  | 'skipped'
  | 'error';

export interface SettlementResult {
  negotiation_id: string;
  owner: string;
  action: SettlementAction;
  reason?: string;
  outcome?: Outcome;
}
