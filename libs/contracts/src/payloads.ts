import { z } from 'zod';
import type {
  AiMetadata,
  ChatMessage,
  FinalScore,
  NegotiationKind,
  NegotiationStatus,
  PartyStatus,
  ScoreExplanations,
  Terms,
} from './domain';
import type { BoardOrder } from './http';
import type { LiveView, SessionSummary } from './sessions';
import type { ErrorPayload } from './errors';

/** Negotiation ids: a UUID (AI practice) or seed 000's `{initiator}_{responder}_{chemical}_{unix_ts}[-n]`. */
export const NEGOTIATION_ID_PATTERN =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9][a-z0-9.+-]{0,63}_[a-z0-9][a-z0-9.+-]{0,63}_[CNDQ]_\d{9,12}(?:-\d{1,4})?)$/;

const negotiationId = z.string().regex(NEGOTIATION_ID_PATTERN, 'not a negotiation id');
const termValue = z.number().finite().min(-1e12).max(1e12);
export const termsSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'issue names are lower-case words'), termValue)
  .refine((t) => Object.keys(t).length >= 1 && Object.keys(t).length <= 12, 'between 1 and 12 issues');

export const ClientPayload = {
  'join-negotiation': z.object({ negotiation_id: negotiationId }),
  'leave-negotiation': z.object({ negotiation_id: negotiationId }),
  'send-message': z.object({
    negotiation_id: negotiationId,
    // length is checked separately so an over-long message gets MESSAGE_TOO_LONG, not INVALID_PAYLOAD
    content: z.string().min(1, 'empty message'),
    type: z.literal('user').optional(),
    timestamp: z.string().max(40).optional(),
    client_message_id: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
  }),
  'typing-start': z.object({ negotiation_id: negotiationId }),
  'typing-stop': z.object({ negotiation_id: negotiationId }),
  'sync-messages': z.object({ negotiation_id: negotiationId, after_seq: z.number().int().min(0) }),
  'propose-offer': z.object({ negotiation_id: negotiationId, terms: termsSchema }),
  'agree-offer': z.object({ negotiation_id: negotiationId, terms: termsSchema }),
  'reject-negotiation': z.object({ negotiation_id: negotiationId, reason: z.string().max(300).optional() }),
  'dev-trigger-ai': z.object({ negotiation_id: negotiationId, force_response: z.boolean().optional() }),
  'dev-complete-negotiation': z.object({
    negotiation_id: negotiationId,
    outcome: z.enum(['success', 'failure']).optional(),
    score_override: z.record(z.string(), z.number()).optional(),
  }),
  'join-session': z.object({ session_id: z.string().regex(/^[0-9a-f-]{36}$/, 'not a session id') }),
} as const;
export type ClientPayloads = { [K in keyof typeof ClientPayload]: z.infer<(typeof ClientPayload)[K]> };

export interface OfferView {
  user: string;
  role: string;
  offer: (Terms & { timestamp: number }) | null;
  status: PartyStatus;
  last_updated: number;
}

/** Server → client payloads. */
export interface ServerPayloads {
  'negotiation-state': {
    negotiation_id: string;
    kind: NegotiationKind;
    status: NegotiationStatus;
    participant_count: number;
    scenario_id?: string;
    chemical?: string;
    my_role: string;
    /** `name`: what people read (the AI: "AI"). */
    parties: { user: string; role: string; name?: string }[];
    offers: OfferView[];
    last_seq: number;
    outcome?: NegotiationUpdate;
  };
  'message-history': { negotiation_id: string; messages: ChatMessage[]; last_seq: number };
  'message-received': ChatMessage;
  'ai-message': ChatMessage & { ai_metadata: AiMetadata };
  'user-typing': { negotiation_id: string; user_id: string; typing: boolean };
  'ai-typing': { negotiation_id: string; typing: boolean; estimated_time: number };
  'offer-updated': OfferView & { negotiation_id: string };
  'negotiation-update': NegotiationUpdate;
  'server-shutdown': { reconnect_in_ms: number };
  /** To the order owner's user room: a team answered its order (accepted: took it as posted). */
  'order-response': {
    order_id: string;
    negotiation_id: string;
    from: string;
    /** The name people read of the team that answered. */
    from_name: string;
    chemical: string;
    accepted: boolean;
    terms?: Terms;
  };
  /**
   * A change of a board: `posted` carries the order as GET /api/orders lists it; `withdrawn` (by its
   * owner) and `taken` (accepted, or agreed in a negotiation on it) only its id. `market_id` null: the free board.
   */
  'order-board': { change: 'posted' | 'withdrawn' | 'taken'; order_id: string; market_id: string | null; order?: BoardOrder };
  /**
   * A market changed: `trade` (a trade of it settled) and `ended` (trading closed early) to its members
   * and its instructor; `offer` (a proposal, agreement or rejection in one of its negotiations) to that
   * negotiation's two parties only.
   */
  'market-update': { market_id: string; change: 'trade' | 'ended' | 'offer' };
  'session-update': SessionSummary;
  'live-update': LiveView;
  'round-started': { session_id: string; round: number; ends_at: number; negotiation_id?: string; role?: string; partner?: string };
  'round-ended': { session_id: string; round: number; by: 'instructor' | 'time' };
  'session-broadcast': { session_id: string; text: string; at: string };
  /** Also emitted to a negotiation room by workers (e.g. AI_TIMEOUT from the ai-worker). */
  error: ErrorPayload;
}

export interface NegotiationUpdate {
  negotiation_id: string;
  status: NegotiationStatus;
  deal_terms?: { agreed: boolean; terms: Terms | null };
  final_score?: FinalScore;
  score_explanations?: ScoreExplanations;
  reason?: string;
  updated_at: string;
}

/** What an acknowledged client event gets back through its Socket.io ack callback. */
export type Ack<T = unknown> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

/** Socket.io's event maps: the gateway's `Server`/`Socket` and the web client's socket are typed by the contract. */
export type ClientToServerEvents = {
  [E in keyof ClientPayloads]: (payload: ClientPayloads[E], ack?: (answer: Ack) => void) => void;
};
export type ServerToClientEvents = { [E in keyof ServerPayloads]: (payload: ServerPayloads[E]) => void };
