import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { addTeam, connect, emitAck, http, login } from '../support/harness';
import { newPage, shot, signIn, Stack, SuiteBrowser } from '../support/browser';

/**
 * The browser client against the real gateway, ai-worker and agreement-worker: what a student and an
 * instructor see and do, in Debian Chromium.
 */
describe('web client', () => {
  const stack = new Stack();
  const browser = new SuiteBrowser();
  const sockets: Socket[] = [];

  const context = (opts: Parameters<SuiteBrowser['context']>[0] = {}) =>
    browser.context({ viewport: { width: 1280, height: 900 }, ...opts });

  beforeAll(async () => {
    for (const u of ['alice', 'bob', 'carol', 'eve', 'frank']) await addTeam(stack.config, `${u}@uni.edu`);
    await addTeam(stack.config, 'prof@uni.edu', { role: 'instructor' });
    await stack.start();
    await browser.launch();
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await browser.close();
    await stack.close();
  });

  it('signs in with the keyboard, explains a failure, keeps the session across a reload and drops an expired one', async () => {
    const { page, errors } = await newPage(await context());
    await page.goto(`${stack.url}/#/login`);
    await shot(page, 'sign-in');
    // the e-mail field has focus on load: type, Tab, type, Enter
    await page.keyboard.type('alice@uni.edu');
    await page.keyboard.press('Tab');
    await page.keyboard.type('wrong-password');
    await page.keyboard.press('Enter');
    await expect(
      page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password' }).waitFor({ timeout: 5000 }),
    ).resolves.toBeUndefined();
    await shot(page, 'sign-in-error');

    await page.getByLabel('Password').fill('password1');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/lobby$/);
    await page.reload();
    await page.getByRole('heading', { name: 'Lobby' }).waitFor();
    expect(page.url()).toMatch(/#\/lobby$/);

    // a token whose exp has passed is dropped on load
    await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem('parley.session')!);
      const payload = btoa(JSON.stringify({ sub: s.user.email, exp: Math.floor(Date.now() / 1000) - 60 })).replace(/=+$/, '');
      s.token = `eyJhbGciOiJIUzI1NiJ9.${payload}.sig`;
      localStorage.setItem('parley.session', JSON.stringify(s));
    });
    await page.reload();
    await page.waitForURL(/#\/login$/);
    expect(await page.evaluate(() => localStorage.getItem('parley.session'))).toBeNull();
    expect(errors).toEqual([]);
  });

  it('a student completes an AI practice to a results view with the four scores', async () => {
    const { page, errors } = await newPage(await context());
    await signIn(page, stack.url, 'alice@uni.edu');
    const start = page.getByRole('button', { name: /^Start practice: Job offer/ });
    await start.waitFor();
    await shot(page, 'lobby');
    await start.click();
    await page.waitForURL(/#\/room\/[0-9a-f-]{36}$/);
    await page.locator('.conn-banner', { hasText: 'Connected' }).waitFor();

    const message = page.getByLabel('Message', { exact: true });
    await message.fill('Hello Jordan, thanks for the offer. I am looking for a salary of 118000 and 4 remote days.');
    await expect(page.locator('#msg-counter').textContent()).resolves.toMatch(/^\d+ \/ 1000$/);
    await message.press('Enter');
    await page.locator('.chat-log .msg.mine', { hasText: 'salary of 118000' }).waitFor();
    // the AI answers in the chat and puts terms on the table
    await page.locator('.chat-log .msg.ai').first().waitFor({ timeout: 20000 });
    const agree = page.getByRole('button', { name: "Agree to AI's terms" });
    await page.waitForFunction(() => {
      const b = Array.from(document.querySelectorAll('button')).find((x) => x.textContent === "Agree to AI's terms");
      return b && !(b as HTMLButtonElement).disabled;
    });
    expect(await page.locator('.terms-table td[data-party="them"]').first().textContent()).not.toBe('—');
    await shot(page, 'room');

    await agree.click();
    // the AI's terms may be worse than the student's walk-away: then the guard asks first (issue 13)
    const anyway = page.getByRole('button', { name: 'Agree anyway' });
    const results = page.locator('section.results');
    await anyway
      .or(results.getByRole('heading', { name: 'Deal reached' }))
      .first()
      .waitFor({ timeout: 20000 });
    if (await anyway.isVisible()) await anyway.click();
    await results.getByRole('heading', { name: 'Deal reached' }).waitFor({ timeout: 20000 });
    const scores = results.locator('.score');
    expect(await scores.count()).toBe(4);
    for (const key of ['claiming_value', 'creating_value', 'managing_relationships', 'overall']) {
      const card = results.locator(`[data-score="${key}"]`);
      expect(await card.locator('.score-value').textContent()).toMatch(/^\d+$/);
      expect((await card.locator('.score-explanation').textContent())?.length).toBeGreaterThan(10);
    }
    expect(await results.locator('.terms-list dd').count()).toBe(4);
    // the chat and the offer form are closed
    expect(await message.isDisabled()).toBe(true);
    await shot(page, 'results');

    // the lobby lists it as past, with its score
    await page.getByRole('link', { name: 'Back to the lobby' }).click();
    const past = page.locator('.neg-item', { hasText: 'overall score' });
    await past.waitFor();
    // re-opening the finished negotiation shows the results from negotiation-state.outcome
    await past.getByRole('link').click();
    await page.locator('section.results .score').first().waitFor();
    expect(errors).toEqual([]);
  });

  it('two teams trade in two browsers to a completed deal and both see their holdings change', async () => {
    const seller = await newPage(await context());
    const buyer = await newPage(await context());
    await signIn(seller.page, stack.url, 'bob@uni.edu');
    await signIn(buyer.page, stack.url, 'carol@uni.edu');

    // bob posts a sell order through the form
    const form = seller.page.getByRole('form', { name: 'Post an order' });
    await form.getByLabel('Side').selectOption('sell');
    await form.getByLabel('Chemical').selectOption('C');
    await form.getByLabel('Price per unit').fill('12.5');
    await form.getByLabel('Quantity').fill('100');
    await form.getByRole('button', { name: 'Post order' }).click();
    await seller.page.getByRole('button', { name: /^Cancel my sell order for 100 C/ }).waitFor();

    // carol sees it on the board and opens a negotiation on it
    await buyer.page.reload();
    await buyer.page.getByRole('button', { name: /^Negotiate with bob: sell 100 C at 12.5/ }).click();
    await buyer.page.waitForURL(/#\/room\/bob_carol_C_\d+/);
    const negotiationId = decodeURIComponent(buyer.page.url().split('#/room/')[1]);
    await buyer.page.locator('.conn-banner', { hasText: 'Connected' }).waitFor();
    await expect(buyer.page.getByLabel(/^Price per unit/).inputValue()).resolves.toBe('12.5');

    // bob finds it among his negotiations
    await seller.page.reload();
    await seller.page.getByRole('link', { name: 'Sell C to carol' }).click();
    await seller.page.locator('.conn-banner', { hasText: 'Connected' }).waitFor();
    // typing reaches only those already in the socket room: both rooms must have finished joining
    await buyer.page.locator('.room[data-phase="joined"]').waitFor();
    await seller.page.locator('.room[data-phase="joined"]').waitFor();

    // typing indicator and chat across the two browsers
    await buyer.page.getByLabel('Message', { exact: true }).pressSequentially('Would you take 12?', { delay: 10 });
    await seller.page.locator('.typing', { hasText: 'carol is typing…' }).waitFor();
    await buyer.page.getByLabel('Message', { exact: true }).press('Enter');
    await seller.page.locator('.chat-log .msg.theirs', { hasText: 'Would you take 12?' }).waitFor();
    await buyer.page.locator('.chat-log .msg.mine', { hasText: 'Would you take 12?' }).waitFor();

    // carol proposes 12 × 100, bob agrees to her terms, carol agrees to his: both agreed → settled
    await buyer.page.getByLabel(/^Price per unit/).fill('12');
    await buyer.page.getByRole('button', { name: 'Propose these terms' }).click();
    await seller.page.locator('.terms-table tr[data-issue="price"] td[data-party="them"]', { hasText: '12' }).waitFor();
    await seller.page.getByRole('button', { name: "Agree to carol's terms" }).click();
    await buyer.page.locator('.terms-table .status-row td[data-party="them"]', { hasText: 'Agreed' }).waitFor();
    await buyer.page.getByRole('button', { name: "Agree to bob's terms" }).click();

    for (const { page } of [seller, buyer]) {
      await page.locator('section.results').getByRole('heading', { name: 'Deal reached' }).waitFor({ timeout: 20000 });
    }
    await expect(seller.page.locator('.new-holdings').textContent()).resolves.toContain('Cash 51,200 · C 1,900');
    await expect(buyer.page.locator('.new-holdings').textContent()).resolves.toContain('Cash 48,800 · C 2,100');
    await shot(buyer.page, 'results-trade');

    // and in the lobby's team section, with the transaction listed
    for (const [{ page }, cash, c, verb] of [
      [seller, '51,200', '1,900', 'Sold'],
      [buyer, '48,800', '2,100', 'Bought'],
    ] as const) {
      await page.getByRole('link', { name: 'Back to the lobby' }).click();
      const holdings = page.getByLabel('Holdings');
      await holdings.locator('[data-holding="cash"]', { hasText: cash }).waitFor();
      expect(await holdings.locator('[data-holding="C"]').textContent()).toBe(c);
      await page.locator('table.transactions tbody tr', { hasText: verb }).waitFor();
    }
    expect(negotiationId).toMatch(/^bob_carol_C_/);
    expect([...seller.errors, ...buyer.errors]).toEqual([]);
  });

  it('shows a chat line with markup as text: no img element, no dialog', async () => {
    const xss = '<img src=x onerror=alert(1)>';
    const eveToken = await login(stack.url, 'eve@uni.edu');
    const frankToken = await login(stack.url, 'frank@uni.edu');
    const order = await http(stack.url, 'POST', '/api/orders', { side: 'buy', chemical: 'N', price: 3, quantity: 10 }, eveToken);
    const opened = await http(stack.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, frankToken);
    const id = opened.body.negotiation_id as string;
    const frank = await connect(stack.url, frankToken);
    sockets.push(frank);
    await emitAck(frank, 'join-negotiation', { negotiation_id: id });
    const sent = await emitAck(frank, 'send-message', { negotiation_id: id, content: xss, type: 'user', client_message_id: 'xss-1' });
    expect(sent.ok).toBe(true);

    const { page, dialogs, errors } = await newPage(await context());
    await signIn(page, stack.url, 'eve@uni.edu');
    await page.goto(`${stack.url}/#/room/${encodeURIComponent(id)}`);
    const line = page.locator('.chat-log .msg.theirs .content', { hasText: xss });
    await line.waitFor();
    expect(await line.textContent()).toBe(xss);
    // eve types it too, and it comes back as text
    await page.getByLabel('Message', { exact: true }).fill(xss);
    await page.getByLabel('Message', { exact: true }).press('Enter');
    await page.locator('.chat-log .msg.mine .content', { hasText: xss }).waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator('.chat-log img').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('gives the instructor the class view and a grade sheet; students get 403', async () => {
    const student = await login(stack.url, 'alice@uni.edu');
    for (const path of ['/api/instructor/negotiations', '/api/instructor/transactions', '/api/instructor/grades.csv']) {
      const res = await http(stack.url, 'GET', path, undefined, student);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }

    const { page, errors } = await newPage(await context({ acceptDownloads: true }));
    await signIn(page, stack.url, 'prof@uni.edu');
    await page.waitForURL(/#\/instructor$/);
    // the eve/frank trade is live; the AI practice and the bob/carol trade are finished with outcomes
    await page.locator('#live-h + div tr[data-negotiation]').first().waitFor();
    const finished = page.locator('#done-h + div tbody tr');
    await finished.first().waitFor();
    expect(await finished.count()).toBe(2);
    expect(await page.locator('#done-h + div tbody tr', { hasText: 'Job offer' }).locator('td.num.strong').textContent()).toMatch(/^\d+$/);
    await page.locator('#tx-h + div tbody tr', { hasText: 'carol' }).waitFor();
    await shot(page, 'instructor');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV for grading' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('parley-grades.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'name,email,role,scenario,round,partner,outcome,terms,claiming_value,creating_value,managing_relationships,overall,negotiation_id',
    );
    // one row per student per negotiation: the AI practice (one student), the finished trade and the live one (two teams each)
    expect(lines.filter((l) => l.includes('Job offer')).length).toBe(1);
    expect(lines.filter((l) => /,trade of [CNDQ],/.test(l)).length).toBe(4);
    expect(lines.filter((l) => l.includes(',deal,')).length).toBeGreaterThanOrEqual(2);
    // transcripts in their own sheet; a line with a comma is quoted
    const prof = await login(stack.url, 'prof@uni.edu');
    const transcripts = (await http<string>(stack.url, 'GET', '/api/instructor/transcripts.csv', undefined, prof)).body;
    expect(transcripts).toContain('"Hello Jordan, thanks for the offer. I am looking for a salary of 118000 and 4 remote days."');
    expect(transcripts).toContain(',<img src=x onerror=alert(1)>,');

    // watching a live negotiation: the transcript and the terms, no way to act
    await page.getByRole('link', { name: /^Watch Trade of N/ }).click();
    await page.locator('.chat-log .msg .content', { hasText: '<img src=x onerror=alert(1)>' }).first().waitFor();
    expect(await page.locator('.room-sub').textContent()).toContain('You are observing');
    expect(await page.getByLabel('Message', { exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Propose these terms' }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('works at phone width (360 px) without sideways scrolling', async () => {
    const ctx = await context({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const { page, errors } = await newPage(ctx);
    const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.goto(`${stack.url}/#/login`);
    await page.getByLabel('E-mail').waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'phone-sign-in');
    await signIn(page, stack.url, 'carol@uni.edu');
    await page.locator('table.transactions tbody tr').first().waitFor();
    await page.locator('[data-order] button').first().waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'phone-lobby');
    // the order board's buttons are on screen, not cut off
    const box = await page.locator('[data-order] button').first().boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(360);

    // eve's live trade room: chat, composer and offer panel
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, stack.url, 'eve@uni.edu');
    await page.getByRole('link', { name: 'Buy N from frank' }).click();
    await page.locator('.chat-log .msg').first().waitFor();
    await page.locator('.conn-banner', { hasText: 'Connected' }).waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'phone-room');
    expect(errors).toEqual([]);
  });
});
