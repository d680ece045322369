import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { violations } from '../support/axe';
import { addTeam, http, login } from '../support/harness';
import { newPage, shot, signIn, Stack, SuiteBrowser } from '../support/browser';

/**
 * A class in the browser, on a projector (1280 wide) and on phones (390 wide): the instructor creates a
 * peer role-play session, four students join with its code and are paired; one pair reaches a deal,
 * the other runs out of time. Each student sees their score and feedback; the instructor follows it
 * live, opens the debrief chart and downloads a grade sheet with a row per student.
 */
describe('a class session in the browser', () => {
  const stack = new Stack();
  const browser = new SuiteBrowser();
  const widths = [
    ['projector', 1280, 900],
    ['phone', 390, 844],
  ] as const;
  const students = (width: number) => [1, 2, 3, 4].map((n) => `s${n}w${width}@uni.edu`);

  beforeAll(async () => {
    await addTeam(stack.config, 'prof@uni.edu', { role: 'instructor' });
    // the phone class is made here; the projector's instructor imports theirs on the Accounts screen
    for (const email of students(390)) await addTeam(stack.config, email);
    await stack.start();
    await browser.launch();
  });
  afterAll(async () => {
    await browser.close();
    await stack.close();
  });

  async function open(width: number, height: number, phone: boolean): Promise<{ page: Page; errors: string[] }> {
    return newPage(await browser.device(width, height, phone));
  }

  const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

  /** Agrees to the other side's standing terms, saying yes when asked whether a worse-than-walk-away deal is wanted. */
  async function agree(page: Page, otherName: string): Promise<void> {
    const button = page.getByRole('button', { name: `Agree to ${otherName}'s terms` });
    await page.waitForFunction(
      (name) => {
        const b = Array.from(document.querySelectorAll('button')).find((x) => x.textContent === `Agree to ${name}'s terms`);
        return !!b && !(b as HTMLButtonElement).disabled;
      },
      otherName,
      { timeout: 20000 },
    );
    await button.click();
    const anyway = page.getByRole('button', { name: 'Agree anyway' });
    if (await anyway.isVisible().catch(() => false)) await anyway.click();
  }

  it.each(widths)(
    'runs a peer role-play class on a %s (%i wide): join by code, pairing, a deal and a timeout, scores, live view, debrief, grades',
    async (device, width, height) => {
      const phone = device === 'phone';
      const found: string[] = [];
      const prof = await open(width, height, phone);
      await signIn(prof.page, stack.url, 'prof@uni.edu');

      if (!phone) {
        // the roster in the browser: an import with a bad line adds nobody and names the line; fixed, it adds all four
        const nav = prof.page.getByRole('navigation', { name: 'Main' });
        await nav.getByRole('link', { name: 'Accounts' }).click();
        const importForm = prof.page.locator('form[aria-labelledby="import-h"]');
        const rows = students(width).map((e) => `${e},${e.split('@')[0]},password1`);
        await importForm
          .getByLabel('Or paste the CSV')
          .fill(['email,name,password', rows[0], 'not-an-e-mail,Nobody,password1', ...rows.slice(1)].join('\n'));
        await importForm.getByRole('button', { name: 'Import' }).click();
        await importForm
          .getByRole('alert')
          .getByText(/^Line 3: /)
          .waitFor();
        expect(await prof.page.locator(`.account-list [data-account$="w${width}@uni.edu"]`).count()).toBe(0);
        await importForm.getByLabel('Or paste the CSV').fill(['email,name,password', ...rows].join('\n'));
        await importForm.getByRole('button', { name: 'Import' }).click();
        await importForm.getByRole('status').getByText('Imported 4 accounts.').waitFor();
        await prof.page.locator(`.account-list [data-account$="w${width}@uni.edu"]`).nth(3).waitFor();
        // one more by hand: added, renamed, its password reset, removed
        const add = prof.page.locator('form[aria-labelledby="add-h"]');
        await add.getByLabel('E-mail').fill('visitor@other.edu');
        await add.getByLabel('Name').fill('Visitor');
        await add.getByLabel('Password').fill('password1');
        await add.getByRole('button', { name: 'Add account' }).click();
        const visitor = prof.page.locator('[data-account="visitor@other.edu"]');
        await visitor.waitFor();
        await visitor.getByRole('button', { name: 'Rename Visitor' }).click();
        await visitor.getByLabel('New name for Visitor').fill('Guest Speaker');
        await visitor.getByRole('button', { name: 'Save' }).click();
        await visitor.locator('.account-name', { hasText: 'Guest Speaker' }).waitFor();
        await visitor.getByRole('button', { name: 'Reset password of Guest Speaker' }).click();
        await visitor.getByLabel('New password for Guest Speaker').fill('another-secret-2');
        await visitor.getByRole('button', { name: 'Save' }).click();
        await visitor.getByRole('button', { name: 'Remove Guest Speaker' }).waitFor();
        await expect(login(stack.url, 'visitor@other.edu', 'another-secret-2')).resolves.toMatch(/^ey/);
        found.push(...(await violations(prof.page, `accounts@${width}`)));
        await visitor.getByRole('button', { name: 'Remove Guest Speaker' }).click();
        await visitor.getByRole('button', { name: 'Yes, remove' }).click();
        await visitor.waitFor({ state: 'detached' });
      }

      // the instructor creates the session in the form
      await prof.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click();
      const form = prof.page.getByRole('form', { name: 'New session' });
      await form.getByLabel('Title').fill(`Negotiation class (${device})`);
      await form.getByLabel('Mode').selectOption('peer');
      for (const box of await form.getByRole('checkbox', { name: /^(?!Start round)/ }).all()) await box.uncheck();
      await form.getByRole('checkbox', { name: 'Buying a used car' }).check();
      await form.getByLabel('Round length (minutes)').fill('1');
      await form.getByRole('radio', { name: 'Random' }).check();
      found.push(...(await violations(prof.page, `new-session@${width}`)));
      await form.getByRole('button', { name: 'Create session' }).click();
      await prof.page.waitForURL(/#\/session\/[^/]+$/);
      const sessionId = decodeURIComponent(prof.page.url().split('#/session/')[1]);
      const code = (await prof.page.locator('.join-code').getAttribute('data-code'))!;
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
      // shown big, with the link, for the projector
      const codeBox = await prof.page.locator('.join-code').boundingBox();
      expect(codeBox!.height).toBeGreaterThan(phone ? 40 : 60);
      await prof.page.getByRole('link', { name: new RegExp(`/join/${code}$`) }).waitFor();
      await shot(prof.page, `session-code-${width}`, false);

      // four students sign in and join: two with the code in the lobby, two with the link
      const pages: Record<string, { page: Page; errors: string[] }> = {};
      for (const [i, email] of students(width).entries()) {
        const s = await open(width, height, phone);
        pages[email] = s;
        if (i % 2 === 0) {
          await signIn(s.page, stack.url, email);
          await s.page.getByLabel('Join code').fill(code.toLowerCase());
          await s.page.getByRole('button', { name: 'Join', exact: true }).click();
        } else {
          await s.page.goto(`${stack.url}/join/${code}`);
          await s.page.getByLabel('E-mail').fill(email);
          await s.page.getByLabel('Password').fill('password1');
          await s.page.getByRole('button', { name: 'Sign in' }).click();
        }
        await s.page.waitForURL(/#\/session\/[^/]+$/);
        await s.page.locator('.session-state[data-state="waiting"]').waitFor();
      }
      found.push(...(await violations(pages[students(width)[0]].page, `student-waiting@${width}`)));

      // the live view fills by push: four students waiting
      await prof.page.locator('.live-table tr[data-state="waiting"]').nth(3).waitFor();
      expect(await prof.page.locator('.live-table tbody tr').count()).toBe(4);
      found.push(...(await violations(prof.page, `live-waiting@${width}`)));

      // round 1: everyone is paired and lands in their room, with a countdown
      await prof.page.getByRole('button', { name: 'Start round 1' }).click();
      await prof.page.locator('.live-table tr[data-state="negotiating"]').nth(3).waitFor();
      for (const email of students(width)) {
        const { page } = pages[email];
        await page.locator('.conn-banner', { hasText: 'Connected' }).waitFor();
        await page.locator('.countdown[data-countdown="running"]').waitFor();
        await page.getByRole('heading', { name: 'Terms on the table' }).waitFor();
      }
      const profToken = await login(stack.url, 'prof@uni.edu');
      const view = await http(stack.url, 'GET', `/api/sessions/${encodeURIComponent(sessionId)}`, undefined, profToken);
      const pairs: { a: string; b: string }[] = view.body.rounds.at(-1).pairs;
      const partnerOf = new Map<string, string>(pairs.flatMap((p) => [[p.a, p.b] as [string, string], [p.b, p.a] as [string, string]]));
      const first = students(width)[0];
      const second = partnerOf.get(first)!;
      const others = students(width).filter((e) => e !== first && e !== second);
      expect(students(width)).toContain(second);
      expect(partnerOf.get(others[0])).toBe(others[1]);

      // each student sees only their own brief
      const briefs = await Promise.all(students(width).map((e) => pages[e].page.locator('.brief-slot').textContent()));
      expect(briefs.every((b) => (b ?? '').length > 40)).toBe(true);
      expect(briefs[students(width).indexOf(first)]).not.toBe(briefs[students(width).indexOf(second)]);
      found.push(...(await violations(pages[first].page, `peer-room@${width}`)));
      expect(await noSidewaysScroll(pages[first].page)).toBe(true);

      // the first pair agrees on a price: one proposes, the other agrees, then the proposer agrees back
      const a = pages[first].page;
      const b = pages[second].page;
      await a.getByLabel(/^Price/).fill('8500');
      await a.getByRole('button', { name: 'Propose these terms' }).click();
      await agree(b, first.split('@')[0]);
      await a.locator('.terms-table .status-row td[data-party="them"]', { hasText: 'Agreed' }).waitFor();
      await agree(a, second.split('@')[0]);
      for (const page of [a, b])
        await page.locator('section.results').getByRole('heading', { name: 'Deal reached' }).waitFor({ timeout: 30000 });

      // the other pair says nothing and runs out of time
      for (const email of others) {
        await pages[email].page
          .locator('section.results')
          .getByRole('heading', { name: /^No deal/ })
          .waitFor({ timeout: 90000 });
      }

      // every student sees their four scores and feedback from their own brief
      for (const email of students(width)) {
        const results = pages[email].page.locator('section.results');
        expect(await results.locator('.score').count()).toBe(4);
        expect(await results.locator('[data-score="overall"] .score-value').textContent()).toMatch(/^\d+$/);
        await results.getByRole('heading', { name: 'Feedback' }).waitFor();
        expect((await results.locator('.next-time').textContent())!.length).toBeGreaterThan(20);
      }
      found.push(...(await violations(a, `peer-results@${width}`)));
      await shot(a, `session-student-results-${width}`);

      // the instructor's live view: all done, one deal, one no deal; any room can be watched
      await prof.page.locator('[data-count="deals"]', { hasText: 'Deals: 1' }).waitFor();
      await prof.page.locator('[data-count="no-deals"]', { hasText: 'No deals: 1' }).waitFor();
      await prof.page.locator('.live-table tr[data-state="done"]').nth(3).waitFor();
      found.push(...(await violations(prof.page, `live-done@${width}`)));
      expect(await noSidewaysScroll(prof.page)).toBe(true);

      // the debrief: the deals on the utility plane, a histogram per role, the deal rate; anonymised for the projector
      await prof.page.getByRole('link', { name: 'Open the debrief' }).click();
      const debrief = prof.page.locator('.scenario-debrief');
      await debrief.locator('.deal-rate', { hasText: 'Deal rate: 50%' }).waitFor();
      await prof.page.waitForFunction(() => document.querySelectorAll('.scenario-debrief canvas').length >= 3);
      const drawn = await prof.page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLCanvasElement>('.scenario-debrief canvas')).every((c) => c.width > 0 && c.height > 0),
      );
      expect(drawn).toBe(true);
      expect(await debrief.locator('tbody tr').count()).toBe(2);
      await expect(debrief.locator('tbody').textContent()).resolves.toContain(first.split('@')[0]);
      await prof.page.getByRole('switch', { name: /Anonymise/ }).check();
      await debrief.locator('tbody', { hasText: 'Student 1' }).waitFor();
      expect(await debrief.locator('tbody').textContent()).not.toContain(first.split('@')[0]);
      expect(await debrief.locator('details.brief-card').count()).toBe(2);
      found.push(...(await violations(prof.page, `debrief@${width}`)));
      await shot(prof.page, `session-debrief-${width}`);

      // the grade sheet: a header and one row per student
      await prof.page.getByRole('link', { name: '← Back to the session' }).click();
      const [download] = await Promise.all([
        prof.page.waitForEvent('download'),
        prof.page.getByRole('button', { name: 'Download grades (CSV)' }).click(),
      ]);
      const csv = readFileSync((await download.path())!, 'utf8')
        .trim()
        .split(/\r?\n/);
      expect(csv).toHaveLength(5);
      expect(csv[0]).toMatch(/^name,email,role,scenario/);
      for (const email of students(width)) expect(csv.filter((line) => line.includes(email))).toHaveLength(1);

      expect(found).toEqual([]);
      expect([prof, ...Object.values(pages)].flatMap((p) => p.errors)).toEqual([]);
    },
    300_000,
  );
});
