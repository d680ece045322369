import type { Page } from 'playwright-core';
import { addTeam } from '../support/harness';
import { newPage, signIn, Stack, SuiteBrowser } from '../support/browser';

/**
 * The free trading board in two lobbies, without a reload: a team's new order appears on the other
 * team's board (a phone, 390 wide) as it is posted, leaves it when withdrawn, and leaves the poster's
 * board when the other team takes it. Teams read each other by name, never by e-mail or prefix.
 */
describe('the order board pushed to other teams in the browser', () => {
  const stack = new Stack();
  const browser = new SuiteBrowser();

  beforeAll(async () => {
    await addTeam(stack.config, 'alice@uni.edu', { name: 'Alice Smith' });
    await addTeam(stack.config, 'bob@uni.edu', { name: 'Bob Jones' });
    await stack.start();
    await browser.launch();
  });
  afterAll(async () => {
    await browser.close();
    await stack.close();
  });

  async function lobby(email: string, width: number, height: number): Promise<{ page: Page; errors: string[] }> {
    const opened = await newPage(await browser.device(width, height, width < 500));
    await signIn(opened.page, stack.url, email);
    // a marker that a reload would wipe
    await opened.page.evaluate(() => ((window as unknown as { unreloaded: boolean }).unreloaded = true));
    return opened;
  }
  const post = async (page: Page, side: string, chemical: string, price: string, quantity: string) => {
    const form = page.getByRole('form', { name: 'Post an order' });
    await form.getByLabel('Side').selectOption(side);
    await form.getByLabel('Chemical').selectOption(chemical);
    await form.getByLabel('Price per unit').fill(price);
    await form.getByLabel('Quantity').fill(quantity);
    await form.getByRole('button', { name: /^Post/ }).click();
  };

  it('shows a new order to the other team at once, and takes withdrawn and taken orders off both boards', async () => {
    const alice = await lobby('alice@uni.edu', 1280, 900);
    const bob = await lobby('bob@uni.edu', 390, 844);
    await bob.page.getByText('No open orders.').waitFor();

    await post(alice.page, 'sell', 'D', '3.25', '40');
    const onBob = bob.page.locator('tr[data-order]', { hasText: 'Sells D' });
    await onBob.waitFor({ timeout: 3000 });
    expect(await onBob.innerText()).toMatch(/3\.25[\s\S]*40[\s\S]*Alice Smith/);

    await post(alice.page, 'buy', 'Q', '1.5', '10');
    const buyOnBob = bob.page.locator('tr[data-order]', { hasText: 'Buys Q' });
    await buyOnBob.waitFor({ timeout: 3000 });
    await alice.page.getByRole('button', { name: 'Cancel my buy order for 10 Q' }).click();
    await buyOnBob.waitFor({ state: 'detached', timeout: 3000 });

    // bob takes the D order: it leaves alice's board too
    await onBob.getByRole('button', { name: /^Accept as posted/ }).click();
    await alice.page.locator('tr[data-order]', { hasText: 'Sells D' }).waitFor({ state: 'detached', timeout: 3000 });
    await bob.page.getByText('No open orders.').waitFor();
    for (const { page } of [alice, bob])
      expect(await page.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);

    // settled: each team's transactions name the other team
    await bob.page
      .locator('table.transactions tbody tr', { hasText: 'Bought D' })
      .filter({ hasText: 'Alice Smith' })
      .waitFor({ timeout: 20000 });
    await alice.page
      .locator('table.transactions tbody tr', { hasText: 'Sold D' })
      .filter({ hasText: 'Bob Jones' })
      .waitFor({ timeout: 20000 });

    // bob negotiates on alice's next order and walks away: alice's lobby and room say who, by name
    await post(alice.page, 'sell', 'N', '2', '5');
    await bob.page.getByRole('button', { name: /^Negotiate with Alice Smith: sell 5 N/ }).click();
    await bob.page.locator('.room[data-phase="joined"]').waitFor();
    await bob.page.getByRole('button', { name: 'Walk away…' }).click();
    await bob.page.getByRole('button', { name: 'Yes, end without a deal' }).click();
    await bob.page.locator('section.results .reason', { hasText: 'You walked away' }).waitFor({ timeout: 20000 });
    await alice.page.getByRole('link', { name: 'Sell N to Bob Jones' }).click();
    expect(await alice.page.locator('section.results .reason').textContent({ timeout: 20000 })).toBe('Bob Jones walked away');
    for (const { page } of [alice, bob]) expect(await page.locator('body').innerText()).not.toMatch(/@uni\.edu/);
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });
});
