import type { Browser } from 'playwright-core';
import { violations } from '../support/axe';
import { addTeam, connect, createSession, emitAck, http, login, sleep, waitFor } from '../support/harness';
import { launchBrowser, newPage, shot, signIn, Stack } from '../support/browser';

/**
 * The debrief's round picker: a class of two plays round 1 without a deal (ended by the instructor)
 * and agrees in round 2. The debrief shows all rounds (1 deal of 2), round 1 (none of 1) or round 2
 * (1 of 1), on a projector and on a phone.
 */
describe('the debrief of one round or of all rounds, in the browser', () => {
  const stack = new Stack();
  let browser: Browser;
  let sessionId = '';

  beforeAll(async () => {
    await addTeam(stack.config, 'prof@uni.edu', { role: 'instructor' });
    await addTeam(stack.config, 'ann@uni.edu', { name: 'Ann Archer' });
    await addTeam(stack.config, 'bo@uni.edu', { name: 'Bo Berg' });
    await stack.start();
    browser = await launchBrowser();
    const prof = await login(stack.url, 'prof@uni.edu');
    const tokens = { ann: await login(stack.url, 'ann@uni.edu'), bo: await login(stack.url, 'bo@uni.edu') };
    const session = await createSession(stack.url, prof, { title: 'Two rounds', round_seconds: 600 });
    sessionId = session.id;
    for (const t of Object.values(tokens)) await http(stack.url, 'POST', '/api/sessions/join', { code: session.code }, t);
    const rounds = `/api/sessions/${sessionId}/rounds`;
    // round 1: ended at once, no deal
    expect((await http(stack.url, 'POST', rounds, {}, prof)).status).toBe(201);
    await http(stack.url, 'POST', `${rounds}/current/end`, undefined, prof);
    for (const t0 = Date.now(); ; await sleep(100)) {
      const d = (await http(stack.url, 'GET', `/api/sessions/${sessionId}/debrief?round=1`, undefined, prof)).body;
      if (d.debriefs[0]?.deal_rate.closed === 1) break;
      if (Date.now() - t0 > 10_000) throw new Error('round 1 did not close');
    }
    // round 2: the two agree on 8,200 over their sockets
    const pair = (await http(stack.url, 'POST', rounds, {}, prof)).body.pairs[0];
    const sockets = await Promise.all(
      [pair.a, pair.b].map(async (e: string) => connect(stack.url, e === 'ann@uni.edu' ? tokens.ann : tokens.bo)),
    );
    try {
      const id = pair.negotiation_id;
      for (const s of sockets) await emitAck(s, 'join-negotiation', { negotiation_id: id });
      for (const s of sockets) await emitAck(s, 'propose-offer', { negotiation_id: id, terms: { price: 8200 } });
      const done = waitFor(sockets[0], 'negotiation-update', (u) => u.status === 'completed', 10_000);
      for (const s of sockets) await emitAck(s, 'agree-offer', { negotiation_id: id, terms: { price: 8200 } });
      await done;
    } finally {
      sockets.forEach((s) => s.close());
    }
  });
  afterAll(async () => {
    await browser?.close();
    await stack.close();
  });

  it.each([
    ['projector', 1280, 900],
    ['phone', 390, 844],
  ] as const)('picks round 1, round 2 or all rounds on a %s (%i wide)', async (_device, width, height) => {
    const context = await browser.newContext({ viewport: { width, height } });
    const { page, errors } = await newPage(context);
    await signIn(page, stack.url, 'prof@uni.edu');
    await page.goto(`${stack.url}/#/session/${sessionId}/debrief`);
    const rate = page.locator('.deal-rate');
    const show = page.getByLabel('Round', { exact: true });
    await rate.getByText('Deal rate: 50%').waitFor();
    expect(await rate.textContent()).toContain('(1 deal of 2 negotiations)');
    expect(await show.locator('option').allTextContents()).toEqual(['All rounds', 'Round 1', 'Round 2']);
    expect(await page.locator('tbody tr[data-negotiation]').count()).toBe(2);

    await show.selectOption({ label: 'Round 1' });
    await page.getByRole('heading', { name: 'Debrief: round 1' }).waitFor();
    await rate.getByText('Deal rate: 0%').waitFor();
    expect(await page.locator('tbody tr[data-negotiation]').allTextContents()).toEqual([expect.stringContaining('No deal (time)')]);

    await show.selectOption({ label: 'Round 2' });
    await rate.getByText('Deal rate: 100%').waitFor();
    expect(await page.locator('tbody tr[data-negotiation]').count()).toBe(1);
    // anonymised for the projector, still round 2
    await page.getByRole('switch', { name: /Anonymise/ }).check();
    await page.waitForFunction(() => !/Ann Archer|Bo Berg/.test(document.querySelector('.class-debrief')?.textContent ?? 'Ann Archer'));
    await rate.getByText('Deal rate: 100%').waitFor();
    expect(await page.locator('tbody tr[data-negotiation]').count()).toBe(1);
    expect(await violations(page, `debrief-rounds@${width}`)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await shot(page, `debrief-round-${width}`, false);

    await show.selectOption({ label: 'All rounds' });
    await page.getByRole('heading', { name: 'Debrief', exact: true }).waitFor();
    await rate.getByText('Deal rate: 50%').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
