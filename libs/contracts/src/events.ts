/** Socket.io event names: seed 004's names, plus the offer and history events Parley adds. */
export const ClientEvent = {
  JoinNegotiation: 'join-negotiation',
  LeaveNegotiation: 'leave-negotiation',
  SendMessage: 'send-message',
  TypingStart: 'typing-start',
  TypingStop: 'typing-stop',
  /** Ask for every message after a sequence number (used after a reconnect). */
  SyncMessages: 'sync-messages',
  ProposeOffer: 'propose-offer',
  AgreeOffer: 'agree-offer',
  RejectNegotiation: 'reject-negotiation',
  DevTriggerAi: 'dev-trigger-ai',
  DevCompleteNegotiation: 'dev-complete-negotiation',
  /** Joins a class session's room (its members and its instructor only). */
  JoinSession: 'join-session',
} as const;

export const ServerEvent = {
  NegotiationState: 'negotiation-state',
  /** The last 50 messages on join, or the messages after `after_seq` on sync. */
  MessageHistory: 'message-history',
  MessageReceived: 'message-received',
  AiMessage: 'ai-message',
  UserTyping: 'user-typing',
  AiTyping: 'ai-typing',
  NegotiationUpdate: 'negotiation-update',
  OfferUpdated: 'offer-updated',
  /** Sent by a gateway that is shutting down: reconnect (to another replica). */
  ServerShutdown: 'server-shutdown',
  /** To an order owner's user room when a team answers or takes its order. */
  OrderResponse: 'order-response',
  /** To every team of a board (the free board's room, or each member of the market): an order was posted, withdrawn or taken. */
  OrderBoard: 'order-board',
  /** To a market's members and its instructor (their user rooms): a trade settled or trading ended — re-read what shows it; an offer in one of its negotiations to its two parties. */
  MarketUpdate: 'market-update',
  /** To the session room: the live summary changed (membership, pairing, a negotiation's state, a round). */
  SessionUpdate: 'session-update',
  /** To each paired student's user room: their negotiation of the new round and when it ends. */
  /** To the session's staff room (its instructor): the full live view (who, state, pairs, negotiation ids). */
  LiveUpdate: 'live-update',
  RoundStarted: 'round-started',
  RoundEnded: 'round-ended',
  SessionBroadcast: 'session-broadcast',

  Error: 'error',
} as const;
export type ServerEventName = (typeof ServerEvent)[keyof typeof ServerEvent];

/** Room names: every party socket joins `negotiation-<id>` (seed 004) and `user-<email>`. */
export const negotiationRoom = (negotiationId: string) => `negotiation-${negotiationId}`;
export const userRoom = (email: string) => `user-${email}`;
export const sessionRoom = (sessionId: string) => `session-${sessionId}`;
/** Every instructor's socket: the class dashboard hears each negotiation-update without polling. */
export const INSTRUCTORS_ROOM = 'instructors';
/** Every signed-in socket: the free trading board's changes (a market's go to its members' user rooms). */
export const FREE_BOARD_ROOM = 'free-board';
export const sessionStaffRoom = (sessionId: string) => `session-staff-${sessionId}`;

export const HISTORY_ON_JOIN = 50;
export const MAX_MESSAGE_LENGTH = 1000;
