import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { testConfig } from '../support/env';
import { addTeam, sleep } from '../support/harness';
import { BadInputRow, recordSuite, reliabilityMode } from '../support/reliability-report';
import { Tally, dropRedisPrefix } from '../support/attack';
import type IORedis from 'ioredis';
import { REDIS } from '@parley/queues';

/**
 * Login limits under concurrency and from several addresses (TRUST_PROXY=loopback, so the test
 * chooses a client address with X-Forwarded-For): guesses fired at once cannot all slip past one
 * check, an attacker cannot lock the owner out from elsewhere, and one person cannot lock out a NAT.
 */
const LIMIT = 10;

describe('login limits: races and lock-outs', () => {
  const config = testConfig({ LOGIN_ATTEMPTS_PER_15_MIN: String(LIMIT) });
  const rows: BadInputRow[] = [];
  let gw: RunningGateway;

  beforeAll(async () => {
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin']) await addTeam(config, `${u}@uni.edu`);
    gw = await createGateway(config);
  });

  afterAll(async () => {
    await gw?.close();
    await dropRedisPrefix(config.redisUrl, config.redisPrefix).catch(() => undefined);
    config.cleanup();
    recordSuite({ suite: 'attack-login', mode: reliabilityMode(), bad_inputs: rows });
  });

  const attempt = async (email: string, password: string, from: string) => {
    const res = await fetch(`${gw.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      body: JSON.stringify({ email, password }),
    });
    const body = (await res.json()) as { code?: string; message?: string };
    return { status: res.status, code: body.code, message: body.message ?? '', retryAfter: res.headers.get('retry-after') };
  };

  /** Opens n keep-alive connections first, so a burst measures the server, not TCP setup. */
  const warm = (n: number) => Promise.all(Array.from({ length: n }, () => fetch(`${gw.url}/health`).then((r) => r.text())));

  /**
   * Fires all but the last at once; the last (the right password) goes once the first refusal has come
   * back — while the other guesses' bcrypt checks are still running — or after 10 s at most. Which
   * guesses get checked then does not depend on arrival order: exactly the budget must be.
   */
  type Result = Awaited<ReturnType<typeof attempt>>;
  const burst = async (calls: (() => Promise<Result>)[]): Promise<Result[]> => {
    let refused!: () => void;
    const firstRefusal = new Promise<void>((r) => (refused = r));
    const early = calls.slice(0, -1).map((call) => call().then((r) => (r.status === 429 && refused(), r)));
    await Promise.race([firstRefusal, sleep(10_000)]);
    const last = calls.at(-1)!();
    return Promise.all([...early, last]);
  };

  /** The wait in the message and in Retry-After must be the same number. */
  const waitsAgree = (r: { message: string; retryAfter: string | null }) => /in (\d+) s/.exec(r.message)?.[1] === r.retryAfter;

  it(`40 simultaneous guesses on one account (right password last): exactly ${LIMIT} checked, none gets in`, async () => {
    const guesses = Array.from({ length: 40 }, (_, i) => (i === 39 ? 'password1' : `wrong-guess-${i}`));
    await warm(40);
    const results = await burst(guesses.map((p) => () => attempt('alice@uni.edu', p, '10.1.0.1')));
    const tally = new Tally();
    results.forEach((r) => tally.add(`${r.status} ${r.code}`));
    expect(results.filter((r) => r.status === 200)).toHaveLength(0);
    expect(results.filter((r) => r.status === 401)).toHaveLength(LIMIT);
    expect(results.filter((r) => r.status === 429)).toHaveLength(40 - LIMIT);
    expect(results[39].status).toBe(429);
    expect(results.filter((r) => r.status === 429).every(waitsAgree)).toBe(true);
    // the owner, from another address, is not locked out by the attacker's failures
    const owner = await attempt('alice@uni.edu', 'password1', '10.1.0.2');
    expect(owner.status).toBe(200);
    rows.push({
      input: `login race: 39 concurrent wrong guesses on one account from one address, the right password sent while their bcrypt checks run (limit ${LIMIT} failures)`,
      tried: 41,
      answered: `${tally}; right password 429 (no 200); Retry-After = the message's wait on every 429; the owner from another address 200 ×1`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  });

  it('120 simultaneous guesses spread over accounts from one address (right password last): no 200', async () => {
    const perAddress = LIMIT * 5;
    const tries = Array.from({ length: 120 }, (_, i) => (i === 119 ? ['bob@uni.edu', 'password1'] : [`spray${i}@uni.edu`, 'password1']));
    await warm(120);
    const results = await burst(
      tries.map(
        ([e, p]) =>
          () =>
            attempt(e, p, '10.2.0.1'),
      ),
    );
    const tally = new Tally();
    results.forEach((r) => tally.add(`${r.status} ${r.code}`));
    expect(results.filter((r) => r.status === 200)).toHaveLength(0);
    expect(results.filter((r) => r.status === 401)).toHaveLength(perAddress);
    expect(results[119].status).toBe(429);
    expect(results.filter((r) => r.status === 429).every(waitsAgree)).toBe(true);
    // bob elsewhere is fine
    expect((await attempt('bob@uni.edu', 'password1', '10.2.0.2')).status).toBe(200);
    rows.push({
      input: `login race: 119 concurrent guesses over 119 accounts from one address, then a real account's right password while they run (address limit ${perAddress} failures)`,
      tried: 121,
      answered: `${tally}; right password 429 (no 200); that account from another address 200 ×1`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  });

  it('one student behind a NAT mistyping their own password until locked out does not lock out the others', async () => {
    const nat = '10.3.0.1';
    const answers = new Tally();
    for (let i = 0; i < LIMIT + 2; i++) answers.add(String((await attempt('carol@uni.edu', `typo-${i}`, nat)).status));
    expect(answers.counts.get('401')).toBe(LIMIT);
    expect(answers.counts.get('429')).toBe(2);
    const carol = await attempt('carol@uni.edu', 'password1', nat);
    expect(carol.status).toBe(429);
    expect(Number(carol.retryAfter)).toBeGreaterThan(60);
    expect(waitsAgree(carol)).toBe(true);
    const others = await Promise.all(['dave', 'erin'].map((u) => attempt(`${u}@uni.edu`, 'password1', nat)));
    expect(others.map((r) => r.status)).toEqual([200, 200]);
    rows.push({
      input: `login NAT: one account fails ${LIMIT + 2}× from a shared address, then two classmates log in from it`,
      tried: LIMIT + 5,
      answered: `${answers}; that account's right password 429 (Retry-After ${carol.retryAfter} s, same as the message); classmates 200 ×2`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  });

  it('each further lockout of the same account and address lasts twice as long', async () => {
    const from = '10.5.0.1';
    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < LIMIT; i++) expect((await attempt('erin@uni.edu', `guess-${round}-${i}`, from)).status).toBe(401);
      const locked = await attempt('erin@uni.edu', 'password1', from);
      expect(locked.status).toBe(429);
      expect(waitsAgree(locked)).toBe(true);
      waits.push(Number(locked.retryAfter));
      // the lockout running out, without waiting for it: its counter is dropped from Redis
      await gw.app.get<IORedis>(REDIS).del(`${config.redisPrefix}:rl:login-pair:erin@uni.edu ${from}`);
    }
    expect(waits[0]).toBeGreaterThanOrEqual(890);
    expect(waits[1]).toBeGreaterThanOrEqual(2 * waits[0] - 10);
    expect(waits[2]).toBeGreaterThanOrEqual(2 * waits[1] - 10);
    expect((await attempt('erin@uni.edu', 'password1', '10.5.0.2')).status).toBe(200);
    rows.push({
      input: `login lockouts: ${LIMIT} wrong passwords then the right one, three times on one account from one address (each lockout let run out)`,
      tried: 3 * (LIMIT + 1) + 1,
      answered: `401 ×${3 * LIMIT}, then 429 with Retry-After ${waits.join(' s, ')} s (doubling); the owner elsewhere 200`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  });

  it('a right password refunds its point: someone who mistypes and then logs in, again and again, is never locked out', async () => {
    const from = '10.4.0.1';
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < LIMIT - 1; i++) statuses.push((await attempt('dave@uni.edu', `oops-${round}-${i}`, from)).status);
      statuses.push((await attempt('dave@uni.edu', 'password1', from)).status);
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(0);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    rows.push({
      input: `login refund: 3 rounds of ${LIMIT - 1} typos then the right password, one account, one address`,
      tried: statuses.length,
      answered: `401 ×${statuses.filter((s) => s === 401).length}, 200 ×3, 429 ×0`,
      server_stayed_up: true,
      wrote_outside_data_dir: false,
    });
  });
});
