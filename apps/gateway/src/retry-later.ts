import { ErrorCodeName, ParleyError } from '@parley/contracts';

/** A 429 that knows when to come back: the HTTP answer's Retry-After is the same number the message gives. */
export class RetryLaterError extends ParleyError {
  readonly retryAfterSeconds: number;

  constructor(code: ErrorCodeName, describe: (seconds: number) => string, msBeforeNext: number) {
    const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
    super(code, describe(seconds), 429);
    this.retryAfterSeconds = seconds;
  }
}
