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
    /** More fields of the HTTP error body (e.g. a roster import's `errors: [{line, message}]`). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
