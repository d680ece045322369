import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { createAgreementWorker, RunningAgreementWorker } from '../../apps/agreement-worker/src/agreement-worker';
import { testConfig } from './env';
import { addTeam, connect, login } from './harness';

/**
 * What the trading and market end-to-end tests stand on: their own DATA_DIR and Redis prefix, the teams
 * (and instructors) added and signed in, a gateway and an agreement worker in this process, and the
 * sockets a test opens, all closed by `close()`.
 */
export class TradingStack {
  readonly config: ReturnType<typeof testConfig>;
  gw!: RunningGateway;
  worker!: RunningAgreementWorker;
  /** Bearer token by e-mail, teams and instructors alike. */
  readonly token: Record<string, string> = {};
  private readonly sockets: Socket[] = [];

  constructor(overrides: Record<string, string> = {}) {
    this.config = testConfig(overrides);
  }

  get url(): string {
    return this.gw.url;
  }

  async start(teams: string[], options: { instructors?: string[] } = {}): Promise<this> {
    for (const email of teams) await addTeam(this.config, email);
    for (const email of options.instructors ?? []) await addTeam(this.config, email, { role: 'instructor' });
    this.gw = await createGateway(this.config);
    this.worker = await createAgreementWorker(this.config, { handleSignals: false });
    for (const email of [...teams, ...(options.instructors ?? [])]) this.token[email] = await login(this.gw.url, email);
    return this;
  }

  /** A socket signed in as the team, closed with the stack. */
  async socket(email: string): Promise<Socket> {
    const socket = await connect(this.gw.url, this.token[email]);
    this.sockets.push(socket);
    return socket;
  }

  async close(): Promise<void> {
    this.sockets.forEach((s) => s.close());
    await Promise.all([this.gw?.close(), this.worker?.close()]);
    this.config.cleanup();
  }
}
