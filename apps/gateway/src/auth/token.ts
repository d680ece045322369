import { KeyObject, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { TeamInit } from '@parley/contracts';

/**
 * The HMAC key of a secret, to build once and reuse: handed a string, jsonwebtoken first tries it as a
 * PEM public key (which throws) and then builds a secret key from it, on every sign and verify.
 */
export function tokenKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** HS256 only: verification names the algorithm, so `alg: none` and key-confusion tokens fail. */
export function signToken(key: string | KeyObject, ttlSeconds: number, team: Pick<TeamInit, 'email' | 'role' | 'name'>): string {
  return jwt.sign({ sub: team.email, role: team.role, name: team.name }, key, { algorithm: 'HS256', expiresIn: ttlSeconds });
}

/** A token without `exp` would never end: refused like a bad signature. */
export function verifyToken(key: string | KeyObject, token: string): jwt.JwtPayload {
  const claims = jwt.verify(token, key, { algorithms: ['HS256'] });
  if (typeof claims !== 'object' || typeof claims.exp !== 'number') throw new jwt.JsonWebTokenError('token has no exp');
  return claims;
}
