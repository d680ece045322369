import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../apps/gateway/src/gateway';
import { createAgreementWorker, RunningAgreementWorker } from '../apps/agreement-worker/src/agreement-worker';
import { RoundCloser } from '@parley/sessions';
import type { SettlementResult } from '@parley/settlement';
import { AuditLog, readAudit, DataPaths } from '@parley/store';
import { JobProducer, createRedis, jobId } from '@parley/queues';
import { testConfig } from './support/env';
import { addTeam, collect, connect, createSession, emitAck, http, login, sleep } from './support/harness';

/**
 * A round's end closes each unfinished negotiation exactly once, however many processes try at the
 * same moment: two agreement-workers run the round-end job (its own timer and the instructor's end)
 * and both are also told to close the round directly, all at once. A pair that agreed just before the
 * end is settled as a deal, not closed as a time-out.
 */
describe('a round ends once, with two agreement-workers', () => {
  const config = testConfig({ MESSAGES_PER_MINUTE: '100000' });
  const students = Array.from({ length: 8 }, (_, i) => `s${i + 1}@uni.edu`);
  let gw: RunningGateway;
  let workers: RunningAgreementWorker[];
  const tokens: Record<string, string> = {};
  const sockets: Record<string, Socket> = {};

  beforeAll(async () => {
    await addTeam(config, 'prof@uni.edu', { role: 'instructor' });
    for (const s of students) await addTeam(config, s);
    gw = await createGateway(config);
    workers = [
      await createAgreementWorker(config, { handleSignals: false }),
      await createAgreementWorker(config, { handleSignals: false }),
    ];
    for (const u of ['prof@uni.edu', ...students]) tokens[u] = await login(gw.url, u);
  });
  afterAll(async () => {
    Object.values(sockets).forEach((s) => s.close());
    await Promise.all([gw?.close(), ...(workers ?? []).map((w) => w.close())]);
    config.cleanup();
  });

  const api = (who: string, method: string, path: string, body?: unknown) => http(gw.url, method, path, body, tokens[who]);

  it('closes every open negotiation exactly once as no deal (time) and settles the one agreed in time', async () => {
    const session = await createSession(gw.url, tokens['prof@uni.edu'], { title: 'Race', round_seconds: 4, pairing: 'random' });
    const updates: Record<string, any[]> = {};
    for (const s of students) {
      await api(s, 'POST', '/api/sessions/join', { code: session.code });
      sockets[s] = await connect(gw.url, tokens[s]);
      updates[s] = collect(sockets[s], 'negotiation-update');
    }
    const round = (await api('prof@uni.edu', 'POST', `/api/sessions/${session.id}/rounds`, {})).body;
    expect(round.pairs).toHaveLength(4);
    const [agreed, ...open] = round.pairs;
    const id = agreed.negotiation_id;
    await emitAck(sockets[agreed.a], 'propose-offer', { negotiation_id: id, terms: { price: 8500 } });
    await emitAck(sockets[agreed.b], 'agree-offer', { negotiation_id: id, terms: { price: 8500 } });
    await emitAck(sockets[agreed.a], 'agree-offer', { negotiation_id: id, terms: { price: 8500 } });

    // the round's own timer fires at ~4 s; right then the instructor ends it and both workers close it directly
    await sleep(Math.max(0, round.ends_at - Date.now()));
    const closers = workers.map((w) => w.app.get(RoundCloser));
    const results = await Promise.all([
      api('prof@uni.edu', 'POST', `/api/sessions/${session.id}/rounds/current/end`),
      ...closers.map((c) => c.close(session.id, round.n)),
      ...closers.map((c) => c.close(session.id, round.n)),
    ]);
    const [ended, ...direct] = results as [{ status: number }, ...SettlementResult[][]];
    expect([200, 409]).toContain(ended.status);

    // every student heard about their negotiation exactly once
    for (let i = 0; i < 100 && students.some((s) => updates[s].length === 0); i++) await sleep(50);
    await sleep(700);
    for (const s of students) expect(updates[s]).toHaveLength(1);
    expect(updates[agreed.a][0]).toMatchObject({ status: 'completed', deal_terms: { agreed: true, terms: { price: 8500 } } });
    for (const p of open) expect(updates[p.a][0]).toMatchObject({ status: 'expired', reason: 'no deal (time)' });

    // on disk: one outcome each, in the archive; one audited settlement per negotiation across both workers
    for (const p of round.pairs) {
      const archived = join(config.dataDir, 'teams', p.a, 'negotiations_archive', p.negotiation_id, 'outcome.json');
      expect(JSON.parse(readFileSync(archived, 'utf8')).status).toBe(p === agreed ? 'completed' : 'expired');
      expect(readdirSync(join(config.dataDir, 'teams', p.a, 'negotiations'))).not.toContain(p.negotiation_id);
    }
    for (const w of workers) await w.app.get(AuditLog).flush();
    const audit = await readAudit(new DataPaths(config.dataDir));
    for (const p of round.pairs) {
      // the jobs audit what they settle or close; the direct calls answer it
      const byJobs = audit.filter((a) => a.what === 'settle' && a.negotiation_id === p.negotiation_id).length;
      const byCalls = direct
        .flat()
        .filter((r) => r.negotiation_id === p.negotiation_id && ['settled', 'expired'].includes(r.action)).length;
      expect(byJobs + byCalls).toBe(1);
    }
    const ends = readdirSync(join(config.dataDir, 'sessions', session.id, 'rounds')).filter((f) => f.endsWith('.end.json'));
    expect(ends).toEqual(['1.end.json']);
  });

  it('still ends a round whose timer job was lost (Redis emptied): the periodic sweep closes it', async () => {
    const [a, b] = students;
    const session = await createSession(gw.url, tokens['prof@uni.edu'], { title: 'Lost timer', round_seconds: 3 });
    for (const s of [a, b]) await api(s, 'POST', '/api/sessions/join', { code: session.code });
    const fresh = [a, b].map(async (s) => {
      sockets[`${s}#2`] = await connect(gw.url, tokens[s]);
      return collect(sockets[`${s}#2`], 'negotiation-update');
    });
    const heard = await Promise.all(fresh);
    const round = (await api('prof@uni.edu', 'POST', `/api/sessions/${session.id}/rounds`, {})).body;
    const redis = createRedis(config.redisUrl);
    const producer = new JobProducer(redis, config.redisPrefix);
    try {
      expect(await producer.agreementCheck.remove(jobId.roundEnd(session.id, 1, 'time'))).toBe(1);
      await sleep(Math.max(0, round.ends_at - Date.now()) + 200);
      await producer.agreementCheck.add('sweep', {}, { removeOnComplete: true });
      for (let i = 0; i < 100 && heard.some((h) => h.length === 0); i++) await sleep(50);
    } finally {
      await producer.close();
      redis.disconnect();
    }
    for (const h of heard) expect(h).toEqual([expect.objectContaining({ status: 'expired', reason: 'no deal (time)' })]);
    expect(JSON.parse(readFileSync(join(config.dataDir, 'sessions', session.id, 'rounds', '1.end.json'), 'utf8')).by).toBe('time');
  });
});
