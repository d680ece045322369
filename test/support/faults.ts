import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue as BullQueue, QueueEvents } from 'bullmq';
import IORedis from 'ioredis';
import { Cluster, Service, ServiceKind, sleep, until } from './cluster';
import { http } from './harness';
import { TrackedClient } from './cluster-client';
import { SendRecord } from './cluster-checks';
import { auditDisk, holdingsFromFiles } from './cluster-disk';
import { PRACTICE_LINES, World, cmid } from './cluster-world';
import type { FaultRow } from './reliability-report';

/**
 * Shared parts of the fault suite: a rig (a World of teams and clients plus a Cluster of processes),
 * the loads that run while faults are injected, and queue counters. Every loop is bounded by a
 * deadline and every wait by a timeout.
 */

export interface RigOptions {
  redisUrl?: string;
  env?: Record<string, string>;
  services: { kind: ServiceKind; name: string; env?: Record<string, string> }[];
  dataDir?: string;
}

export class Rig {
  readonly world: World;
  readonly cluster: Cluster;
  readonly sends: SendRecord[] = [];
  readonly redisUrl: string;
  private readonly cleanups: (() => unknown)[] = [];

  constructor(opts: RigOptions) {
    this.world = new World(opts.dataDir);
    this.redisUrl = opts.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    this.cluster = new Cluster({
      redisUrl: this.redisUrl,
      redisPrefix: this.world.redisPrefix,
      dataDir: this.world.dataDir,
      jwtSecret: this.world.jwtSecret,
      // the load is many users' worth from one address: per-user and per-IP limits are raised, not tested, here
      env: {
        MESSAGES_PER_MINUTE: '1000',
        ACTIONS_PER_MINUTE: '100000',
        CONNECTIONS_PER_IP: '5000',
        SWEEP_INTERVAL_MS: '1000',
        ...opts.env,
      },
    });
    for (const s of opts.services) this.cluster.add(s.kind, s.name, s.env);
  }

  async start(): Promise<void> {
    await Promise.all(this.cluster.services.map((s) => s.start()));
  }

  /** Runs a fault scenario: when it fails the services' logs are printed; the rig is stopped either way. */
  async run(scenario: () => Promise<void>): Promise<void> {
    try {
      await scenario();
    } catch (e) {
      console.log(this.cluster.diagnostics());
      throw e;
    } finally {
      await this.stop();
    }
  }

  /** Runs after the services are stopped (a scenario's own Redis server or connection). */
  onStop(cleanup: () => unknown): void {
    this.cleanups.push(cleanup);
  }

  gateways(): Service[] {
    return this.cluster.of('gateway');
  }

  /** A gateway URL that is up right now (the first one otherwise). */
  aliveUrl(): string {
    const gws = this.gateways();
    return (gws.find((g) => g.running) ?? gws[0]).url;
  }

  /** HTTP against whichever gateway is up, retried while gateways restart. */
  async api<T = any>(method: string, path: string, body: unknown, email: string, tries = 20): Promise<{ status: number; body: T }> {
    let last: unknown;
    for (let i = 0; i < tries; i++) {
      try {
        const res = await http<T>(this.aliveUrl(), method, path, body, this.world.token(email));
        if (res.status < 500) return res;
        last = new Error(`${res.status} ${JSON.stringify(res.body)}`);
      } catch (e) {
        last = e;
      }
      await sleep(250);
    }
    throw new Error(`${method} ${path} as ${email} failed ${tries} times: ${(last as Error)?.message}`);
  }

  async openTrade(seller: string, buyer: string, price = 10, quantity = 5): Promise<string> {
    const order = await this.api('POST', '/api/orders', { side: 'sell', chemical: 'C', price, quantity }, seller);
    if (order.status !== 201) throw new Error(`order: ${order.status} ${JSON.stringify(order.body)}`);
    const res = await this.api('POST', `/api/orders/${(order.body as any).id}/respond`, undefined, buyer);
    if (res.status !== 201) throw new Error(`respond: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as any).negotiation_id;
  }

  async openPractice(student: string): Promise<string> {
    const res = await this.api('POST', '/api/negotiations', { scenario_id: 'salary' }, student);
    if (res.status !== 201) throw new Error(`practice: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as any).negotiation_id;
  }

  async say(c: TrackedClient, id: string, content: string, deadlineMs = 30_000): Promise<SendRecord> {
    const rec: SendRecord = {
      client: c.name,
      negotiation_id: id,
      cmid: cmid('f'),
      result: { status: 'gave-up', attempts: 0, lastError: '' },
    };
    this.sends.push(rec);
    rec.result = await c.send(id, content, rec.cmid, deadlineMs);
    return rec;
  }

  /** Holdings from the API equal init + transaction files, for every team given. */
  async holdingsProblems(emails: string[]): Promise<string[]> {
    const audit = auditDisk(this.world.dataDir);
    const out: string[] = [];
    for (const email of emails) {
      const me = await this.api('GET', '/api/teams/me', undefined, email);
      const files = holdingsFromFiles(audit, email);
      for (const k of ['cash', 'C', 'N', 'D', 'Q']) {
        if (Math.abs((me.body as any).holdings[k] - files[k]) > 1e-6)
          out.push(`${email} ${k}: api ${(me.body as any).holdings[k]}, files ${files[k]}`);
      }
    }
    return out;
  }

  async stop(): Promise<void> {
    this.world.closeClients();
    await this.cluster.killAll();
    this.world.cleanup();
    for (const cleanup of this.cleanups.splice(0)) await cleanup();
  }
}

/** A trade the load opened; `agreed` once both agree-offer events were acknowledged. */
export interface TradeRecord {
  id: string;
  seller: string;
  buyer: string;
  terms: { price: number; quantity: number };
  agreed: boolean;
}

