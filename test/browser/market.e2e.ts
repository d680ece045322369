import type { Browser, Page, Request } from 'playwright-core';
import { addTeam, http, login, sleep } from '../support/harness';
import { launchBrowser, newPage, shot, signIn, Stack } from '../support/browser';
import { TWO_TEAMS } from '../support/market-designs';

/**
 * A market round end to end in Chromium: the instructor opens a market on an uploaded design, two
 * students each see only their own schedule, one posts an order, the other accepts it as posted, and
 * the instructor's page shows the price chart against the equilibrium band, the efficiency and the
 * leaderboard — all pushed as they change (no reload, and no request while nothing happens).
 */
describe('a market round in the browser', () => {
  const stack = new Stack();
  let browser: Browser;
  const design = TWO_TEAMS;

  beforeAll(async () => {
    await addTeam(stack.config, 'prof@uni.edu', { role: 'instructor' });
    await addTeam(stack.config, 'ann@uni.edu', { name: 'Ann Archer' });
    await addTeam(stack.config, 'ben@uni.edu', { name: 'Ben Brown' });
    await stack.start();
    const prof = await login(stack.url, 'prof@uni.edu');
    expect((await http(stack.url, 'POST', '/api/market/designs', { design }, prof)).status).toBe(201);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack.close();
  });

  async function open(email: string): Promise<{ page: Page; errors: string[] }> {
    const { page, errors } = await newPage(await browser.newContext());
    await signIn(page, stack.url, email);
    return { page, errors };
  }

  it('instructor, seller and buyer: post, accept as posted, profit, leaderboard, price chart and efficiency', async () => {
    const prof = await open('prof@uni.edu');
    await prof.page.getByRole('link', { name: 'Markets' }).click();
    const form = prof.page.getByRole('form', { name: 'New market' });
    await form.getByLabel('Design').selectOption('two-teams');
    await form.getByLabel('Teams (e-mails)').fill('ann@uni.edu\nben@uni.edu');
    await form.getByRole('button', { name: 'Open the market' }).click();
    await prof.page.waitForURL(/#\/market\/[0-9a-f-]+$/);
    const marketUrl = prof.page.url();
    await prof.page.getByText('Equilibrium price band $8.00–$9.00').waitFor();

    const ben = await open('ben@uni.edu');
    await ben.page.goto(marketUrl);
    await ben.page.getByText('You sell C: 0 of 20 units traded').waitFor();
    expect(await ben.page.getByRole('table', { name: 'Your costs for C' }).innerText()).toContain('$4.00');
    const post = ben.page.getByRole('form', { name: 'Post an order' });
    await post.getByLabel('Price per unit').fill('7');
    await post.getByLabel('Units').fill('10');
    await post.getByRole('button', { name: 'Post' }).click();
    await ben.page.getByRole('button', { name: 'Withdraw' }).waitFor();

    const ann = await open('ann@uni.edu');
    await ann.page.goto(marketUrl);
    await ann.page.getByText('You buy C: 0 of 20 units traded').waitFor();
    // her page shows her own values, never the seller's costs
    expect(await ann.page.locator('main').innerText()).not.toContain('$4.00');
    await ann.page.getByRole('table', { name: 'Leaderboard' }).getByText('Ann Archer (you)').waitFor();

    // while nothing happens, no page asks the server again: the market is pushed, not polled
    const pages = [prof.page, ben.page, ann.page];
    const asked: string[] = [];
    const count = (r: Request) => void (/\/api\/markets\//.test(r.url()) && asked.push(r.url()));
    for (const page of pages) page.on('request', count);
    await sleep(5000);
    expect(asked).toEqual([]);
    // what follows arrives without a reload: the pages keep what this script left on them
    for (const page of pages) await page.evaluate(() => ((window as unknown as { kept: boolean }).kept = true));

    await ann.page.getByRole('button', { name: 'Accept as posted' }).click();
    // by name, never the e-mail
    await ben.page.getByText('Ann Archer took your C order as posted.').waitFor();
    // 10 × (12.00 − 7.00)
    await ann.page.getByTestId('profit').filter({ hasText: '$50.00' }).waitFor({ timeout: 15_000 });
    await ben.page.getByTestId('profit').filter({ hasText: '$30.00' }).waitFor({ timeout: 15_000 });
    const board = ann.page.getByRole('table', { name: 'Leaderboard' });
    await board.getByText('Ann Archer (you)').waitFor();
    expect(await board.innerText()).toContain('Team T02');

    // all 10 intra-marginal units traded: realised 80.00 of 80.00
    await prof.page.getByTestId('efficiency').filter({ hasText: '100.0 %' }).waitFor({ timeout: 15_000 });
    await prof.page.getByTestId('volume').filter({ hasText: '10 units in 1 trades' }).waitFor();
    for (const page of pages) expect(await page.evaluate(() => (window as unknown as { kept?: boolean }).kept)).toBe(true);
    for (const page of pages) page.off('request', count);
    await prof.page.getByRole('img', { name: /^Prices of 1 trades of C over time against the equilibrium band \$8\.00–\$9\.00/ }).waitFor();
    await prof.page.getByRole('img', { name: /Supply and demand of C/ }).waitFor();
    expect(await prof.page.getByRole('table', { name: 'Leaderboard' }).innerText()).toMatch(
      /Ann Archer\s+\$50\.00[\s\S]*Ben Brown\s+\$30\.00/,
    );
    await shot(prof.page, 'market-instructor');
    await shot(ann.page, 'market-student');
    await prof.page.getByRole('button', { name: 'End trading' }).click();
    await prof.page.getByText(/^Closed/).waitFor();
    expect([...prof.errors, ...ben.errors, ...ann.errors]).toEqual([]);
  });
});
