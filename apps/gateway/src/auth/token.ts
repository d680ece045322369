import jwt from 'jsonwebtoken';
import type { TeamInit } from '@parley/contracts';

/** HS256 only: verification names the algorithm, so `alg: none` and key-confusion tokens fail. */
export function signToken(secret: string, ttlSeconds: number, team: Pick<TeamInit, 'email' | 'role' | 'name'>): string {
  return jwt.sign({ sub: team.email, role: team.role, name: team.name }, secret, { algorithm: 'HS256', expiresIn: ttlSeconds });
}

/** A token without `exp` would never end: refused like a bad signature. */
export function verifyToken(secret: string, token: string): jwt.JwtPayload {
  const claims = jwt.verify(token, secret, { algorithms: ['HS256'] });
  if (typeof claims !== 'object' || typeof claims.exp !== 'number') throw new jwt.JsonWebTokenError('token has no exp');
  return claims;
}
