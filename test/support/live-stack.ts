import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { createAiWorker, RunningAiWorker } from '../../apps/ai-worker/src/ai-worker';
import { createAgreementWorker, RunningAgreementWorker } from '../../apps/agreement-worker/src/agreement-worker';
import { testConfig } from './env';
import { addTeam, connect, login } from './harness';

/**
 * What the end-to-end tests of trading, markets and AI practice stand on: their own DATA_DIR and Redis
 * prefix, the teams (and instructors) added and signed in, a gateway, an agreement worker (and with
 * `ai`, an AI worker) in this process, and the sockets a test opens, all closed by `close()`.
 */
export class LiveStack {
  readonly config: ReturnType<typeof testConfig>;
  gw!: RunningGateway;
  worker!: RunningAgreementWorker;
  ai?: RunningAiWorker;
  /** Bearer token by e-mail, teams and instructors alike. */
  readonly token: Record<string, string> = {};
  /** Closed with the stack: push the sockets a test opens itself. */
  readonly sockets: Socket[] = [];

  constructor(overrides: Record<string, string> = {}) {
    this.config = testConfig(overrides);
  }

  get url(): string {
    return this.gw.url;
  }

  /** `names`: display names by e-mail (default: the e-mail's local part). */
  async start(teams: string[], options: { instructors?: string[]; ai?: boolean; names?: Record<string, string> } = {}): Promise<this> {
    for (const email of teams) await addTeam(this.config, email, { name: options.names?.[email] });
    for (const email of options.instructors ?? []) await addTeam(this.config, email, { role: 'instructor' });
    this.gw = await createGateway(this.config);
    if (options.ai) this.ai = await createAiWorker(this.config, { handleSignals: false });
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
    await Promise.all([this.gw?.close(), this.ai?.close(), this.worker?.close()]);
    this.config.cleanup();
  }
}
