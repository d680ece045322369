import { violations } from '../support/axe';
import { addTeam } from '../support/harness';
import { newPage, shot, signIn, Stack, SuiteBrowser } from '../support/browser';

/**
 * WCAG 2.1 AA, checked by axe-core (the engine, pinned in package.json, injected from node_modules):
 * no serious or critical violation on the sign-in page, the lobby, a negotiation room and the
 * results, on a laptop (1280 wide) and a phone (390 wide).
 */
describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  // two chat messages a minute: the third a student sends is refused, and the notice must not cover anything
  const stack = new Stack({ MESSAGES_PER_MINUTE: '2' });
  const browser = new SuiteBrowser();

  beforeAll(async () => {
    for (const u of ['ally', 'ana']) await addTeam(stack.config, `${u}@uni.edu`);
    await stack.start();
    await browser.launch();
  });
  afterAll(async () => {
    await browser.close();
    await stack.close();
  });

  it.each([
    ['laptop', 1280, 800, 'ally@uni.edu'],
    ['phone', 390, 844, 'ana@uni.edu'],
  ])('sign-in, lobby, room and results on a %s (%i wide) have no serious or critical violation', async (device, width, height, email) => {
    const { page, errors } = await newPage(await browser.device(width, height, device === 'phone'));
    const found: string[] = [];

    await page.goto(`${stack.url}/#/login`);
    await page.getByLabel('E-mail').waitFor();
    found.push(...(await violations(page, `sign-in@${width}`)));

    await signIn(page, stack.url, email);
    const start = page.getByRole('button', { name: /^Start practice: Job offer/ });
    await start.waitFor();
    found.push(...(await violations(page, `lobby@${width}`)));

    await start.click();
    await page.waitForURL(/#\/room\/[0-9a-f-]{36}$/);
    await page.locator('.conn-banner', { hasText: 'Connected' }).waitFor();
    const message = page.getByLabel('Message', { exact: true });
    await message.fill('Hello Jordan, thanks for the offer. I am looking for a salary of 118000 and 4 remote days.');
    await message.press('Enter');
    await page.locator('.chat-log .msg.ai').first().waitFor({ timeout: 20000 });
    await page.waitForFunction(() => {
      const b = Array.from(document.querySelectorAll('button')).find((x) => x.textContent === "Agree to AI's terms");
      return b && !(b as HTMLButtonElement).disabled;
    });
    found.push(...(await violations(page, `room@${width}`)));

    // a refusal (here: too many messages) shows a notice, which covers none of the room's form controls
    // (message box, Send, the offer panel); like a sticky header it may sit over content scrolled under it
    for (const text of ['One more thing.', 'And another.']) {
      await message.fill(text);
      await message.press('Enter');
    }
    await page.locator('#toasts [role="alert"]', { hasText: 'too fast' }).waitFor({ timeout: 10000 });
    await shot(page, `a11y-room-notice-${width}`, false);
    const covered = await page.evaluate(() => {
      const overlaps = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      const notices = Array.from(document.querySelectorAll('#toasts > *')).map((n) => n.getBoundingClientRect());
      return Array.from(document.querySelectorAll('main :is(button, input, textarea, select)'))
        .filter((c) => {
          const r = c.getBoundingClientRect();
          return r.width > 0 && r.height > 0 && notices.some((n) => overlaps(n, r));
        })
        .map((c) => c.outerHTML.slice(0, 100));
    });
    expect(covered).toEqual([]);

    await page.getByRole('button', { name: "Agree to AI's terms" }).click();
    // the AI's terms may be worse than the student's walk-away: then the guard asks first (issue 13)
    const dealReached = page.locator('section.results').getByRole('heading', { name: 'Deal reached' });
    const anyway = page.getByRole('button', { name: 'Agree anyway' });
    await anyway.or(dealReached).first().waitFor({ timeout: 20000 });
    if (await anyway.isVisible()) {
      found.push(...(await violations(page, `guard@${width}`)));
      await anyway.click();
    }
    await dealReached.waitFor({ timeout: 20000 });
    found.push(...(await violations(page, `results@${width}`)));

    expect(found).toEqual([]);
    expect(errors).toEqual([]);
  });
});
