import type { RunningGateway } from '../apps/gateway/src/gateway';
import { LiveStack } from './support/live-stack';
import { connect, emitAck, http, waitFor } from './support/harness';

/**
 * The debrief reveals the other side's brief only after the end: while the negotiation is open the
 * student sees their own walk-away (for the guard) and nothing of the AI's; once it is closed, the
 * debrief shows both briefs, the zone and the feedback — to the student, and to nobody else.
 */
describe('debrief after the end (issue 13)', () => {
  const stack = new LiveStack();
  const sockets = stack.sockets;
  let sam = '';
  let eve = '';
  let gw: RunningGateway;

  beforeAll(async () => {
    await stack.start(['sam@uni.edu', 'eve@uni.edu'], { ai: true });
    gw = stack.gw;
    sam = stack.token['sam@uni.edu'];
    eve = stack.token['eve@uni.edu'];
  });
  afterAll(() => stack.close());

  it('hides the other side while open, then shows both briefs, the zone and the feedback', async () => {
    const id = (await http(gw.url, 'POST', '/api/negotiations', { scenario_id: 'used-car' }, sam)).body.negotiation_id;
    const early = await http(gw.url, 'GET', `/api/negotiations/${id}/debrief`, undefined, sam);
    expect(early.status).toBe(409);
    expect(JSON.stringify(early.body)).not.toMatch(/7,?800/);

    const detail = await http(gw.url, 'GET', `/api/negotiations/${id}`, undefined, sam);
    expect(detail.body.own_side).toMatchObject({ alternative: 0.4, issues: [{ name: 'price', walk_away: 9400 }] });
    expect(JSON.stringify(detail.body)).not.toMatch(/7800|7,800|persona|private_facts/);

    const s = await connect(gw.url, sam);
    sockets.push(s);
    const greeting = waitFor(s, 'ai-message', (m) => m.reply_to === 0, 15_000);
    await emitAck(s, 'join-negotiation', { negotiation_id: id });
    await greeting; // the AI opens a new negotiation before the student speaks
    const reply = waitFor(s, 'ai-message', () => true, 15_000);
    expect((await emitAck(s, 'send-message', { negotiation_id: id, content: 'Hi! What matters most to you? I can pay $8,000.' })).ok).toBe(
      true,
    );
    await reply;
    const state = await emitAck(s, 'join-negotiation', { negotiation_id: id });
    const { timestamp: _t, ...aiTerms } = state.data.state.offers.find((o: any) => o.user === 'ai').offer;
    const done = waitFor(s, 'negotiation-update', (u) => u.status === 'completed', 15_000);
    expect((await emitAck(s, 'agree-offer', { negotiation_id: id, terms: aiTerms })).ok).toBe(true);
    const update = await done;
    // the update itself reveals nothing of the other side's brief
    expect(JSON.stringify(update)).not.toMatch(/7800|7,800/);

    const after = await http(gw.url, 'GET', `/api/negotiations/${id}/debrief`, undefined, sam);
    expect(after.status).toBe(200);
    expect(after.body.them.walk_away).toEqual(['price at least $7,800']);
    expect(after.body.you.walk_away).toEqual(['price at most $9,400']);
    expect(after.body.chart).toMatchObject({ kind: 'zone', zone: [7800, 9400], deal: aiTerms.price });
    expect(after.body.feedback.items.length).toBeGreaterThan(2);
    expect(after.body.feedback.next_time).toEqual(expect.any(String));
    // the AI's opening was above the student's walk-away of $9,400? then the debrief says so
    if (aiTerms.price > 9400) expect(after.body.feedback.items[0]).toMatchObject({ topic: 'walk-away', kind: 'mistake' });

    // another student cannot read it
    expect((await http(gw.url, 'GET', `/api/negotiations/${id}/debrief`, undefined, eve)).status).toBe(404);
  }, 60_000);

  it('through sockets: walked out on over insults scores below a good-faith student who refused a bad offer', async () => {
    const play = async (lines: string[], walk: boolean) => {
      const id = (await http(gw.url, 'POST', '/api/negotiations', { scenario_id: 'used-car' }, sam)).body.negotiation_id;
      const s = await connect(gw.url, sam);
      sockets.push(s);
      const greeting = waitFor(s, 'ai-message', (m) => m.reply_to === 0, 15_000);
      await emitAck(s, 'join-negotiation', { negotiation_id: id });
      await greeting; // the AI opens a new negotiation before the student speaks
      const closed = waitFor(s, 'negotiation-update', (u) => u.status === 'rejected', 20_000);
      for (const content of lines) {
        const reply = waitFor(s, 'ai-message', () => true, 15_000);
        expect((await emitAck(s, 'send-message', { negotiation_id: id, content })).ok).toBe(true);
        await reply;
      }
      if (walk) expect((await emitAck(s, 'reject-negotiation', { negotiation_id: id })).ok).toBe(true);
      const update = await closed;
      const debrief = (await http(gw.url, 'GET', `/api/negotiations/${id}/debrief`, undefined, sam)).body;
      return { update, debrief };
    };
    const insulted = await play(['You idiot, $5,000 for that wreck.'], false);
    const fair = await play(['Hi Sam, what matters most to you? I could pay $8,000 because a dealer has one for less.'], true);
    expect(insulted.update.score_explanations.claiming_value).toMatch(/walked out over how you negotiated/);
    expect(insulted.update.final_score.overall).toBeLessThan(fair.update.final_score.overall);
    expect(insulted.debrief.ended).toBe('The other side walked away.');
    expect(fair.debrief.ended).toBe('You walked away.');
    // the fair student refused an offer above their $9,400 alternative: that protected them
    expect(fair.update.score_explanations.claiming_value).toMatch(/protected you/);
    // plain words: the reason names no e-mail address in the debrief
    expect(JSON.stringify(fair.debrief)).not.toContain('sam@uni.edu');
  }, 60_000);
});
