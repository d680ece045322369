import { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ParleyError } from '@parley/contracts';
import { AuditLog, DataPaths, TeamStore } from '@parley/store';
import { createRedis } from '@parley/queues';
import { testConfig } from '../../../../test/support/env';
import { AuthService } from './auth.service';
import { signToken, tokenKey, verifyToken } from './token';

const secret = 'test-secret-test-secret-test-secret';
const team = { email: 'alice@uni.edu', role: 'student' as const, name: 'alice' };
const now = () => Math.floor(Date.now() / 1000);

/** Every kind of token a client can send, the good one first. */
const tokens = (): Record<string, string> => ({
  good: signToken(secret, 3600, team),
  expired: jwt.sign({ sub: team.email, role: 'student', exp: now() - 60 }, secret, { algorithm: 'HS256' }),
  forged: jwt.sign({ sub: team.email, role: 'student' }, 'some-other-secret-some-other-secret', { algorithm: 'HS256', expiresIn: 60 }),
  algNone: jwt.sign({ sub: team.email, role: 'student', exp: now() + 60 }, '', { algorithm: 'none' }),
  hs512: jwt.sign({ sub: team.email, role: 'student' }, secret, { algorithm: 'HS512', expiresIn: 60 }),
  noExp: jwt.sign({ sub: team.email, role: 'student' }, secret, { algorithm: 'HS256' }),
  notYet: jwt.sign({ sub: team.email, role: 'student', nbf: now() + 3600 }, secret, { algorithm: 'HS256', expiresIn: 7200 }),
  tampered: (() => {
    const [h, , s] = signToken(secret, 3600, team).split('.');
    const body = Buffer.from(JSON.stringify({ sub: 'prof@uni.edu', role: 'instructor', exp: now() + 60 })).toString('base64url');
    return `${h}.${body}.${s}`;
  })(),
  garbage: 'x.y.z',
});

const outcome = (key: string | KeyObject, token: string) => {
  try {
    return `ok ${verifyToken(key, token).sub}`;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
};

describe('token keys', () => {
  it('a key built once accepts and refuses exactly what the secret itself does, with the same errors', () => {
    const key = tokenKey(secret);
    const all = tokens();
    const bySecret = Object.fromEntries(Object.entries(all).map(([k, t]) => [k, outcome(secret, t)]));
    const byKey = Object.fromEntries(Object.entries(all).map(([k, t]) => [k, outcome(key, t)]));
    expect(byKey).toEqual(bySecret);
    expect(byKey).toEqual({
      good: 'ok alice@uni.edu',
      expired: 'TokenExpiredError: jwt expired',
      forged: 'JsonWebTokenError: invalid signature',
      algNone: 'JsonWebTokenError: jwt signature is required',
      hs512: 'JsonWebTokenError: invalid algorithm',
      noExp: 'JsonWebTokenError: token has no exp',
      notYet: 'NotBeforeError: jwt not active',
      tampered: 'JsonWebTokenError: invalid signature',
      garbage: 'JsonWebTokenError: invalid token',
    });
    // signed with the key, verified with the string, and the other way round
    expect(outcome(secret, signToken(key, 60, team))).toBe('ok alice@uni.edu');
  });
});

describe('AuthService', () => {
  const config = testConfig({ JWT_SECRET: secret });
  const redis = createRedis(config.redisUrl);
  const paths = new DataPaths(config.dataDir);
  const audit = new AuditLog(paths, 'test');
  const auth = new AuthService(config, redis, new TeamStore(paths), audit);

  beforeAll(() => new TeamStore(paths).create({ ...team, password_hash: 'x' }));
  afterAll(async () => {
    redis.disconnect();
    config.cleanup();
  });
  afterEach(() => jest.restoreAllMocks());

  it('checks every token with the one key it built, and answers AUTHENTICATION_ERROR 401 to every bad one', async () => {
    const { good, ...bad } = tokens();
    const verify = jest.spyOn(jwt, 'verify');
    const sign = jest.spyOn(jwt, 'sign');
    expect(await auth.verify(good)).toMatchObject({ email: team.email, role: 'student' });
    expect(await auth.verify(auth.sign(team))).toMatchObject({ email: team.email });
    for (const [kind, token] of Object.entries(bad)) {
      const err = await auth.verify(token).then(
        () => null,
        (e: unknown) => e,
      );
      expect([kind, err instanceof ParleyError ? [err.code, err.httpStatus] : err]).toEqual([kind, ['AUTHENTICATION_ERROR', 401]]);
    }
    const keys = [...verify.mock.calls, ...sign.mock.calls].map((call) => call[1]);
    expect(keys).toHaveLength(Object.keys(bad).length + 3);
    expect(keys[0]).toBeInstanceOf(KeyObject);
    expect((keys[0] as KeyObject).type).toBe('secret');
    expect(keys.every((k) => k === keys[0])).toBe(true);
  });
});
