import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { violations } from '../support/axe';
import { addTeam, http, login } from '../support/harness';
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

  it('creates a scenario from blank with two issues, removes one, fixes the priorities and limits the form points at, and lists it', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const { page, errors } = await newPage(context);
    await signIn(page, stack.url, 'prof@uni.edu');
    await page.getByRole('link', { name: 'Scenarios' }).click();
    await page.getByRole('button', { name: 'New scenario from blank' }).click();
    await page.getByRole('heading', { name: 'New scenario' }).waitFor();
    const form = page.getByRole('form', { name: 'New scenario' });
    const field = (label: string) => form.getByLabel(label, { exact: true });
    /** The message under one field (the control is described by it). */
    const errorOf = async (label: string) => {
      const ids = ((await field(label).getAttribute('aria-describedby')) ?? '').split(' ').filter((x) => x.endsWith('-error'));
      return ids.length ? form.locator(`[id="${ids[0]}"]`).textContent() : null;
    };
    const create = form.getByRole('button', { name: 'Create scenario' });

    // saved empty, every field says what is missing, under the field
    await create.click();
    await form.locator('.field-error').first().waitFor();
    expect(await errorOf('Title')).toBe('give the scenario a title');
    expect(await errorOf("Student's brief")).toBe("write the student's brief");
    expect(await errorOf('Issue 1 label')).toBe('give the issue a label');
    expect(await field('Title').getAttribute('aria-invalid')).toBe('true');

    await field('Id').fill('salary-talk');
    await field('Title').fill('Salary talk');
    await field('Summary').fill('A candidate and an employer agree on a salary and a signing bonus.');
    await field("Student's role").fill('candidate');
    await field("Counterpart's role").fill('employer');
    await field("Student's brief").fill('You have an offer elsewhere at $60,000. Get the best package you can.');
    await field('Persona').fill('Jo, the hiring manager, friendly but careful with the budget.');
    const fillIssue = async (n: number, values: Record<string, string>) => {
      for (const [label, value] of Object.entries(values)) await field(`Issue ${n}${label}`).fill(value);
    };
    await fillIssue(1, {
      ' name': 'salary',
      ' label': 'Salary',
      ' unit': 'USD',
      ' minimum': '50000',
      ' maximum': '90000',
      ": student's priority (weight 0–1)": '0.7',
      ": student's best value": '90000',
      ": student's worst value": '50000',
      ": counterpart's priority (weight 0–1)": '0.7',
      ": counterpart's best value": '50000',
      ": counterpart's worst value": '90000',
      ": counterpart's limit": '80000',
    });
    await form.getByRole('button', { name: 'Add an issue' }).click();
    await fillIssue(2, { ' name': 'bonus', ' label': 'Signing bonus', ' minimum': '0', ' maximum': '10000' });
    await fillIssue(2, { ": student's priority (weight 0–1)": '0.3', ": counterpart's priority (weight 0–1)": '0.3' });
    expect(await form.locator('fieldset.issue-edit').count()).toBe(2);
    expect(await page.locator('#preview-h ~ ul li').allTextContents()).toEqual(['Salary: 50000 – 90000 USD', 'Signing bonus: 0 – 10000 ']);

    // the bonus goes again; the priorities left do not add up, and a limit outside the range is refused
    await form.getByRole('button', { name: 'Remove issue 2 (Signing bonus)' }).click();
    expect(await form.locator('fieldset.issue-edit').count()).toBe(1);
    await field("Issue 1: student's limit").fill('95000');
    await create.click();
    await form.getByText("Student's priorities: weights must sum to 1 (they sum to 0.7)").waitFor();
    expect(await errorOf("Issue 1: student's limit")).toBe('limit 95000 is outside the issue range 50000..90000');
    await field("Issue 1: student's priority (weight 0–1)").fill('1');
    await field("Issue 1: counterpart's priority (weight 0–1)").fill('1');
    await field("Issue 1: student's limit").fill('60000');
    expect(await violations(page, 'scenario-new@390')).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await create.click();
    await page.getByText('Scenario salary-talk created.').waitFor();
    await page.waitForURL(/#\/scenarios\/salary-talk$/);
    const listed = page.locator('li[data-scenario="salary-talk"]');
    await listed.getByText('Salary talk').waitFor();
    await listed.getByText('Authored').waitFor();
    await shot(page, 'scenario-new-saved');

    const saved = (await http(stack.url, 'GET', '/api/scenarios/salary-talk/full', undefined, await login(stack.url, 'prof@uni.edu'))).body
      .scenario;
    expect(saved.issues).toEqual([{ name: 'salary', label: 'Salary', unit: 'USD', min: 50000, max: 90000 }]);
    expect(saved.student_private.prefs).toEqual({ salary: { weight: 1, best: 90000, worst: 50000, limit: 60000 } });
    expect(saved.ai_private.prefs).toEqual({ salary: { weight: 1, best: 50000, worst: 90000, limit: 80000 } });
    expect(errors).toEqual([]);
    await context.close();
  });
});
