import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import type { RunningGateway } from '../apps/gateway/src/gateway';
import { LiveStack } from './support/live-stack';
import { collect, connect, emitAck, http, login, waitFor } from './support/harness';

/**
 * The newcomer's path: log in, open an AI practice on the salary scenario, negotiate over
 * Socket.io with the built-in engine to a deal, and get a score — gateway and both workers running.
 */
describe('AI practice end to end (built-in engine)', () => {
  const stack = new LiveStack();
  const config = stack.config;
  const sockets = stack.sockets;
  let token: string;
  let gw: RunningGateway;

  beforeAll(async () => {
    await stack.start(['sam@uni.edu', 'eve@uni.edu'], { ai: true });
    gw = stack.gw;
    token = stack.token['sam@uni.edu'];
  });
  afterAll(() => stack.close());

  const openSocket = async (t = token) => {
    const s = await connect(gw.url, t);
    sockets.push(s);
    return s;
  };

  it('lists the built-in scenarios without their private side', async () => {
    const res = await http(gw.url, 'GET', '/api/scenarios', undefined, token);
    expect(res.status).toBe(200);
    const ids = res.body.scenarios.map((s: any) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['salary', 'used-car', 'chemical-supply']));
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/reservation|ai_private|student_private|limit/);
  });

  it('negotiates the salary scenario to a completed deal with a score, answering each message once', async () => {
    const created = await http(gw.url, 'POST', '/api/negotiations', { scenario_id: 'salary' }, token);
    expect(created.status).toBe(201);
    const id = created.body.negotiation_id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await http(gw.url, 'GET', '/api/negotiations', undefined, token)).body.negotiations.map((n: any) => n.negotiation_id)).toEqual([
      id,
    ]);

    const s = await openSocket();
    const joined = await emitAck(s, 'join-negotiation', { negotiation_id: id });
    expect(joined.data.state).toMatchObject({ kind: 'ai', status: 'active', my_role: 'candidate', scenario_id: 'salary' });

    const aiMessages = collect(s, 'ai-message');
    const typing = waitFor(s, 'ai-typing', (p) => p.typing === true);
    // the AI greets the new negotiation on its own (reply_to 0); wait for the answer to the student's line
    const firstReply = waitFor(s, 'ai-message', (m) => m.reply_to !== 0, 10000);
    const sentAt = Date.now();
    const ack = await emitAck(s, 'send-message', {
      negotiation_id: id,
      content: 'Hi Jordan, thanks for the offer. I was hoping for 115k and 4 remote days.',
      type: 'user',
      timestamp: new Date().toISOString(),
    });
    expect(ack.ok).toBe(true);
    await typing;
    const reply = await firstReply;
    const latencyMs = Date.now() - sentAt;
    expect(reply).toMatchObject({ negotiation_id: id, sender_type: 'ai', reply_to: ack.data.seq });
    expect(reply.seq).toBeGreaterThan(ack.data.seq);
    expect(reply.ai_metadata).toEqual(
      expect.objectContaining({
        model: expect.any(String),
        reasoning: expect.any(String),
        negotiation_state: expect.stringMatching(/opening|discussion|closing/),
        confidence: expect.any(Number),
      }),
    );
    console.log(`send-message → ai-message (builtin engine, one round trip through Redis and files): ${latencyMs} ms`);

    // the AI has put terms on the table (its own state file); the student agrees to them
    const aiOffer = await waitForAiOffer(s, id);
    const update = waitFor(s, 'negotiation-update', (u) => u.status === 'completed', 15000);
    const agreed = await emitAck(s, 'agree-offer', { negotiation_id: id, terms: aiOffer });
    expect(agreed.ok).toBe(true);
    const done = await update;
    expect(done.deal_terms).toEqual({ agreed: true, terms: aiOffer });
    for (const k of ['claiming_value', 'creating_value', 'managing_relationships', 'overall']) {
      expect(done.final_score[k]).toBeGreaterThanOrEqual(0);
      expect(done.final_score[k]).toBeLessThanOrEqual(100);
      expect(typeof done.score_explanations[k]).toBe('string');
    }

    const archived = join(config.dataDir, 'teams', 'sam@uni.edu', 'negotiations_archive', id);
    const outcome = JSON.parse(readFileSync(join(archived, 'outcome.json'), 'utf8'));
    expect(outcome).toMatchObject({ negotiation_id: id, status: 'completed', final_score: done.final_score });
    expect(existsSync(join(config.dataDir, 'teams', 'sam@uni.edu', 'negotiations', id))).toBe(false);

    // every student line got at most one AI reply
    const lines = readFileSync(join(archived, 'ai_messages.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const replyTo = lines.map((l) => l.reply_to);
    expect(new Set(replyTo).size).toBe(replyTo.length);
    expect(aiMessages.length).toBeGreaterThan(0);

    // the finished negotiation still opens, with its outcome; acting on it is refused
    const again = await emitAck(s, 'join-negotiation', { negotiation_id: id });
    expect(again.data.state.status).toBe('completed');
    expect(again.data.state.outcome.final_score).toEqual(done.final_score);
    expect((await emitAck(s, 'send-message', { negotiation_id: id, content: 'one more thing' })).error.code).toBe('NEGOTIATION_CLOSED');
  });

  it('shows the session in /metrics, merged from the gateway and the workers', async () => {
    let body = '';
    for (let i = 0; i < 40; i++) {
      body = (await http<string>(gw.url, 'GET', '/metrics')).body;
      if (/parley_ai_reply_seconds_count\{[^}]*service="ai-worker"[^}]*\} [1-9]/.test(body)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(body).toMatch(/parley_ai_reply_seconds_count\{[^}]*engine="builtin"[^}]*\} [1-9]/);
    expect(body).toMatch(/parley_job_run_seconds_count\{[^}]*queue="ai-response"[^}]*\} [1-9]/);
    expect(body).toMatch(/parley_socket_events_total\{[^}]*event="send-message",result="ok"[^}]*\} [1-9]/);
  });

  it('keeps other students out of a practice negotiation', async () => {
    const created = await http(gw.url, 'POST', '/api/negotiations', { scenario_id: 'used-car' }, token);
    const eve = await openSocket(await login(gw.url, 'eve@uni.edu'));
    const r = await emitAck(eve, 'join-negotiation', { negotiation_id: created.body.negotiation_id });
    expect(r.error.code).toBe('NEGOTIATION_NOT_FOUND');
    expect(
      (await http(gw.url, 'GET', `/api/negotiations/${created.body.negotiation_id}`, undefined, await login(gw.url, 'eve@uni.edu'))).status,
    ).toBe(404);
    expect((await http(gw.url, 'POST', '/api/negotiations', { scenario_id: 'nope' }, token)).status).toBe(404);
  });

  it('refuses offers outside the scenario with INVALID_OFFER', async () => {
    const created = await http(gw.url, 'POST', '/api/negotiations', { scenario_id: 'salary' }, token);
    const s = await openSocket();
    await emitAck(s, 'join-negotiation', { negotiation_id: created.body.negotiation_id });
    const bad = await emitAck(s, 'propose-offer', { negotiation_id: created.body.negotiation_id, terms: { salary: 95000, unicorns: 3 } });
    expect(bad.error.code).toBe('INVALID_OFFER');
  });
});

/** Chats until the AI's own state file holds an offer, then returns its terms. */
async function waitForAiOffer(s: Socket, id: string): Promise<Record<string, number>> {
  const lines = [
    'What would you propose for the full package?',
    'Could you put numbers on salary, bonus, start date and remote days?',
    'What is your best offer?',
  ];
  for (const content of lines) {
    const state = await emitAck(s, 'join-negotiation', { negotiation_id: id });
    const ai = state.data.state.offers.find((o: any) => o.user === 'ai');
    if (ai?.offer) {
      const { timestamp: _t, ...terms } = ai.offer;
      return terms;
    }
    const reply = waitFor(s, 'ai-message', (m) => m.reply_to !== 0, 10000);
    await emitAck(s, 'send-message', { negotiation_id: id, content });
    await reply;
  }
  const state = await emitAck(s, 'join-negotiation', { negotiation_id: id });
  const ai = state.data.state.offers.find((o: any) => o.user === 'ai');
  if (!ai?.offer) throw new Error('the AI never proposed terms');
  const { timestamp: _t, ...terms } = ai.offer;
  return terms;
}
