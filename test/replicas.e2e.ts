import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../apps/gateway/src/gateway';
import { testConfig } from './support/env';
import { addTeam, connect, emitAck, http, login, waitFor } from './support/harness';

/** Two gateway replicas on one Redis: one room across both, answered promptly on each. */
describe('two gateway replicas', () => {
  const config = testConfig();
  let gw1: RunningGateway, gw2: RunningGateway;
  const sockets: Socket[] = [];
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await Promise.all([gw1?.close(), gw2?.close()]);
    config.cleanup();
  });

  it('shares a room: joins answer at once on both, messages and typing cross replicas', async () => {
    await addTeam(config, 'gina@uni.edu');
    await addTeam(config, 'hank@uni.edu');
    [gw1, gw2] = [await createGateway(config), await createGateway(config)];
    const [gina, hank] = [await login(gw1.url, 'gina@uni.edu'), await login(gw2.url, 'hank@uni.edu')];
    const order = await http(gw1.url, 'POST', '/api/orders', { side: 'sell', chemical: 'D', price: 7, quantity: 40 }, gina);
    const id = (await http(gw2.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, hank)).body.negotiation_id;
    const g = await connect(gw1.url, gina);
    const h = await connect(gw2.url, hank);
    sockets.push(g, h);
    // each join asks the other replica who is in the room: it must answer, not time out
    for (const s of [g, h, g, h]) {
      const t0 = Date.now();
      const joined = await emitAck(s, 'join-negotiation', { negotiation_id: id }, 3000);
      expect(joined.ok).toBe(true);
      expect(Date.now() - t0).toBeLessThan(2000);
    }
    const seen = (await emitAck(g, 'join-negotiation', { negotiation_id: id })).data.state.participant_count;
    expect(seen).toBe(2);

    const typing = waitFor(h, 'user-typing');
    g.emit('typing-start', { negotiation_id: id });
    expect((await typing).user_id).toBe('gina@uni.edu');
    const atGina = waitFor(g, 'message-received', (m) => m.content === 'hello from replica 2');
    await emitAck(h, 'send-message', { negotiation_id: id, content: 'hello from replica 2' });
    expect((await atGina).sender).toBe('hank@uni.edu');
  });
});
