import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../apps/gateway/src/gateway';
import { createAiWorker, RunningAiWorker } from '../apps/ai-worker/src/ai-worker';
import { typingTimeMs } from '../apps/ai-worker/src/paced-engine';
import { testConfig } from './support/env';
import { addTeam, connect, emitAck, http, login, waitFor } from './support/harness';

/**
 * With AI_TYPING_DELAY_MS set (as in production), a student sees the AI typing for about as long
 * as its reply would take to type, and then the reply: never an answer within a few milliseconds.
 */
describe('AI replies paced with the typing indicator shown', () => {
  const MAX = 2000;
  const config = testConfig({ AI_TYPING_DELAY_MS: String(MAX) });
  let gw: RunningGateway;
  let ai: RunningAiWorker;
  let socket: Socket;

  beforeAll(async () => {
    await addTeam(config, 'pia@uni.edu');
    gw = await createGateway(config);
    ai = await createAiWorker(config, { handleSignals: false });
    socket = await connect(gw.url, await login(gw.url, 'pia@uni.edu'));
  });
  afterAll(async () => {
    socket?.close();
    await Promise.all([gw?.close(), ai?.close()]);
    config.cleanup();
  });

  it('shows the indicator from the message until the reply, which comes after its typing time', async () => {
    const created = await http(gw.url, 'POST', '/api/negotiations', { scenario_id: 'used-car' }, await login(gw.url, 'pia@uni.edu'));
    const id = created.body.negotiation_id;
    // the AI greets a new negotiation first; measure the reply to the student's own message after that
    const greeting = waitFor(socket, 'ai-message', (m) => m.negotiation_id === id && m.reply_to === 0, 15000);
    expect((await emitAck(socket, 'join-negotiation', { negotiation_id: id })).ok).toBe(true);
    await greeting;

    const seen: Array<{ event: string; typing?: boolean; at: number }> = [];
    socket.on('ai-typing', (p: { negotiation_id: string; typing: boolean }) => {
      if (p.negotiation_id === id) seen.push({ event: 'ai-typing', typing: p.typing, at: Date.now() });
    });
    const reply = waitFor(socket, 'ai-message', (m) => m.negotiation_id === id, 15000);
    const sentAt = Date.now();
    const ack = await emitAck(socket, 'send-message', {
      negotiation_id: id,
      content: 'Hello, is the car still available? Would you take 9000?',
      type: 'user',
      timestamp: new Date().toISOString(),
    });
    expect(ack.ok).toBe(true);
    const message = await reply;
    const arrived = Date.now();

    expect(arrived - sentAt).toBeGreaterThanOrEqual(typingTimeMs(message.content, MAX) - 20);
    // on from right after the message until the reply; off only when the reply comes
    const on = seen.find((e) => e.typing === true);
    expect(on).toBeDefined();
    expect(on!.at - sentAt).toBeLessThan(500);
    const offBeforeReply = seen.filter((e) => e.typing === false && e.at < arrived - 50);
    expect(offBeforeReply).toEqual([]);
  });
});