/** Agrees with re-sends after a lost ack (agreeing twice to the same terms changes nothing). */
export async function agree(c: TrackedClient, id: string, terms: Record<string, number>, tries = 6): Promise<boolean> {
  for (let k = 0; k < tries; k++) {
    const ack = await c.request('agree-offer', { negotiation_id: id, terms }, 4000).catch(() => null);
    if (ack?.ok) return true;
    // an earlier attempt whose ack was lost may already have completed it
    if (ack && !ack.ok && ack.error.code === 'NEGOTIATION_CLOSED') return true;
    await sleep(250);
  }
  return false;
}

/** A pair trading in a loop until `deadline`: open a room, both agree, next. */
export async function tradeLoop(
  rig: Rig,
  seller: TrackedClient,
  sellerEmail: string,
  buyer: TrackedClient,
  buyerEmail: string,
  deadline: number,
  out: TradeRecord[],
  pauseMs = 200,
): Promise<void> {
  for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
    let id: string;
    try {
      id = await rig.openTrade(sellerEmail, buyerEmail);
    } catch {
      await sleep(300);
      continue;
    }
    const t: TradeRecord = {
      id,
      seller: sellerEmail,
      buyer: buyerEmail,
      terms: { price: 10 + (i % 5), quantity: 1 + (i % 3) },
      agreed: false,
    };
    out.push(t);
    await Promise.all([seller.join(id).catch(() => undefined), buyer.join(id).catch(() => undefined)]);
    const a = await agree(seller, id, t.terms);
    const b = a && (await agree(buyer, id, t.terms));
    t.agreed = a && b;
    await sleep(pauseMs);
  }
}

/**
 * A student practising until `deadline`: a line, wait for the AI's answer (bounded), the next line;
 * after the neutral lines run out, a new practice. Returns the practice ids.
 */
export async function practiceLoop(rig: Rig, c: TrackedClient, email: string, deadline: number, replyWaitMs = 15_000): Promise<string[]> {
  const ids: string[] = [];
  while (Date.now() < deadline && ids.length < 100) {
    let id: string;
    try {
      id = await rig.openPractice(email);
    } catch {
      await sleep(300);
      continue;
    }
    ids.push(id);
    await c.join(id).catch(() => undefined);
    for (let j = 0; j < PRACTICE_LINES.length - 1 && Date.now() < deadline; j++) {
      const rec = await rig.say(c, id, PRACTICE_LINES[j]);
      if (rec.result.status !== 'acked') continue;
      const seq = rec.result.message.seq;
      await until('AI reply', () => c.list(id).some((m) => m.sender_type === 'ai' && m.reply_to === seq), replyWaitMs, 50).catch(
        () => undefined,
      );
    }
  }
  return ids;
}

/** Queue counters seen from outside: stalled jobs (their worker died mid-job) and failed jobs. */
export class QueueWatch {
  readonly stalled: Record<string, number> = {};
  readonly failed: Record<string, string[]> = {};
  private readonly events: QueueEvents[] = [];
  private readonly queues: BullQueue[] = [];
  private readonly redis: IORedis;

  constructor(
    redisUrl: string,
    private readonly redisPrefix: string,
    readonly names = ['ai-response', 'agreement-check'],
  ) {
    this.redis = new IORedis(redisUrl, { maxRetriesPerRequest: null });
    for (const name of names) {
      this.stalled[name] = 0;
      this.failed[name] = [];
      const ev = new QueueEvents(name, { connection: { url: redisUrl, maxRetriesPerRequest: null } as any, prefix: `${redisPrefix}:bull` });
      ev.on('stalled', () => this.stalled[name]++);
      ev.on('failed', ({ jobId, failedReason }) => this.failed[name].push(`${jobId}: ${failedReason}`));
      ev.on('error', () => undefined);
      this.events.push(ev);
      this.queues.push(new BullQueue(name, { connection: this.redis, prefix: `${redisPrefix}:bull` }));
    }
  }

  async ready(): Promise<void> {
    await Promise.all(this.events.map((e) => e.waitUntilReady()));
  }

  /** Jobs being processed right now (LLEN of the active list). */
  active(name: string): Promise<number> {
    return this.redis.llen(`${this.redisPrefix}:bull:${name}:active`);
  }

  queue(name: string): BullQueue {
    return this.queues[this.names.indexOf(name)];
  }

  async close(): Promise<void> {
    await Promise.all(this.events.map((e) => e.close().catch(() => undefined)));
    await Promise.all(this.queues.map((q) => q.close().catch(() => undefined)));
    this.redis.disconnect();
  }
}

/** A row for the report; also printed, so a run's log shows the numbers. */
export function row(r: FaultRow): FaultRow {
  console.log(
    `${r.fault}\n  attempted ${r.attempted}, acknowledged ${r.acknowledged}, persisted ${r.persisted}, lost ${r.lost}, duplicated ${r.duplicated}${r.notes ? `\n  ${r.notes}` : ''}`,
  );
  return r;
}

export { sleep, until };

/**
 * A 2 MiB tmpfs on a new temporary folder: a DATA_DIR that can really be filled or made read-only
 * (root ignores file modes). `failure` says why it could not be mounted (the folder is then removed).
 */
export function mountTmpfs(prefix: string): { dir: string; failure: string | null } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0755', 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status === 0) return { dir, failure: null };
  rmSync(dir, { recursive: true, force: true });
  return { dir, failure: (mounted.stderr || mounted.error?.message || '').trim() };
}

/** Writable again, unmounted (lazily when still busy) and removed. */
export function unmountTmpfs(dir: string): void {
  spawnSync('mount', ['-o', 'remount,rw', dir]);
  if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
}
