import type { Socket } from 'socket.io-client';
import type { RunningGateway } from '../apps/gateway/src/gateway';
import { LiveStack } from './support/live-stack';
import { collect, connect, emitAck, http, sleep, waitFor } from './support/harness';

/**
 * The built-in counterpart as a student meets it, through real sockets: it greets and opens a new
 * negotiation once, and the message forms of issue 12 get sensible replies rather than a deal, a
 * misread offer or a walk-out.
 */
describe('AI counterpart over Socket.io (built-in engine)', () => {
  const stack = new LiveStack();
  const sockets = stack.sockets;
  let token: string;
  let gw: RunningGateway;

  beforeAll(async () => {
    await stack.start(['cara@uni.edu'], { ai: true });
    gw = stack.gw;
    token = stack.token['cara@uni.edu'];
  });
  afterAll(() => stack.close());

  /** Creates a practice, joins it and waits for the AI's opening line. */
  async function open(scenarioId: string) {
    const created = await http(gw.url, 'POST', '/api/negotiations', { scenario_id: scenarioId }, token);
    expect(created.status).toBe(201);
    const id: string = created.body.negotiation_id;
    const s = await connect(gw.url, token);
    sockets.push(s);
    const greeting = waitFor(s, 'ai-message', (m) => m.negotiation_id === id && m.reply_to === 0, 10000);
    const joined = await emitAck(s, 'join-negotiation', { negotiation_id: id });
    expect(joined.data.history.messages).toEqual([]);
    return { id, s, greeting: await greeting };
  }

  /** Sends one student line and returns the AI's answer to it. */
  async function say(s: Socket, id: string, content: string) {
    const replies = collect(s, 'ai-message');
    const ack = await emitAck(s, 'send-message', { negotiation_id: id, content });
    expect(ack.ok).toBe(true);
    for (let i = 0; i < 100 && !replies.some((m) => m.reply_to === ack.data.seq); i++) await sleep(100);
    const reply = replies.find((m) => m.reply_to === ack.data.seq);
    if (!reply) throw new Error(`no AI reply to ${JSON.stringify(content)}`);
    return reply;
  }

  async function aiState(s: Socket, id: string) {
    const joined = await emitAck(s, 'join-negotiation', { negotiation_id: id });
    return { status: joined.data.state.status, ai: joined.data.state.offers.find((o: any) => o.user === 'ai') };
  }

  const saysDeal = /^\W*(deal|agreed|accepted)\b/i;
  const sideChannel = /deadline|final proposal|turns? (left|remaining)|remaining turns|reservation|walk-?away/i;

  it('greets and opens a new negotiation with an offer, exactly once, even after a re-join', async () => {
    const { id, s, greeting } = await open('used-car');
    expect(greeting).toMatchObject({ sender_type: 'ai', negotiation_id: id, reply_to: 0 });
    expect(greeting.content).toMatch(/\b(hello|hi|good (morning|afternoon|evening|to meet you)|thanks for)\b/i);
    expect(greeting.content).toMatch(/\$\d/);
    expect(greeting.content).toMatch(/\?/);
    const { ai: offer } = await aiState(s, id);
    expect(offer?.offer).toBeTruthy();

    // a re-join, on this socket and on a fresh one, shows the greeting in history and asks for nothing new
    const later = collect(s, 'ai-message');
    const again = await emitAck(s, 'join-negotiation', { negotiation_id: id });
    const other = await connect(gw.url, token);
    sockets.push(other);
    const third = await emitAck(other, 'join-negotiation', { negotiation_id: id });
    await sleep(1500);
    expect(later).toEqual([]);
    for (const r of [again, third]) {
      const aiLines = r.data.history.messages.filter((m: any) => m.sender_type === 'ai' && m.kind !== 'offer');
      expect(aiLines.map((m: any) => m.id)).toEqual([greeting.id]);
    }
  });

  it('answers a question that carries a number without a deal or accepted terms', async () => {
    const { id, s } = await open('chemical-supply');
    const reply = await say(s, id, 'We could take 800 units if delivery is within 2 weeks. What price could you do for that?');
    expect(reply.content).not.toMatch(saysDeal);
    const { status, ai } = await aiState(s, id);
    expect(status).toBe('active');
    expect(ai.status).not.toBe('agreed');
  });

  it('does not turn a conditional statement into a deal', async () => {
    const { id, s } = await open('salary');
    const reply = await say(s, id, 'That works if you add a $10,000 signing bonus and 3 remote days.');
    expect(reply.content).not.toMatch(saysDeal);
    const { status, ai } = await aiState(s, id);
    expect(status).toBe('active');
    expect(ai.status).not.toBe('agreed');
  });

  it('takes a mention of an alternative as information, not as an offer', async () => {
    const { id, s } = await open('used-car');
    const reply = await say(s, id, 'A dealer has one for $9,400.');
    expect(reply.content).not.toMatch(saysDeal);
    // the student named no price of their own: the AI neither restates $9,400 as their offer nor meets it
    expect(reply.content).not.toMatch(/you('ve| have)? (proposed|offered|offer)\b[^.?!]*9,400/i);
    const { status, ai } = await aiState(s, id);
    expect(status).toBe('active');
    expect(ai.status).toBe('pending');
    expect(ai.offer.price).toBeGreaterThan(9400);
  });

  it('stays in the negotiation after an apology with a self-deprecating word', async () => {
    const { id, s } = await open('used-car');
    const reply = await say(s, id, 'Sorry, that was a stupid question of mine. Could you tell me more about the car?');
    expect(reply.content).not.toMatch(/\b(end (the|this) (negotiation|conversation)|goodbye|step away|walk away)\b/i);
    const { status, ai } = await aiState(s, id);
    expect(status).toBe('active');
    expect(ai.status).not.toBe('rejected');
  });

  it('pushes back on an ambitious first ask instead of walking away, with no deadline in ai_metadata', async () => {
    const { id, s, greeting } = await open('used-car');
    const reply = await say(s, id, 'I can pay $5,000 for it.');
    expect(reply.content).not.toMatch(saysDeal);
    expect(reply.content).not.toMatch(/\bagain\b/i);
    expect(reply.content).not.toMatch(/\b(end (the|this) (negotiation|conversation)|goodbye)\b/i);
    const { status, ai } = await aiState(s, id);
    expect(status).toBe('active');
    expect(ai.status).toBe('pending');
    expect(ai.offer.price).toBeGreaterThan(5000);
    for (const m of [greeting, reply]) {
      expect(m.ai_metadata).toEqual(expect.objectContaining({ reasoning: expect.any(String) }));
      expect(JSON.stringify(m.ai_metadata)).not.toMatch(sideChannel);
    }
  });
});
