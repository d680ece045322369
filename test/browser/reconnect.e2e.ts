import type { Browser, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { DataPaths, MessageLog, NegotiationStore } from '@parley/store';
import { addTeam, connect, emitAck, http, login, sleep } from '../support/harness';
import { launchBrowser, newPage, shot, signIn, Stack } from '../support/browser';

/**
 * The page's gateway is stopped mid-negotiation and started again on the same port. The other team
 * keeps talking through a second gateway replica meanwhile (and after the restart); the page must show
 * the reconnecting banner, come back by itself, and show every message exactly once, including the one
 * its user typed while it was down.
 */
describe('web client: gateway restart mid-negotiation', () => {
  const stack = new Stack();
  let browser: Browser;
  let replica: RunningGateway | null = null;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    await addTeam(stack.config, 'gina@uni.edu');
    await addTeam(stack.config, 'hank@uni.edu');
    await stack.start();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await browser?.close();
    await replica?.close();
    await stack.close();
  });

  const lines = (page: Page, text: string) => page.locator('.chat-log .msg .content', { hasText: new RegExp(`^${text}$`) });

  it('shows the reconnecting banner, reconnects, and shows every message exactly once', async () => {
    const gina = await login(stack.url, 'gina@uni.edu');
    const hank = await login(stack.url, 'hank@uni.edu');
    const order = await http(stack.url, 'POST', '/api/orders', { side: 'sell', chemical: 'D', price: 7, quantity: 40 }, gina);
    const opened = await http(stack.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, hank);
    const id = opened.body.negotiation_id as string;

    // hank talks through a second gateway replica, which stays up while the page's gateway restarts
    replica = await createGateway(stack.config);
    const hankSocket = await connect(replica.url, hank);
    sockets.push(hankSocket);
    expect((await emitAck(hankSocket, 'join-negotiation', { negotiation_id: id })).ok).toBe(true);
    let n = 0;
    const say = async (content: string) => {
      n += 1;
      const ack = await emitAck(hankSocket, 'send-message', { negotiation_id: id, content, type: 'user', client_message_id: `hank-${n}` });
      expect(ack.ok).toBe(true);
    };

    const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const { page, errors } = await newPage(ctx);
    await signIn(page, stack.url, 'gina@uni.edu');
    await page.goto(`${stack.url}/#/room/${encodeURIComponent(id)}`);
    const banner = page.locator('.conn-banner');
    await banner.filter({ hasText: 'Connected' }).waitFor();
    await say('before the restart');
    await lines(page, 'before the restart').waitFor();
    const message = page.getByLabel('Message', { exact: true });
    await message.fill('gina online');
    await message.press('Enter');
    await lines(page, 'gina online').waitFor();

    // stop the page's gateway
    const port = await stack.stopGateway();
    await banner.filter({ hasText: 'Reconnecting' }).waitFor({ timeout: 10000 });

    // while it is down: hank keeps talking (the page cannot receive it live), more than the 50 lines a
    // join returns, so only sync-messages after the last seq the page saw can fill the gap
    const away = Array.from({ length: 60 }, (_, i) => `while you were away ${i + 1}`);
    for (const text of away) await say(text);
    await message.fill('gina typed while offline');
    await message.press('Enter');
    await page.locator('.outbox .msg', { hasText: 'gina typed while offline' }).waitFor();
    expect(await page.locator('.outbox .status').textContent()).toMatch(/Waiting for the connection/);
    await shot(page, 'room-reconnecting');

    // the same port again; hank sends more right after the restart
    await stack.startGateway(port);
    await say('after the restart');
    await banner.filter({ hasText: 'Connected' }).waitFor({ timeout: 20000 });

    const expected = ['before the restart', 'gina online', ...away, 'gina typed while offline', 'after the restart'];
    for (const text of expected) await lines(page, text).first().waitFor({ timeout: 10000 });
    await page.locator('.outbox .msg').waitFor({ state: 'detached' });
    await sleep(500); // anything duplicated late would show by now
    const shown = await page.locator('.chat-log .msg .content').allTextContents();
    for (const text of expected) expect(shown.filter((t) => t === text)).toHaveLength(1);
    expect(shown).toHaveLength(expected.length);

    // in seq order, with no seq twice
    const seqs = await page
      .locator('.chat-log .msg[data-seq]')
      .evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.seq)));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);

    // and on disk: the queued message was saved once, though it may have been sent twice
    const located = await new NegotiationStore(new DataPaths(stack.config.dataDir)).locate('gina@uni.edu', id);
    const saved = (await new MessageLog().readAll(located!.dir)).filter((m) => m.content === 'gina typed while offline');
    expect(saved).toHaveLength(1);

    // the page still works after the restart: a live message both ways
    await say('still there?');
    await lines(page, 'still there\\?').waitFor();
    await message.fill('yes');
    await message.press('Enter');
    await lines(page, 'yes').waitFor();
    await shot(page, 'room-after-restart');
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
