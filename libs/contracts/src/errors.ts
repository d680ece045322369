/** Every `error` event and every HTTP error body carries one of these codes. */
export const ErrorCode = {
  AuthenticationError: 'AUTHENTICATION_ERROR',
  InvalidPayload: 'INVALID_PAYLOAD',
  MessageTooLong: 'MESSAGE_TOO_LONG',
  RateLimited: 'RATE_LIMITED',
  /** Also answered when the negotiation exists but the user is not a party: nothing leaks. */
  NegotiationNotFound: 'NEGOTIATION_NOT_FOUND',
  NegotiationExpired: 'NEGOTIATION_EXPIRED',
  NegotiationClosed: 'NEGOTIATION_CLOSED',
  /** The negotiation is being settled right now; the write was not made. Try again. */
  NegotiationSettling: 'NEGOTIATION_SETTLING',
  NotAParty: 'NOT_A_PARTY',
  InvalidOffer: 'INVALID_OFFER',
  DuplicateInFlight: 'DUPLICATE_IN_FLIGHT',
  AiTimeout: 'AI_TIMEOUT',
  AiFailed: 'AI_FAILED',
  DevOnly: 'DEV_ONLY',
  StorageFailed: 'STORAGE_FAILED',
  NotFound: 'NOT_FOUND',
  Forbidden: 'FORBIDDEN',
  Conflict: 'CONFLICT',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  TooManyAttempts: 'TOO_MANY_ATTEMPTS',
  Internal: 'INTERNAL',
  /** The team could not pay for this with the cash its other open orders and negotiations leave free. */
  NotEnoughCash: 'NOT_ENOUGH_CASH',
  /** The team could not deliver this with the goods its other open orders and negotiations leave free. */
  NotEnoughGoods: 'NOT_ENOUGH_GOODS',
  /** In a market: more units than the team's cost schedule (or none: it does not sell that chemical). */
  BeyondSchedule: 'BEYOND_SCHEDULE',
  /** The market's trading time is over (or it was ended). */
  MarketClosed: 'MARKET_CLOSED',
  /** The order was taken or withdrawn meanwhile. */
  OrderGone: 'ORDER_GONE',
  /** A market design that does not pass validation: `problems` lists every one, with its line or path. */
  InvalidDesign: 'INVALID_DESIGN',
  /** A scenario that does not pass validation: `errors` lists every field and what is wrong with it. */
  InvalidScenario: 'INVALID_SCENARIO',
  /** A built-in scenario cannot be changed: duplicate it and edit the copy. */
  ReadOnlyScenario: 'READ_ONLY_SCENARIO',
  SessionNotFound: 'SESSION_NOT_FOUND',
  BadJoinCode: 'BAD_JOIN_CODE',
  NotSessionMember: 'NOT_SESSION_MEMBER',
  RoundNotRunning: 'ROUND_NOT_RUNNING',
  RoundAlreadyRunning: 'ROUND_ALREADY_RUNNING',
  NotEnoughMembers: 'NOT_ENOUGH_MEMBERS',
} as const;
export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorPayload {
  code: ErrorCodeName;
  message: string;
  timestamp: string;
  negotiation_id?: string;
  event?: string;
}

/** Thrown by services; the gateway turns it into an `error` event or an HTTP status. */
export class ParleyError extends Error {
  constructor(
    readonly code: ErrorCodeName,
    message: string,
    readonly httpStatus = 400,
    /** More fields of the HTTP error body (a roster import's `errors: [{line, message}]`, a market design's `problems`). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
