import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { violations } from '../support/axe';
import { addTeam } from '../support/harness';
import { launchBrowser, newPage, shot, signIn, Stack } from '../support/browser';

/** The instructor's scenario screen in Chromium, on a phone-sized screen: problems, duplicate, edit, field errors. */
describe('scenario authoring in the browser', () => {
  const stack = new Stack();
  let browser: Browser;

  beforeAll(async () => {
    await addTeam(stack.config, 'prof@uni.edu', { role: 'instructor' });
    const dir = join(stack.config.dataDir, 'scenarios');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'torn.json'), '{"id": "torn"');
    await stack.start();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack.close();
  });

  it('duplicates a built-in, changes its title and a range, saves it, shows a field error for a broken save, and offers the copy for a session', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const { page, errors } = await newPage(context);
    await signIn(page, stack.url, 'prof@uni.edu');
    await page.getByRole('link', { name: 'Scenarios' }).click();
    await page.waitForURL(/#\/scenarios$/);
    await page.getByRole('heading', { name: /cannot be used \(1\)/ }).waitFor();
    await page.getByText('torn.json').waitFor();

    const builtin = page.locator('li[data-scenario="used-car"]');
    await builtin.getByText('Built-in').waitFor();
    await builtin.getByRole('button', { name: /^Duplicate/ }).click();
    await page.waitForURL(/#\/scenarios\/used-car-copy$/);
    await page.getByLabel('Title').fill('Week 4: used car');
    const max = page
      .locator('.issue-edit')
      .first()
      .getByLabel(/maximum$/);
    const before = Number(await max.inputValue());
    await max.fill(String(before + 500));
    expect(await page.locator('#preview-h ~ ul li').first().textContent()).toContain(String(before + 500));
    await page.getByRole('button', { name: 'Save scenario' }).click();
    await page.getByText('Scenario saved.').waitFor();
    const copy = page.locator('li[data-scenario="used-car-copy"]');
    await copy.getByText('Week 4: used car').waitFor();
    await copy.getByText('Authored').waitFor();
    await shot(page, 'scenarios-saved');

    await page.getByLabel('Title').fill('');
    await page.getByRole('button', { name: 'Save scenario' }).click();
    await page.locator('.field-error').first().waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'title' }).count()).toBeGreaterThan(0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await violations(page, 'scenarios@390')).toEqual([]);
    await shot(page, 'scenarios-field-error');

    // the saved copy can be chosen for a new session at once
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('checkbox', { name: 'Week 4: used car' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
