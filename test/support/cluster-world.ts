import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataPaths, TeamStore, hashPassword } from '@parley/store';
import { signToken } from '../../apps/gateway/src/auth/token';
import { http } from './harness';
import { TrackedClient } from './cluster-client';

/** What a cluster or fault test shares: a private DATA_DIR and Redis prefix, teams, tokens, clients. */
export class World {
  readonly dataDir: string;
  readonly redisPrefix = `c${randomBytes(5).toString('hex')}`;
  readonly jwtSecret = `cluster-secret-${randomBytes(12).toString('hex')}`;
  readonly clients: TrackedClient[] = [];
  private hash: string | null = null;
  private teamStore: TeamStore;

  constructor(dataDir?: string) {
    this.dataDir = dataDir ?? mkdtempSync(join(tmpdir(), 'parley-cluster-'));
    this.teamStore = new TeamStore(new DataPaths(this.dataDir));
  }

  /** Teams written straight into DATA_DIR (as `parley users add` does), one bcrypt hash for all. */
  async addTeams(emails: string[], role: 'student' | 'instructor' = 'student'): Promise<void> {
    this.hash ??= await hashPassword('password1');
    for (const email of emails) await this.teamStore.create({ email, name: email.split('@')[0], role, password_hash: this.hash });
  }

  token(email: string, role: 'student' | 'instructor' = 'student'): string {
    return signToken(this.jwtSecret, 3600, { email, role, name: email.split('@')[0] });
  }

  /** A connected tracked client for `email` that reconnects to `urls` in turn. */
  async client(name: string, email: string, urls: string[], role: 'student' | 'instructor' = 'student'): Promise<TrackedClient> {
    const c = new TrackedClient({ name, token: this.token(email, role), urls });
    this.clients.push(c);
    await c.connect();
    return c;
  }

  /** A peer negotiation: `seller` posts a sell order for C, `buyer` responds. */
  async openTrade(gatewayUrl: string, seller: string, buyer: string, price = 10, quantity = 5): Promise<string> {
    const order = await http(gatewayUrl, 'POST', '/api/orders', { side: 'sell', chemical: 'C', price, quantity }, this.token(seller));
    if (order.status !== 201) throw new Error(`order by ${seller}: ${order.status} ${JSON.stringify(order.body)}`);
    const res = await http(gatewayUrl, 'POST', `/api/orders/${order.body.id}/respond`, undefined, this.token(buyer));
    if (res.status !== 201) throw new Error(`respond by ${buyer}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.negotiation_id as string;
  }

  /** An AI practice negotiation on a scenario. */
  async openPractice(gatewayUrl: string, student: string, scenario = 'salary'): Promise<string> {
    const res = await http(gatewayUrl, 'POST', '/api/negotiations', { scenario_id: scenario }, this.token(student));
    if (res.status !== 201) throw new Error(`practice for ${student}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.negotiation_id as string;
  }

  closeClients(): void {
    for (const c of this.clients) c.close();
  }

  cleanup(): void {
    this.closeClients();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Neutral practice lines: no numbers, no acceptance, so the built-in AI neither accepts nor walks away. */
export const PRACTICE_LINES = [
  'Hello, thanks for meeting with me today.',
  'Could you tell me more about the team I would join?',
  'What matters most to you in this hire?',
  'I would like to understand how the package is put together.',
  'How flexible is the company about working from home?',
  'What does growth look like in this role?',
  'Which parts of the offer have the most room to move?',
  'I appreciate the details, let me think about it.',
];

let counter = 0;
/** A unique client_message_id. */
export const cmid = (tag: string) => `${tag}-${Date.now().toString(36)}-${(counter++).toString(36)}-${randomBytes(3).toString('hex')}`;
