import { violations } from '../support/axe';
import { addTeam, createSession, http, login } from '../support/harness';
import { newPage, shot, signIn, Stack, SuiteBrowser } from '../support/browser';

/**
 * Pairing by hand on the session page: the instructor of a "by hand" peer session picks a buyer and a
 * seller for each pair, swaps a pair's roles, removes one, sees who is left over (one student: the AI),
 * and starts the round; the live view and the round on the server have exactly those pairs.
 */
describe('pairing a class by hand in the browser', () => {
  const stack = new Stack();
  const browser = new SuiteBrowser();
  const names = ['Ann Archer', 'Bo Berg', 'Cy Chen', 'Di Diaz', 'Ed Eze'];
  const emailOf = (name: string) => `${name.split(' ')[0].toLowerCase()}@uni.edu`;

  beforeAll(async () => {
    await addTeam(stack.config, 'prof@uni.edu', { role: 'instructor' });
    for (const name of names) await addTeam(stack.config, emailOf(name), { name });
    await stack.start();
    await browser.launch();
  });
  afterAll(async () => {
    await browser.close();
    await stack.close();
  });

  it.each([
    ['projector', 1280, 900],
    ['phone', 390, 844],
  ] as const)('pairs five students by hand on a %s (%i wide), the odd one with the AI', async (device, width, height) => {
    const prof = await login(stack.url, 'prof@uni.edu');
    const session = await createSession(stack.url, prof, { title: `By hand (${device})`, round_seconds: 600, pairing: 'manual' });
    for (const name of names) {
      const joined = await http(stack.url, 'POST', '/api/sessions/join', { code: session.code }, await login(stack.url, emailOf(name)));
      expect(joined.status).toBe(200);
    }

    const { page, errors } = await newPage(await browser.device(width, height));
    await signIn(page, stack.url, 'prof@uni.edu');
    await page.goto(`${stack.url}/#/session/${session.id}`);
    const panel = page.getByRole('group', { name: 'Pairs for round 1' });
    await panel.getByText('5 students are not paired yet').waitFor();
    // a session paired by hand does not start without pairs
    await panel.getByText('Without any pair, the round will not start: add at least one pair.').waitFor();
    expect(await page.getByRole('button', { name: 'Start round 1' }).isDisabled()).toBe(true);
    // the roles are the scenario's own words
    const buyer = panel.getByLabel('The buyer');
    const seller = panel.getByLabel('The seller');
    const add = panel.getByRole('button', { name: 'Add pair' });

    // nothing chosen, or one student twice: a clear error, no pair
    await add.click();
    await panel.getByRole('alert').getByText('Choose a student for each role: the buyer and the seller.').waitFor();
    await buyer.selectOption({ label: 'Ann Archer' });
    await seller.selectOption({ label: 'Ann Archer' });
    await add.click();
    await panel.getByRole('alert').getByText('Ann Archer cannot negotiate with themselves').waitFor();
    expect(await panel.locator('.pair-list li').count()).toBe(0);

    // Ann buys from Bo; Cy and Di are paired, then swapped; Ed is left over and meets the AI
    await seller.selectOption({ label: 'Bo Berg' });
    await add.click();
    await buyer.selectOption({ label: 'Cy Chen' });
    await seller.selectOption({ label: 'Di Diaz' });
    await add.click();
    const pairs = panel.getByRole('list', { name: 'Pairs for the next round' });
    await pairs.getByText(/Cy Chen \(buyer\) with Di Diaz \(seller\)/).waitFor();
    expect(await panel.locator('.form-error').textContent()).toBe('');
    // a paired student is no longer offered
    expect(await buyer.locator('option', { hasText: 'Ann Archer' }).count()).toBe(0);
    await pairs.getByRole('button', { name: 'Swap roles of Cy Chen and Di Diaz' }).click();
    await pairs.getByText(/Di Diaz \(buyer\) with Cy Chen \(seller\)/).waitFor();
    // a pair added by mistake is removed again
    await buyer.selectOption({ label: 'Ed Eze' });
    await seller.selectOption({ label: 'The AI' });
    await add.click();
    await pairs.getByRole('button', { name: 'Remove the pair Ed Eze and the AI' }).click();
    await panel.getByText('Ed Eze is not paired: they will negotiate with the AI (as the buyer).').waitFor();
    expect(await pairs.locator('li').count()).toBe(2);
    expect(await violations(page, `hand-pairing@${width}`)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await shot(page, `hand-pairing-${width}`);

    await page.getByRole('button', { name: 'Start round 1 with 2 pairs by hand' }).click();
    await page.locator('.live-table tr[data-state="negotiating"]').nth(4).waitFor();
    const row = (name: string) => page.locator(`.live-table tr[data-member="${emailOf(name)}"]`);
    for (const [name, role, partner] of [
      ['Ann Archer', 'buyer', 'Bo Berg'],
      ['Bo Berg', 'seller', 'Ann Archer'],
      ['Di Diaz', 'buyer', 'Cy Chen'],
      ['Cy Chen', 'seller', 'Di Diaz'],
      ['Ed Eze', 'buyer', 'AI'],
    ])
      expect((await row(name).locator('td').allTextContents()).slice(2, 4)).toEqual([role, partner]);
    const round = (await http(stack.url, 'GET', `/api/sessions/${session.id}`, undefined, prof)).body.rounds[0];
    expect(round.pairs.map((p: { a: string; b: string }) => [p.a, p.b])).toEqual([
      [emailOf('Ann Archer'), emailOf('Bo Berg')],
      [emailOf('Di Diaz'), emailOf('Cy Chen')],
      [emailOf('Ed Eze'), 'ai'],
    ]);
    // while the round runs there is nothing to pair
    expect(await panel.count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
