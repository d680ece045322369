import type IORedis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCode } from '@parley/contracts';
import { RetryLaterError } from '../retry-later';

const WINDOW_S = 15 * 60;
const MAX_LOCKOUT_S = 24 * 3600;
/** How many times the ceiling of the per-account-and-address budget the per-address budget is. */
export const ADDRESS_FACTOR = 5;

export interface LoginReservation {
  pair: string;
  address: string;
}

/**
 * Failed-login budgets, reserved before the password is checked so concurrent guesses cannot all
 * slip past one check, and refunded when the password was right.
 * - per account and address: a guesser locks out only themself, never the owner elsewhere; each
 *   further lockout of the same pair lasts twice as long as the one before (progressive delay);
 * - per address, looser: password spraying from one address stops, but one person mistyping their
 *   own password cannot exhaust it for a whole NAT.
 */
export class LoginLimits {
  private readonly byPair: RateLimiterRedis;
  private readonly lockouts: RateLimiterRedis;
  private readonly byAddress: RateLimiterRedis;

  constructor(
    redis: IORedis,
    keyPrefix: (name: string) => string,
    private readonly failuresPerWindow: number,
  ) {
    this.byPair = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keyPrefix('login-pair'),
      points: failuresPerWindow,
      duration: WINDOW_S,
    });
    this.lockouts = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keyPrefix('login-lockouts'),
      points: 1000,
      duration: MAX_LOCKOUT_S,
    });
    this.byAddress = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keyPrefix('login-address'),
      points: failuresPerWindow * ADDRESS_FACTOR,
      duration: WINDOW_S,
      blockDuration: WINDOW_S,
    });
  }

  /** Takes one failure from both budgets, or throws 429 (with the real wait) when either is spent. */
  async reserve(account: string, address: string): Promise<LoginReservation> {
    const reservation = { pair: `${account.slice(0, 254)} ${address}`, address };
    try {
      await this.byPair.consume(reservation.pair);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      throw tooMany(await this.lockOut(reservation.pair, e));
    }
    try {
      await this.byAddress.consume(address);
    } catch (e) {
      await this.byPair.reward(reservation.pair, 1).catch(() => undefined);
      if (!(e instanceof RateLimiterRes)) throw e;
      throw tooMany(e.msBeforeNext);
    }
    return reservation;
  }

  /** The right password: the pair starts afresh; the address gets its point back (but is not reset). */
  async succeeded(r: LoginReservation): Promise<void> {
    await Promise.all([this.byPair.delete(r.pair), this.lockouts.delete(r.pair), this.byAddress.reward(r.address, 1)]).catch(
      () => undefined,
    );
  }

  /**
   * The first refusal past the budget starts a lockout of WINDOW_S × 2^(n-1) for the pair's n-th
   * lockout in a day; later refusals report the remaining time of that lockout.
   */
  private async lockOut(pair: string, refused: RateLimiterRes): Promise<number> {
    if (refused.consumedPoints !== this.failuresPerWindow + 1) return refused.msBeforeNext;
    const n = (await this.lockouts.penalty(pair, 1)).consumedPoints;
    const seconds = Math.min(WINDOW_S * 2 ** Math.min(n - 1, 10), MAX_LOCKOUT_S);
    await this.byPair.block(pair, seconds);
    return seconds * 1000;
  }
}

const tooMany = (ms: number) => new RetryLaterError(ErrorCode.TooManyAttempts, (s) => `too many failed logins; try again in ${s} s`, ms);
