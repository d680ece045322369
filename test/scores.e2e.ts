import type { RunningGateway } from '../apps/gateway/src/gateway';
import { LiveStack } from './support/live-stack';
import { connect, emitAck, http, waitFor } from './support/harness';

/**
 * Issue 13, first list, through sockets: a deal worse than the student's own walk-away scores claiming 0
 * and overall below ending without a deal; offer lines in the chat read in plain words with units.
 */
describe('scores anchored to the walk-away, through sockets (issue 13)', () => {
  const stack = new LiveStack();
  const sockets = stack.sockets;
  let token = '';
  let gw: RunningGateway;

  beforeAll(async () => {
    await stack.start(['pat@uni.edu'], { ai: true });
    gw = stack.gw;
    token = stack.token['pat@uni.edu'];
  });
  afterAll(() => stack.close());

  const open = async (scenario_id: string) => {
    const id = (await http(gw.url, 'POST', '/api/negotiations', { scenario_id }, token)).body.negotiation_id;
    const s = await connect(gw.url, token);
    sockets.push(s);
    await emitAck(s, 'join-negotiation', { negotiation_id: id });
    return { id, s };
  };

  it('a car bought above the walk-away: claiming 0, marked worse, overall below walking away', async () => {
    const dear = await open('used-car');
    const line = waitFor(dear.s, 'message-received', (m) => m.kind === 'offer', 15_000);
    const aiAgrees = waitFor(dear.s, 'offer-updated', (o) => o.user === 'ai' && o.status === 'agreed', 15_000);
    const done = waitFor(dear.s, 'negotiation-update', (u) => u.status === 'completed', 20_000);
    expect((await emitAck(dear.s, 'propose-offer', { negotiation_id: dear.id, terms: { price: 11000 } })).ok).toBe(true);
    // plain words with the unit, not "price 11000"
    expect((await line).content).toBe('Proposed price $11,000.');
    await aiAgrees;
    expect((await emitAck(dear.s, 'agree-offer', { negotiation_id: dear.id, terms: { price: 11000 } })).ok).toBe(true);
    const deal = await done;
    expect(deal.final_score.claiming_value).toBe(0);
    expect(deal.score_explanations.claiming_value).toMatch(/worse than your walk-away/);

    const walked = await open('used-car');
    const closed = waitFor(walked.s, 'negotiation-update', (u) => u.status === 'rejected', 20_000);
    expect((await emitAck(walked.s, 'reject-negotiation', { negotiation_id: walked.id })).ok).toBe(true);
    const none = await closed;
    expect(deal.final_score.overall).toBeLessThan(none.final_score.overall);
  }, 60_000);

  it('a salary below the stated floor, agreed through the offer panel, scores overall below a no-deal', async () => {
    const low = await open('salary');
    const terms = { salary: 80000, signing_bonus: 0, start_weeks: 2, remote_days: 0 };
    const line = waitFor(low.s, 'message-received', (m) => m.kind === 'offer', 15_000);
    const aiAgrees = waitFor(low.s, 'offer-updated', (o) => o.user === 'ai' && o.status === 'agreed', 15_000);
    const done = waitFor(low.s, 'negotiation-update', (u) => u.status === 'completed', 20_000);
    expect((await emitAck(low.s, 'propose-offer', { negotiation_id: low.id, terms })).ok).toBe(true);
    expect((await line).content).toBe(
      'Proposed base salary $80,000/year, signing bonus $0, start date 2 weeks from today and remote days 0 days a week.',
    );
    await aiAgrees;
    const agreedLine = waitFor(
      low.s,
      'message-received',
      (m) => m.kind === 'offer' && m.status === 'agreed' && m.sender_type === 'user',
      15_000,
    );
    expect((await emitAck(low.s, 'agree-offer', { negotiation_id: low.id, terms })).ok).toBe(true);
    expect((await agreedLine).content).toMatch(/^Agreed to base salary \$80,000\/year, /);
    const deal = await done;
    expect(deal.final_score.claiming_value).toBe(0);
    expect(deal.score_explanations.overall).not.toMatch(/^Deal reached;/);

    const walked = await open('salary');
    const closed = waitFor(walked.s, 'negotiation-update', (u) => u.status === 'rejected', 20_000);
    expect((await emitAck(walked.s, 'reject-negotiation', { negotiation_id: walked.id })).ok).toBe(true);
    expect(deal.final_score.overall).toBeLessThan((await closed).final_score.overall);
  }, 60_000);
});
