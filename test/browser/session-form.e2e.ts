import type { Browser } from 'playwright-core';
import { addTeam, http, login } from '../support/harness';
import { launchBrowser, newPage, signIn, Stack } from '../support/browser';

/**
 * The new-session form's "start round 1 by itself when the whole class has joined": it asks for the
 * head count, and the join that reaches it starts the round on the instructor's and the students'
 * screens, a student waiting in the lobby included.
 */
describe('a session that starts when the class has joined, in the browser', () => {
  const stack = new Stack();
  let browser: Browser;

  beforeAll(async () => {
    await addTeam(stack.config, 'prof@uni.edu', { role: 'instructor' });
    for (const email of ['ann@uni.edu', 'bo@uni.edu']) await addTeam(stack.config, email);
    await stack.start();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack.close();
  });

  it('asks how many students to wait for, then starts round 1 when that many have joined', async () => {
    const prof = await newPage(await browser.newContext({ viewport: { width: 1280, height: 900 } }));
    await signIn(prof.page, stack.url, 'prof@uni.edu');
    await prof.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click();
    const form = prof.page.getByRole('form', { name: 'New session' });
    await form.getByLabel('Title').fill('Starts by itself');
    await form.getByLabel('Round length (minutes)').fill('5');
    await form.getByRole('checkbox', { name: 'Start round 1 by itself when the whole class has joined' }).check();
    await form.getByRole('button', { name: 'Create session' }).click();
    await form.getByRole('alert').getByText('Enter how many students must join before round 1 starts (1 to 1000).').waitFor();
    await form.getByLabel('Students in the class').fill('2');
    await form.getByRole('button', { name: 'Create session' }).click();
    await prof.page.waitForURL(/#\/session\/[^/]+$/);
    const code = (await prof.page.locator('.join-code').getAttribute('data-code'))!;

    // ann joins (a script's join), then waits in the lobby
    const ann = await newPage(await browser.newContext({ viewport: { width: 1280, height: 900 } }));
    expect((await http(stack.url, 'POST', '/api/sessions/join', { code }, await login(stack.url, 'ann@uni.edu'))).status).toBe(200);
    await signIn(ann.page, stack.url, 'ann@uni.edu');
    await ann.page.getByRole('link', { name: 'Starts by itself' }).waitFor();
    await prof.page.locator('.live-table tr[data-state="waiting"]').waitFor();
    expect(await prof.page.getByRole('button', { name: 'Start round 1' }).isVisible()).toBe(true);

    // the second of two joins on a phone: round 1 starts for both without the instructor
    const bo = await newPage(await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }));
    await signIn(bo.page, stack.url, 'bo@uni.edu');
    await bo.page.getByLabel('Join code').fill(code);
    await bo.page.getByRole('button', { name: 'Join', exact: true }).click();
    await bo.page.locator('.countdown[data-countdown="running"]').waitFor();
    await prof.page.getByRole('button', { name: 'End round 1' }).waitFor();
    await prof.page.locator('.live-table tr[data-state="negotiating"]').nth(1).waitFor();
    // the lobby is told at once and leads to the negotiation
    await ann.page.getByRole('status').getByText('Round 1 of Starts by itself has started.').waitFor();
    await ann.page.getByRole('link', { name: 'Go to your negotiation' }).click();
    await ann.page.locator('.countdown[data-countdown="running"]').waitFor();
    expect([...prof.errors, ...bo.errors, ...ann.errors]).toEqual([]);
  });
});
