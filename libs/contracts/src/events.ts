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
  Error: 'error',
} as const;
export type ServerEventName = (typeof ServerEvent)[keyof typeof ServerEvent];

/** Room names: every party socket joins `negotiation-<id>` (seed 004) and `user-<email>`. */
export const negotiationRoom = (negotiationId: string) => `negotiation-${negotiationId}`;
export const userRoom = (email: string) => `user-${email}`;

export const HISTORY_ON_JOIN = 50;
export const MAX_MESSAGE_LENGTH = 1000;
