import type { Page } from 'playwright-core';
import { violations } from '../support/axe';
import { addTeam } from '../support/harness';
import { newPage, shot, signIn, Stack, SuiteBrowser } from '../support/browser';

/**
 * A whole AI practice with the keyboard only (Tab, Shift+Tab, Enter, Space and typing; no click), on a
 * laptop and a phone: the room's layout keeps the message box and the terms in reach, the offer inputs
 * start empty, new offers are announced, and an instructor watching sees who is who.
 */
interface Focused {
  name: string;
  ring: boolean;
  tag: string;
}

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { name: '', ring: false, tag: 'body' };
    const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
    const style = getComputedStyle(el);
    return {
      name: (el.getAttribute('aria-label') ?? label ?? el.textContent ?? '').trim(),
      ring: style.boxShadow !== 'none' || style.outlineStyle !== 'none',
      tag: el.tagName.toLowerCase(),
    };
  });
}

/** Tabs forward (or back) until the focused control's name matches; its focus must be visible. */
async function tabTo(page: Page, name: RegExp, { back = false, max = 150 } = {}): Promise<void> {
  for (let i = 0; i <= max; i++) {
    const f = await focused(page);
    if (f.tag !== 'body' && name.test(f.name)) {
      expect({ name: f.name, ring: f.ring }).toEqual({ name: f.name, ring: true });
      return;
    }
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`no control named ${name} within ${max} presses of Tab`);
}

const inViewport = (page: Page, selector: string) =>
  page.evaluate((sel) => {
    const r = document.querySelector(sel)!.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  }, selector);

