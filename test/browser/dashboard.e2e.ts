import type { Browser } from 'playwright-core';
import { addTeam } from '../support/harness';
import { launchBrowser, newPage, shot, signIn, Stack } from '../support/browser';

/**
 * In Chromium, with the gateway's security headers: the instructor opens the job queues from the
 * dashboard button (session cookie, no token in any URL) and bull-board renders under its CSP; the
 * login page cannot be framed by another origin.
 */
describe('queue dashboard and framing in the browser', () => {
  const stack = new Stack();
  let browser: Browser;

  beforeAll(async () => {
    await addTeam(stack.config, 'prof@uni.edu', { role: 'instructor' });
    await stack.start();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack.close();
  });

  it('the "Job queues" button opens bull-board with a session cookie; no token appears in a URL', async () => {
    const context = await browser.newContext();
    const { page, errors } = await newPage(context);
    const urls: string[] = [];
    const refused: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    // bull-board's Google web font is meant to be refused (see security-headers.ts)
    page.on(
      'console',
      (m) => /Content Security Policy/i.test(m.text()) && !m.text().includes('fonts.googleapis.com') && refused.push(m.text()),
    );
    await signIn(page, stack.url, 'prof@uni.edu');
    await page.waitForURL(/#\/instructor$/);
    await page.getByRole('button', { name: 'Job queues' }).click();
    await page.waitForURL(/\/admin\/queues/);
    // bull-board's React app lists both queues
    await page.getByText('ai-response', { exact: false }).first().waitFor({ timeout: 15_000 });
    await shot(page, 'queue-dashboard');
    const cookie = (await context.cookies()).find((c) => c.name === 'parley_admin');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin/queues' });
    expect(urls.filter((u) => /token=|eyJ/.test(u))).toEqual([]);
    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('another origin cannot frame the login page', async () => {
    const context = await browser.newContext();
    const { page } = await newPage(context);
    // a page on a different origin (127.0.0.1 vs localhost) that frames Parley
    const other = stack.url.replace('127.0.0.1', 'localhost');
    await page.goto(`${other}/health`);
    await page.setContent(`<iframe id="f" src="${stack.url}/#/login" width="600" height="400"></iframe>`);
    await page.waitForTimeout(1500);
    const frame = page.frames().find((f) => f.url().startsWith(stack.url));
    const framedLogin = frame
      ? await frame
          .getByLabel('E-mail')
          .count()
          .catch(() => 0)
      : 0;
    expect(framedLogin).toBe(0);
    await context.close();
  });
});
