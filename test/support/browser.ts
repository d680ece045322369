import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, Browser, BrowserContext, Page } from 'playwright-core';
import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { createAiWorker, RunningAiWorker } from '../../apps/ai-worker/src/ai-worker';
import { createAgreementWorker, RunningAgreementWorker } from '../../apps/agreement-worker/src/agreement-worker';
import { testConfig } from './env';

export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

export type TestConfig = ReturnType<typeof testConfig>;

/** The real services in this process: a gateway (restartable on the same port) and both workers. */
export class Stack {
  gateway!: RunningGateway;
  ai!: RunningAiWorker;
  agreement!: RunningAgreementWorker;
  readonly config: TestConfig;

  constructor(overrides: Record<string, string> = {}) {
    this.config = testConfig({ MESSAGES_PER_MINUTE: '200', LOGIN_ATTEMPTS_PER_15_MIN: '50', ...overrides });
  }

  get url(): string {
    return this.gateway.url;
  }

  async start(): Promise<this> {
    this.gateway = await createGateway(this.config);
    this.ai = await createAiWorker(this.config, { handleSignals: false });
    this.agreement = await createAgreementWorker(this.config, { handleSignals: false, schedule: false });
    return this;
  }

  async stopGateway(): Promise<number> {
    const port = this.gateway.port;
    await this.gateway.close();
    return port;
  }

  async startGateway(port: number): Promise<void> {
    this.gateway = await createGateway({ ...this.config, port });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.gateway?.close(), this.ai?.close(), this.agreement?.close()]);
    this.config.cleanup();
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A suite's one Chromium and every context its tests open in it, so that `close()` shuts them all. */
export class SuiteBrowser {
  private browser?: Browser;
  private readonly contexts: BrowserContext[] = [];

  async launch(): Promise<void> {
    this.browser = await launchBrowser();
  }

  async context(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
    if (!this.browser) throw new Error('SuiteBrowser: launch() before opening a context');
    const context = await this.browser.newContext(options);
    this.contexts.push(context);
    return context;
  }

  /** A context of that size; a phone is a touch device. */
  device(width: number, height: number, phone = false): Promise<BrowserContext> {
    return this.context({ viewport: { width, height }, ...(phone ? { isMobile: true, hasTouch: true } : {}) });
  }

  async close(): Promise<void> {
    for (const c of this.contexts) await c.close().catch(() => undefined);
    await this.browser?.close();
  }
}

/** A page that fails the test on any uncaught page error, and records dialogs. */
export async function newPage(context: BrowserContext): Promise<{ page: Page; dialogs: string[]; errors: string[] }> {
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, dialogs, errors };
}

/** Signs in through the form, the way a student does. */
export async function signIn(page: Page, baseUrl: string, email: string, password = 'password1'): Promise<void> {
  await page.goto(`${baseUrl}/#/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/#\/(lobby|instructor)$/);
}

export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}
