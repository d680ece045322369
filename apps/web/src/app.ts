import { api } from './api';
import { Connection } from './connection';
import { clearSession, getSession, Session } from './session';
import type { ScenarioInfo } from './types';

/** What every screen shares: the session, the one socket connection, and the scenario list. */
export class App {
  private connection: Connection | null = null;
  private scenarios: Promise<ScenarioInfo[]> | null = null;

  get session(): Session | null {
    return getSession();
  }

  /** The signed-in tab's socket, created on first use. */
  socket(): Connection {
    const s = this.session;
    if (!s) throw new Error('not signed in');
    if (!this.connection) {
      this.connection = new Connection(s.token, () => {
        clearSession();
      });
    }
    return this.connection;
  }

  async scenarioList(): Promise<ScenarioInfo[]> {
    this.scenarios ??= api<{ scenarios: ScenarioInfo[] }>('GET', '/api/scenarios')
      .then((r) => r.scenarios)
      .catch((e) => {
        this.scenarios = null;
        throw e;
      });
    return this.scenarios;
  }

  signedOut(): void {
    this.connection?.close();
    this.connection = null;
    this.scenarios = null;
  }
}

export { go } from './router';

/** The one App of this tab. */
export const app = new App();
