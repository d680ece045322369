import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { violations } from '../support/axe';
import { launchBrowser, newPage, shot, Stack } from '../support/browser';

/**
 * A fresh Parley in the browser: the sign-in page offers setup, the setup code printed at start creates
 * the instructor, who lands on their dashboard signed in; after that sign-in no longer offers setup.
 */
describe('first instructor in the browser', () => {
  const stack = new Stack();
  let browser: Browser;

  beforeAll(async () => {
    await stack.start();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack.close();
  });

  it.each([
    ['phone', 390, 844],
    ['laptop', 1280, 800],
  ])('sign-in → setup with the printed code → the instructor dashboard (%s, %i wide)', async (device, width, height) => {
    const context = await browser.newContext({ viewport: { width, height }, ...(device === 'phone' ? { isMobile: true } : {}) });
    const { page, errors } = await newPage(context);
    await page.goto(`${stack.url}/#/login`);
    if (device === 'laptop') {
      // the phone already set Parley up: sign-in offers nothing more
      await page.getByLabel('E-mail').waitFor();
      await page.waitForTimeout(300);
      expect(await page.getByRole('link', { name: 'Set up Parley' }).count()).toBe(0);
      await page.goto(`${stack.url}/#/setup`);
      await page.getByRole('heading', { name: 'Parley is set up' }).waitFor();
      await context.close();
      return;
    }
    await page.getByRole('link', { name: 'Set up Parley' }).click();
    await page.waitForURL(/#\/setup$/);
    const code = JSON.parse(readFileSync(join(stack.config.dataDir, 'setup', 'code.json'), 'utf8')).code as string;
    await page.getByLabel('Setup code').fill('WRONG-123');
    await page.getByLabel('E-mail').fill('prof@uni.edu');
    await page.getByLabel('Name').fill('Prof. Ada');
    await page.getByLabel('Password').fill('secret12');
    await page.getByRole('button', { name: 'Create instructor account' }).click();
    await page.getByRole('alert').filter({ hasText: 'That setup code is not right' }).waitFor();
    expect(await violations(page, `setup@${width}`)).toEqual([]);
    await shot(page, `setup-${width}`);
    await page.getByLabel('Setup code').fill(code.toLowerCase());
    await page.getByRole('button', { name: 'Create instructor account' }).click();
    await page.waitForURL(/#\/instructor$/);
    expect(errors).toEqual([]);
    await context.close();
  });
});
