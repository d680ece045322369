import { Inject, Injectable } from '@nestjs/common';
import type { JwtPayload } from 'jsonwebtoken';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCode, ParleyError, PublicUser, TeamInit } from '@parley/contracts';
import type IORedis from 'ioredis';
import { CONFIG, ParleyConfig } from '@parley/config';
import { AuditLog, TeamStore, isEmail, normalizeEmail, verifyPassword } from '@parley/store';
import { REDIS, redisKey } from '@parley/queues';
import { signToken, verifyToken } from './token';

export interface AuthUser {
  email: string;
  role: 'student' | 'instructor';
  name: string;
  /** Token expiry, unix seconds. */
  exp?: number;
}

export const publicUser = ({ password_hash: _h, ...rest }: TeamInit): PublicUser => rest;

/** Issues and verifies HS256 JWTs; slows down repeated login failures per IP and per account. */
@Injectable()
export class AuthService {
  private readonly failuresByIp: RateLimiterRedis;
  private readonly failuresByAccount: RateLimiterRedis;

  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(REDIS) redis: IORedis,
    @Inject(TeamStore) private readonly teams: TeamStore,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {
    const { loginAttemptsPer15Min } = config;
    this.failuresByIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: redisKey(config.redisPrefix, 'rl', 'login-ip'),
      points: loginAttemptsPer15Min * 5,
      duration: 15 * 60,
      blockDuration: 15 * 60,
    });
    this.failuresByAccount = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: redisKey(config.redisPrefix, 'rl', 'login-account'),
      points: loginAttemptsPer15Min,
      duration: 15 * 60,
      blockDuration: 15 * 60,
    });
  }

  async login(rawEmail: unknown, password: unknown, ip: string): Promise<{ accessToken: string; user: PublicUser }> {
    const email = normalizeEmail(rawEmail);
    const accountKey = `${email.slice(0, 254)}`;
    await this.assertNotBlocked(ip, accountKey);
    const team = isEmail(email) ? await this.teams.read(email) : null;
    const ok = typeof password === 'string' && password.length <= 200 && (await verifyPassword(password, team?.password_hash));
    if (!team || !ok) {
      await Promise.all([this.failuresByIp.penalty(ip, 1), this.failuresByAccount.penalty(accountKey, 1)]).catch(() => undefined);
      this.audit.record({
        who: isEmail(email) ? email : 'anonymous',
        what: 'login',
        result: ErrorCode.InvalidCredentials,
        detail: ip,
      });
      throw new ParleyError(ErrorCode.InvalidCredentials, 'wrong e-mail or password', 401);
    }
    this.audit.record({ who: email, what: 'login', result: 'ok', detail: ip });
    await this.failuresByAccount.delete(accountKey).catch(() => undefined);
    return { accessToken: this.sign(team), user: publicUser(team) };
  }

  sign(team: Pick<TeamInit, 'email' | 'role' | 'name'>): string {
    return signToken(this.config.jwtSecret, this.config.jwtTtlSeconds, team);
  }

  /** Verifies signature, algorithm and expiry, then that the team still exists. */
  async verify(token: unknown): Promise<AuthUser> {
    if (typeof token !== 'string' || token.length > 4096) throw new ParleyError(ErrorCode.AuthenticationError, 'Authentication error', 401);
    let claims: JwtPayload;
    try {
      claims = verifyToken(this.config.jwtSecret, token);
    } catch {
      throw new ParleyError(ErrorCode.AuthenticationError, 'Authentication error', 401);
    }
    const team = typeof claims.sub === 'string' ? await this.teams.read(claims.sub) : null;
    if (!team) throw new ParleyError(ErrorCode.AuthenticationError, 'Authentication error', 401);
    return { email: team.email, role: team.role, name: team.name, ...(typeof claims.exp === 'number' ? { exp: claims.exp } : {}) };
  }

  private async assertNotBlocked(ip: string, accountKey: string): Promise<void> {
    const [byIp, byAccount] = await Promise.all([this.failuresByIp.get(ip), this.failuresByAccount.get(accountKey)]);
    const blocked = [byIp, byAccount].find((r): r is RateLimiterRes => r !== null && r.remainingPoints <= 0 && r.msBeforeNext > 0);
    if (blocked) {
      this.audit.record({ who: 'anonymous', what: 'login', result: ErrorCode.TooManyAttempts, detail: ip });
      const err = new ParleyError(
        ErrorCode.TooManyAttempts,
        `too many failed logins; try again in ${Math.ceil(blocked.msBeforeNext / 1000)} s`,
        429,
      );
      throw err;
    }
  }
}
