import { Inject, Injectable } from '@nestjs/common';
import type { JwtPayload } from 'jsonwebtoken';
import { ErrorCode, ParleyError, PublicUser, TeamInit } from '@parley/contracts';
import { isEmail, normalizeEmail, verifyPassword } from '@parley/store';
import { Infra } from '../infra';
import { signToken, verifyToken } from './token';
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

  constructor(@Inject(Infra) private readonly infra: Infra) {
    this.limits = new LoginLimits(infra.redis, (name) => infra.key('rl', name), infra.config.loginAttemptsPer15Min);
  }

  async login(rawEmail: unknown, password: unknown, ip: string): Promise<{ accessToken: string; user: PublicUser }> {
    const email = normalizeEmail(rawEmail);
    const who = isEmail(email) ? email : 'anonymous';
    let reservation: LoginReservation;
    try {
      reservation = await this.limits.reserve(email, ip);
    } catch (e) {
      if (e instanceof ParleyError) this.infra.audit.record({ who, what: 'login', result: e.code, detail: ip });
      throw e;
    }
    const team = isEmail(email) ? await this.infra.teams.read(email) : null;
    const ok = typeof password === 'string' && (await verifyPassword(password, team?.password_hash));
    if (!team || !ok) {
      this.infra.audit.record({ who, what: 'login', result: ErrorCode.InvalidCredentials, detail: ip });
      throw new ParleyError(ErrorCode.InvalidCredentials, 'wrong e-mail or password', 401);
    }
    await this.limits.succeeded(reservation);
    this.infra.audit.record({ who: email, what: 'login', result: 'ok', detail: ip });
    return { accessToken: this.sign(team), user: publicUser(team) };
  }

  sign(team: Pick<TeamInit, 'email' | 'role' | 'name'>): string {
    return signToken(this.infra.config.jwtSecret, this.infra.config.jwtTtlSeconds, team);
  }

  /** Verifies signature, algorithm and expiry, then that the team still exists. */
  async verify(token: unknown): Promise<AuthUser> {
    if (typeof token !== 'string' || token.length > 4096) throw new ParleyError(ErrorCode.AuthenticationError, 'Authentication error', 401);
    let claims: JwtPayload;
    try {
      claims = verifyToken(this.infra.config.jwtSecret, token);
    } catch {
      throw new ParleyError(ErrorCode.AuthenticationError, 'Authentication error', 401);
    }
    const team = typeof claims.sub === 'string' ? await this.infra.teams.read(claims.sub) : null;
    if (!team) throw new ParleyError(ErrorCode.AuthenticationError, 'Authentication error', 401);
    return { email: team.email, role: team.role, name: team.name, ...(typeof claims.exp === 'number' ? { exp: claims.exp } : {}) };
  }
}
