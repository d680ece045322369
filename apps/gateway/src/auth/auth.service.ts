import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { JwtPayload } from 'jsonwebtoken';
import { ErrorCode, ParleyError, PublicUser, TeamInit } from '@parley/contracts';
import type IORedis from 'ioredis';
import { CONFIG, ParleyConfig } from '@parley/config';
import { AuditLog, TeamStore, isEmail, normalizeEmail, verifyPassword } from '@parley/store';
import { REDIS, redisKey } from '@parley/queues';
import { signToken, tokenKey, verifyToken } from './token';
import { LoginLimits, LoginReservation } from './login-limits';

export interface AuthUser {
  email: string;
  role: 'student' | 'instructor';
  name: string;
  /** Token expiry, unix seconds. */
  exp?: number;
}

export const publicUser = ({ password_hash: _h, ...rest }: TeamInit): PublicUser => rest;

/** Issues and verifies HS256 JWTs; failed logins spend budgets reserved before bcrypt (LoginLimits). */
@Injectable()
export class AuthService {
  private readonly limits: LoginLimits;
  /** Built once from the configured secret (which is fixed for the life of the process). */
  private readonly key: KeyObject;

  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(REDIS) redis: IORedis,
    @Inject(TeamStore) private readonly teams: TeamStore,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {
    this.key = tokenKey(config.jwtSecret);
    this.limits = new LoginLimits(redis, (name) => redisKey(config.redisPrefix, 'rl', name), config.loginAttemptsPer15Min);
  }

  async login(rawEmail: unknown, password: unknown, ip: string): Promise<{ accessToken: string; user: PublicUser }> {
    const email = normalizeEmail(rawEmail);
    const who = isEmail(email) ? email : 'anonymous';
    let reservation: LoginReservation;
    try {
      reservation = await this.limits.reserve(email, ip);
    } catch (e) {
      if (e instanceof ParleyError) this.audit.record({ who, what: 'login', result: e.code, detail: ip });
      throw e;
    }
    const team = isEmail(email) ? await this.teams.read(email) : null;
    const ok = typeof password === 'string' && (await verifyPassword(password, team?.password_hash));
    if (!team || !ok) {
      this.audit.record({ who, what: 'login', result: ErrorCode.InvalidCredentials, detail: ip });
      throw new ParleyError(ErrorCode.InvalidCredentials, 'wrong e-mail or password', 401);
    }
    await this.limits.succeeded(reservation);
    this.audit.record({ who: email, what: 'login', result: 'ok', detail: ip });
    return { accessToken: this.sign(team), user: publicUser(team) };
  }

  /** The login limiter, for other password-like guesses (the setup code): reserve before checking, refund when right. */
  reserveAttempt(account: string, ip: string): Promise<LoginReservation> {
    return this.limits.reserve(account, ip);
  }

  attemptSucceeded(reservation: LoginReservation): Promise<void> {
    return this.limits.succeeded(reservation);
  }

  sign(team: Pick<TeamInit, 'email' | 'role' | 'name'>): string {
    return signToken(this.key, this.config.jwtTtlSeconds, team);
  }

  /** Verifies signature, algorithm and expiry, then that the team still exists. */
  async verify(token: unknown): Promise<AuthUser> {
    if (typeof token !== 'string' || token.length > 4096) throw new ParleyError(ErrorCode.AuthenticationError, 'Authentication error', 401);
    let claims: JwtPayload;
    try {
      claims = verifyToken(this.key, token);
    } catch {
      throw new ParleyError(ErrorCode.AuthenticationError, 'Authentication error', 401);
    }
    const team = typeof claims.sub === 'string' ? await this.teams.read(claims.sub) : null;
    if (!team) throw new ParleyError(ErrorCode.AuthenticationError, 'Authentication error', 401);
    return { email: team.email, role: team.role, name: team.name, ...(typeof claims.exp === 'number' ? { exp: claims.exp } : {}) };
  }
}
