import type { Page } from 'playwright-core';
import { addTeam } from '../support/harness';
import { join } from 'node:path';
import { ARTIFACTS, newPage, shot, signIn, Stack, SuiteBrowser } from '../support/browser';

/**
 * Issue 13 in the browser: the guard before agreeing to terms worse than the walk-away (offer panel
 * and a typed "deal"), then the results page with feedback, the other side's brief revealed and the
 * deal on a chart — at desktop width and at phone width, without sideways scrolling.
 */
describe('results and debrief', () => {
  const stack = new Stack();
  const browser = new SuiteBrowser();

  const context = (width: number) => browser.device(width, 900);
  const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  /** Non-blank pixels in the chart's canvas: the library drew something. */
  const inked = (p: Page) =>
    p.evaluate(() => {
      const c = document.querySelector('.deal-chart canvas') as HTMLCanvasElement | null;
      if (!c || !c.width || !c.height) return 0;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    });

  beforeAll(async () => {
    for (const u of ['rita', 'sol']) await addTeam(stack.config, `${u}@uni.edu`);
    await addTeam(stack.config, 'prue@uni.edu', { role: 'instructor' });
    await stack.start();
    await browser.launch();
  });
  afterAll(async () => {
    await browser.close();
    await stack.close();
  });

  async function openPractice(page: Page, title: RegExp): Promise<void> {
    const start = page.getByRole('button', { name: title });
    await start.waitFor();
    await start.click();
    await page.waitForURL(/#\/room\/[0-9a-f-]{36}$/);
    await page.locator('.conn-banner', { hasText: 'Connected' }).waitFor();
  }

  it('asks before a below-walk-away agreement, then shows feedback, the revealed brief and the zone chart at 1280 and 390 px', async () => {
    const { page, errors } = await newPage(await context(1280));
    await signIn(page, stack.url, 'rita@uni.edu');
    await openPractice(page, /^Start practice: Buying a used car/);

    const message = page.getByLabel('Message', { exact: true });
    await message.fill('Hello Sam! What matters most to you in the sale? I could pay $8,000 because a dealer has a similar car.');
    await message.press('Enter');
    await page.locator('.chat-log .msg.ai').first().waitFor({ timeout: 20000 });
    await page.waitForFunction(() => {
      const b = Array.from(document.querySelectorAll('button')).find((x) => x.textContent === "Agree to AI's terms");
      return b && !(b as HTMLButtonElement).disabled;
    });
    const theirPrice = Number((await page.locator('tr[data-issue="price"] td[data-party="them"]').textContent())!.replace(/[^\d.]/g, ''));
    // the seller's terms carry their unit
    expect(await page.locator('tr[data-issue="price"] td[data-party="them"]').textContent()).toMatch(/^\$[\d,]+$/);
    expect(theirPrice).toBeGreaterThan(9400); // the seller opens above the student's $9,400 alternative

    // a typed acceptance asks first; keeping on negotiating sends nothing
    const sentBefore = await page.locator('.chat-log .msg.mine').count();
    await message.fill('Deal.');
    await message.press('Enter');
    const guard = page.getByRole('alertdialog', { name: 'Worse than your alternative' });
    await guard.waitFor();
    expect(await guard.textContent()).toMatch(
      /^This is worse than your alternative \(price \$[\d,]+ is above your limit of \$9,400\)\. Agree anyway\?/,
    );
    await page.getByRole('button', { name: 'Keep negotiating' }).click();
    expect(await guard.isHidden()).toBe(true);
    await page.waitForTimeout(300);
    expect(await page.locator('.chat-log .msg.mine').count()).toBe(sentBefore);
    await message.fill('');

    // the offer panel asks too; "Keep negotiating" leaves the negotiation open
    await page.getByRole('button', { name: "Agree to AI's terms" }).click();
    await guard.waitFor();
    await shot(page, 'guard-below-walk-away');
    await page.getByRole('button', { name: 'Keep negotiating' }).click();
    await page.waitForTimeout(300);
    expect(await page.locator('section.results').count()).toBe(0);
    expect(await page.locator('.terms-table .status-row td[data-party="me"]').textContent()).not.toBe('Agreed');

    // "Agree anyway" agrees
    await page.getByRole('button', { name: "Agree to AI's terms" }).click();
    await page.getByRole('button', { name: 'Agree anyway' }).click();
    const results = page.locator('section.results');
    await results.getByRole('heading', { name: 'Deal reached' }).waitFor({ timeout: 20000 });
    expect(await results.locator('[data-score="claiming_value"] .score-value').textContent()).toBe('0');
    expect(await results.locator('[data-score="claiming_value"] .score-explanation').textContent()).toMatch(/worse than your walk-away/);
    expect(await results.locator('[data-score="creating_value"] .score-value').textContent()).toBe('Not applicable');
    expect(await results.locator('.terms-list dd').first().textContent()).toMatch(/^\$[\d,]+$/);

    // feedback: named moves with their lines, and one thing to try next time
    const feedback = results.locator('.feedback-list .feedback-item');
    await feedback.first().waitFor({ timeout: 10000 });
    expect(await feedback.count()).toBeGreaterThan(3);
    expect(await results.locator('.feedback-item[data-topic="walk-away"]').textContent()).toMatch(/worse than your walk-away/);
    expect(await results.locator('.feedback-item[data-topic="questions"] .evidence').textContent()).toContain('What matters most to you');
    expect(await results.locator('.next-time').textContent()).toMatch(/^Try next time: .*walk-away \(price at most \$9,400\)/);

    // relationships by dimension, each with its quoted lines
    await results.locator('.relationship-dims summary').click();
    expect(await results.locator('[data-dimension="interests"]').textContent()).toContain('What matters most to you');
    expect(await results.locator('[data-dimension]').count()).toBe(5);

    // the other side's brief, revealed
    const them = results.locator('[data-brief="them"]');
    expect(await them.textContent()).toContain('Walk-away: price at least $7,800');
    expect(await them.locator('h4').textContent()).toBe('Sam Rivera, the seller');

    // the zone on a chart, drawn by the bundled library
    const chart = results.locator('.deal-chart[data-chart="zone"]');
    await chart.waitFor();
    await page.waitForFunction(() => ((document.querySelector('.deal-chart canvas') as HTMLCanvasElement | null)?.width ?? 0) > 0);
    expect(await inked(page)).toBeGreaterThan(500);
    expect(await chart.locator('figcaption').textContent()).toMatch(/between \$7,800 and \$9,400/);

    // plain words for the student: no jargon, no e-mail address
    const text = (await results.textContent())!;
    expect(text).not.toMatch(/utility|BATNA|@uni\.edu/i);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'results-debrief-1280');

    // at phone width: same page, nothing wider than the screen, the chart fits
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(400);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    const box = (await results.locator('.deal-chart canvas').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.width).toBeGreaterThan(250);
    expect(await inked(page)).toBeGreaterThan(500);
    await chart.screenshot({ path: join(ARTIFACTS, 'chart-zone-390.png') });
    await results.locator('.feedback-list').scrollIntoViewIfNeeded();
    await shot(page, 'results-debrief-390');
    expect(errors).toEqual([]);
  });

  it('the instructor view shows "Not applicable" for creating value in the single-issue deal, and terms with units', async () => {
    // the used-car deal of the first test
    const { page, errors } = await newPage(await context(1280));
    await signIn(page, stack.url, 'prue@uni.edu');
    await page.waitForURL(/#\/instructor$/);
    const row = page.locator('#done-h + div tbody tr', { hasText: 'Buying a used car' }).first();
    await row.waitFor();
    const cells = row.locator('td');
    expect(await cells.nth(3).textContent()).toMatch(/^price \$[\d,]+$/);
    expect(await cells.nth(4).textContent()).toBe('0');
    expect(await cells.nth(5).textContent()).toBe('Not applicable');
    expect(await cells.nth(7).textContent()).toMatch(/^\d+$/);
    expect(await row.textContent()).not.toMatch(/@uni\.edu/);
    expect(errors).toEqual([]);
  });

  it('draws both sides’ values with the best possible packages for a several-issue deal, also at 390 px', async () => {
    const { page, errors } = await newPage(await context(390));
    await signIn(page, stack.url, 'sol@uni.edu');
    await openPractice(page, /^Start practice: Job offer/);
    const message = page.getByLabel('Message', { exact: true });
    await message.fill('Hi Jordan, thanks! What matters most to your team? I would like 105000 and 4 remote days.');
    await message.press('Enter');
    await page.locator('.chat-log .msg.ai').first().waitFor({ timeout: 20000 });
    await page.waitForFunction(() => {
      const b = Array.from(document.querySelectorAll('button')).find((x) => x.textContent === "Agree to AI's terms");
      return b && !(b as HTMLButtonElement).disabled;
    });
    await page.getByRole('button', { name: "Agree to AI's terms" }).click();
    const anyway = page.getByRole('button', { name: 'Agree anyway' });
    if (await anyway.isVisible()) await anyway.click();
    const results = page.locator('section.results');
    await results.getByRole('heading', { name: 'Deal reached' }).waitFor({ timeout: 20000 });
    const chart = results.locator('.deal-chart[data-chart="frontier"]');
    await chart.waitFor({ timeout: 10000 });
    await page.waitForFunction(() => ((document.querySelector('.deal-chart canvas') as HTMLCanvasElement | null)?.width ?? 0) > 0);
    expect(await inked(page)).toBeGreaterThan(500);
    expect(await chart.locator('figcaption').textContent()).toMatch(/best possible packages/);
    expect(await results.locator('[data-brief="them"]').textContent()).toMatch(/Priorities: Base salary 45/);
    expect(await results.locator('[data-score="creating_value"] .score-value').textContent()).toMatch(/^\d+$/);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await chart.scrollIntoViewIfNeeded();
    await chart.screenshot({ path: join(ARTIFACTS, 'chart-frontier-390.png') });
    await shot(page, 'results-frontier-390');
    expect(errors).toEqual([]);
  });
});