describe('keyboard-only practice and room layout', () => {
  const stack = new Stack();
  const browser = new SuiteBrowser();
  const practices: Record<string, string> = {};

  beforeAll(async () => {
    for (const u of ['kim', 'lee']) await addTeam(stack.config, `${u}@uni.edu`);
    await addTeam(stack.config, 'watcher@uni.edu', { role: 'instructor' });
    await stack.start();
    await browser.launch();
  });
  afterAll(async () => {
    await browser.close();
    await stack.close();
  });

  const device = (width: number, height: number) => browser.device(width, height, width < 700);

  it.each([
    ['laptop', 1280, 800, 'kim@uni.edu'],
    ['phone', 390, 844, 'lee@uni.edu'],
  ])('on a %s (%i wide): sign in, chat, propose, agree and see the results by keyboard', async (_d, width, height, email) => {
    const { page, errors } = await newPage(await device(width, height));
    const found: string[] = [];
    const phone = width < 700;

    await page.goto(`${stack.url}/#/login`);
    await page.getByLabel('E-mail').waitFor();
    await tabTo(page, /^E-mail/);
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('password1');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/lobby$/);

    await page.getByRole('button', { name: /^Start practice: Job offer/ }).waitFor();
    await tabTo(page, /^Start practice: Job offer/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/room\/[0-9a-f-]{36}$/);
    practices[email] = decodeURIComponent(page.url().split('#/room/')[1]!);
    await page.locator('.conn-banner', { hasText: 'Connected' }).waitFor();
    await page.locator('.offer-panel .issue-inputs input').first().waitFor();

    // the brief is open on a laptop and still the message box is on screen, not below the fold
    if (!phone) {
      expect(await page.locator('details.brief').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
      const layout = await page.evaluate(() =>
        ['.room-head', '.chat h2', '.chat-log', '.typing', '.composer textarea', '.composer button'].map((sel) => {
          const r = document.querySelector(sel)!.getBoundingClientRect();
          return `${sel} ${Math.round(r.top)}-${Math.round(r.bottom)}`;
        }),
      );
      expect([...layout, await inViewport(page, '.composer button')].join(' ')).toMatch(/true$/);
    }
    // the Shift+Enter hint only where there is a hardware keyboard
    const placeholder = await page.getByLabel('Message', { exact: true }).getAttribute('placeholder');
    if (phone) expect(placeholder).not.toContain('Shift');
    else expect(placeholder).toContain('Shift+Enter');
    const inputValues = () =>
      page.locator('.offer-panel .issue-inputs input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect((await inputValues()).every((v) => v === '')).toBe(true);

    await tabTo(page, /^Message$/);
    await page.keyboard.type('Hello Jordan, thanks for the offer. I am looking for a salary of 118000 and 4 remote days.');
    await page.keyboard.press('Enter');
    await page.locator('.chat-log .msg.ai').first().waitFor({ timeout: 20000 });
    await page.waitForFunction(() => {
      const b = Array.from(document.querySelectorAll('button')).find((x) => x.textContent === "Agree to AI's terms");
      return b && !(b as HTMLButtonElement).disabled;
    });
    // the AI's terms are in the table for reference, never copied into my inputs
    expect(await page.locator('.terms-table td[data-party="them"]').first().textContent()).not.toBe('—');
    expect((await inputValues()).every((v) => v === '')).toBe(true);
    // new messages and offers are announced politely
    expect(await page.locator('.chat-log').getAttribute('aria-live')).toBe('polite');
    await expect(page.locator('.offer-panel [role="status"]').textContent()).resolves.toMatch(/^AI proposed: /);
    found.push(...(await violations(page, `room@${width}`)));

    // on a phone the terms are one key press away, not a scroll through the whole chat; the AI's terms came
    // while the chat was shown, so the Terms button says so until the terms are opened
    if (phone) {
      const badge = page.locator('.room-jump .jump-badge');
      await badge.waitFor();
      expect(await badge.isVisible()).toBe(true);
      await shot(page, `keyboard-new-offer-${width}`, false);
      expect(
        await page
          .getByRole('navigation', { name: 'Room sections' })
          .getByRole('button', { name: /^Terms\W+new offer$/ })
          .count(),
      ).toBe(1);
      await tabTo(page, /^Terms, new offer$/, { back: true });
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => {
        const r = document.querySelector('.offer-panel h2')!.getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight / 2;
      });
      expect(await inViewport(page, '.offer-panel h2')).toBe(true);
      await badge.waitFor({ state: 'detached' });
      expect(await page.getByRole('button', { name: 'Terms', exact: true }).count()).toBe(1);
      await shot(page, `keyboard-terms-${width}`, false);
    }

    // my own terms, typed field by field, proposed with Space
    const first = await page.locator('.offer-panel .issue-inputs input').first().getAttribute('id');
    await tabTo(page, new RegExp(`^${(await page.locator(`label[for="${first}"]`).textContent())!.replace(/[()]/g, '.')}$`));
    for (let i = 0; i < 20; i++) {
      const f = await focused(page);
      if (f.tag === 'button') break;
      const min = await page.evaluate(() => (document.activeElement as HTMLInputElement).min);
      await page.keyboard.type(min);
      await page.keyboard.press('Tab');
    }
    const aiLines = await page.locator('.chat-log .msg.ai').count();
    await tabTo(page, /^Propose these terms$/);
    await page.keyboard.press('Space');
    await page.locator('.terms-table td[data-party="me"]').first().filter({ hasNotText: '—' }).waitFor();
    // the AI answers the proposal (a counter, or it takes it); agree to what it says then, not to what it said before
    await page.locator('.chat-log .msg.ai').nth(aiLines).waitFor({ timeout: 20000 });
    await page.locator('.offer-panel [role="status"]', { hasText: /^AI\b/ }).waitFor({ timeout: 20000 });

    await tabTo(page, /^Agree to AI's terms$/);
    await page.keyboard.press('Space');
    // the AI's terms may be worse than the walk-away: the question takes focus, "Agree anyway" is one Shift+Tab back
    const guard = page.getByRole('alertdialog');
    await Promise.race([guard.waitFor(), page.locator('section.results h2').waitFor({ timeout: 20000 })]);
    if (await guard.isVisible()) {
      await tabTo(page, /^Agree anyway$/, { back: true });
      await page.keyboard.press('Enter');
    }
    await page.locator('section.results').getByRole('heading', { name: 'Deal reached' }).waitFor({ timeout: 20000 });
    await shot(page, `keyboard-results-${width}`, false);
    found.push(...(await violations(page, `results@${width}`)));
    expect(found).toEqual([]);
    expect(errors).toEqual([]);
  });

  it.each([
    ['laptop', 1280, 800],
    ['phone', 390, 844],
  ])('an instructor on a %s (%i wide) watching a practice sees who is who and goes back to the dashboard', async (_d, width, height) => {
    const negotiationId = practices['kim@uni.edu'];
    expect(negotiationId).toBeDefined();
    const { page, errors } = await newPage(await device(width, height));
    const found: string[] = [];
    // the queue dashboard without its sign-in: a page to read with a way to sign in, not raw JSON
    const refused = await page.goto(`${stack.url}/admin/queues`);
    expect(refused!.status()).toBe(401);
    await page.getByRole('heading', { name: 'The queue dashboard is for instructors' }).waitFor();
    expect(await page.getByRole('link', { name: 'Sign in to Parley' }).getAttribute('href')).toBe('/#/login');
    found.push(...(await violations(page, `queues-refused@${width}`)));
    await signIn(page, stack.url, 'watcher@uni.edu');
    await page.waitForURL(/#\/instructor$/);
    await page.locator('#done-h + div tbody tr').first().waitFor();

    // the dashboard's tables scroll sideways inside a focusable region, with a hint where they overflow
    const regions = await page.locator('.table-scroll').evaluateAll((els) =>
      els.map((e) => ({
        tabindex: e.getAttribute('tabindex'),
        overflows: e.scrollWidth > e.clientWidth,
        hint: getComputedStyle(e.nextElementSibling!).display !== 'none',
      })),
    );
    expect(regions.length).toBeGreaterThan(0);
    for (const r of regions) {
      expect(r.tabindex).toBe('0');
      if (r.overflows) expect(r.hint).toBe(true);
    }
    if (width < 700) expect(regions.some((r) => r.overflows)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    found.push(...(await violations(page, `dashboard@${width}`)));
    await shot(page, `keyboard-dashboard-${width}`);

    await page.goto(`${stack.url}/#/room/${encodeURIComponent(negotiationId!)}`);
    await page.locator('.chat-log .msg').first().waitFor();
    const sub = (await page.locator('.room-sub').textContent())!;
    const roles = /^Watching: kim \(([^)]+)\) and the AI \(([^)]+)\)/.exec(sub);
    expect(roles).not.toBeNull();
    expect(roles![1]).not.toBe(roles![2]);
    expect(sub).not.toContain('You are');
    expect(await page.locator('details.brief summary').textContent()).toBe(`Brief of kim (${roles![1]})`);
    found.push(...(await violations(page, `watch@${width}`)));

    await page.getByRole('link', { name: '← Dashboard' }).press('Enter');
    await page.waitForURL(/#\/instructor$/);
    expect(found).toEqual([]);
    expect(errors).toEqual([]);
  });
});
