import { ErrorCode } from '@parley/contracts/browser';

/** Codes the client itself gives a failure that never reached the server (the server's are ErrorCode). */
export const ClientErrorCode = {
  /** The socket was not connected: nothing was sent. */
  Disconnected: 'DISCONNECTED',
  /** Sent, but no acknowledgement came back in time. */
  NoAnswer: 'NO_ANSWER',
  /** The HTTP request did not reach the server. */
  Network: 'NETWORK',
  /** An `error` event without a code. */
  Unknown: 'ERROR',
} as const;

/** Codes after which the same message is simply sent again later (same client id, so no duplicate). */
export const RETRYABLE = new Set<string>([
  ClientErrorCode.Disconnected,
  ClientErrorCode.NoAnswer,
  ErrorCode.DuplicateInFlight,
  ErrorCode.NegotiationSettling,
  ErrorCode.StorageFailed,
  ErrorCode.Internal,
]);

const ERROR_TITLES: Record<string, string> = {
  [ErrorCode.RateLimited]: 'You are sending messages too fast',
  [ErrorCode.MessageTooLong]: 'That message is too long',
  [ErrorCode.NegotiationExpired]: 'This negotiation has expired',
  [ErrorCode.NegotiationClosed]: 'This negotiation is over',
  [ErrorCode.NegotiationSettling]: 'The deal is being settled right now',
  [ErrorCode.NegotiationNotFound]: 'Negotiation not found',
  [ErrorCode.NotAParty]: 'You are not a party to this negotiation',
  [ErrorCode.InvalidOffer]: 'Those terms cannot be offered',
  [ErrorCode.InvalidPayload]: 'The server refused the request',
  [ErrorCode.AiTimeout]: 'The AI counterpart took too long',
  [ErrorCode.AiFailed]: 'The AI counterpart could not answer',
  [ErrorCode.StorageFailed]: 'The server could not save that',
};

export function readableError(e: { code: string; message: string }): string {
  const title = ERROR_TITLES[e.code];
  return title ? `${title}: ${e.message}` : e.message;
}
