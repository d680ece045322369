// the gateway hosted here runs with the thread pool its entry point sets
import '../../apps/gateway/src/threadpool';
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { Session } from 'node:inspector';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { performance } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Pool } from 'pg';
import type IORedis from 'ioredis';
import type { ParleyConfig } from '@parley/config';
import type { ChatMessage } from '@parley/contracts';
import { ChatLog, DataPaths, MessageLog, NegotiationStore } from '@parley/store';
import { MessageSequence, createRedis, socketIoKey } from '@parley/queues';
import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { PerUserLimit } from '../../apps/gateway/src/realtime/per-user-limit';
import { ChatAdmission } from '../../apps/gateway/src/realtime/chat-admission';
import { serve } from '../lib/rpc';
import { fsCounts, installFsCounter, resetFsCounts } from '../lib/fs-count';
import { seedPoll } from '../lib/seed000-poll';
import { settleBreakdown } from '../lib/settle-breakdown';
import { summarize } from '../lib/stats';
import { CpuProfile, summarizeProfile } from '../lib/profile';

/**
 * A server-side process of the benchmark: a Parley gateway, a bare Socket.io baseline, an ai-worker,
 * an agreement-worker, a fake model server, or a sweeper. The parent talks to it over IPC.
 */
interface Closable {
  close(): Promise<void>;
}
const running: Closable[] = [];

/** apps that other helpers may still be writing are loaded at run time, so a missing one is reported, not a build error. */
function loadApp<T>(relative: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded at run time on purpose (see above)
  return require(join(__dirname, '..', '..', relative)) as T;
}

async function startGateway(config: ParleyConfig): Promise<{ url: string }> {
  const gw: RunningGateway = await createGateway(config);
  running.push(gw);
  return { url: gw.url };
}

/**
 * The baseline: a Socket.io server that only joins rooms and broadcasts what it gets, with the same
 * message shape and acknowledgement as Parley, no auth, no checks, no save. `redis` adds the same
 * Redis adapter Parley uses, to separate the adapter's cost from Parley's own.
 */
async function startBare(args: { redisUrl?: string; redisPrefix?: string }): Promise<{ url: string }> {
  const http = createServer();
  const io = new Server(http, { maxHttpBufferSize: 64 * 1024, pingInterval: 10000, pingTimeout: 8000 });
  let pub: IORedis | null = null;
  let sub: IORedis | null = null;
  if (args.redisUrl && args.redisPrefix) {
    pub = createRedis(args.redisUrl);
    sub = pub.duplicate();
    io.adapter(createAdapter(pub, sub, { key: socketIoKey(args.redisPrefix) }));
  }
  let seq = 0;
  io.on('connection', (socket) => {
    socket.on('join-negotiation', (p: { negotiation_id: string }, ack?: (r: unknown) => void) => {
      void socket.join(`negotiation-${p.negotiation_id}`);
      ack?.({ ok: true, data: {} });
    });
    socket.on('send-message', (p: { negotiation_id: string; content: string; client_message_id?: string }, ack?: (r: unknown) => void) => {
      const message: ChatMessage = {
        id: randomUUID(),
        seq: ++seq,
        negotiation_id: p.negotiation_id,
        sender_type: 'user',
        sender: 'bare',
        timestamp: new Date().toISOString(),
        read: false,
        content: p.content,
        client_message_id: p.client_message_id,
        kind: 'chat',
      };
      io.to(`negotiation-${p.negotiation_id}`).emit('message-received', message);
      ack?.({ ok: true, data: message });
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const { port } = http.address() as AddressInfo;
  running.push({
    close: async () => {
      await new Promise<void>((r) => io.close(() => r()));
      pub?.disconnect();
      sub?.disconnect();
    },
  });
  return { url: `http://127.0.0.1:${port}` };
}

/**
 * The peer baseline (seed 004's own design): a Socket.io server that INSERTs each message into
 * PostgreSQL (synchronous_commit on: the commit waits for the WAL flush) before it broadcasts and
 * acknowledges. Sequence from a per-room counter row, client message id unique per room, so a re-send
 * returns the saved row. No auth, no rate limits: only the save a user of that design would pay for.
 */
async function startPostgresPeer(args: { pgUrl: string; table: string }): Promise<{ url: string }> {
  if (!/^[a-z_][a-z0-9_]*$/.test(args.table)) throw new Error(`bad table name ${args.table}`);
  const pg = new Pool({ connectionString: args.pgUrl, max: 16, options: '-c synchronous_commit=on' });
  const t = args.table;
  await pg.query(
    `CREATE TABLE ${t} (id uuid PRIMARY KEY, negotiation_id text NOT NULL, seq bigint NOT NULL, sender text NOT NULL,
       content text NOT NULL, client_message_id text, created_at timestamptz NOT NULL DEFAULT now(),
       UNIQUE (negotiation_id, seq), UNIQUE (negotiation_id, client_message_id))`,
  );
  await pg.query(`CREATE TABLE ${t}_seq (negotiation_id text PRIMARY KEY, last bigint NOT NULL)`);
  // one statement, one transaction, one WAL flush per message: next seq for the room, then the row
  const insert = `WITH s AS (INSERT INTO ${t}_seq AS q VALUES ($2, 1) ON CONFLICT (negotiation_id) DO UPDATE SET last = q.last + 1 RETURNING last)
    INSERT INTO ${t} (id, negotiation_id, seq, sender, content, client_message_id) SELECT $1, $2, s.last, $3, $4, $5 FROM s
    ON CONFLICT (negotiation_id, client_message_id) DO NOTHING RETURNING seq, created_at`;
  const http = createServer();
  const io = new Server(http, { maxHttpBufferSize: 64 * 1024, pingInterval: 10000, pingTimeout: 8000 });
  io.on('connection', (socket) => {
    socket.on('join-negotiation', (p: { negotiation_id: string }, ack?: (r: unknown) => void) => {
      void socket.join(`negotiation-${p.negotiation_id}`);
      ack?.({ ok: true, data: {} });
    });
    socket.on('send-message', (p: { negotiation_id: string; content: string; client_message_id?: string }, ack?: (r: unknown) => void) => {
      const id = randomUUID();
      pg.query(insert, [id, p.negotiation_id, 'peer', p.content, p.client_message_id ?? null]).then(
        (r) => {
          if (r.rowCount === 0) return ack?.({ ok: true, data: { duplicate: true } });
          const message: ChatMessage = {
            id,
            seq: Number(r.rows[0].seq),
            negotiation_id: p.negotiation_id,
            sender_type: 'user',
            sender: 'peer',
            timestamp: new Date(r.rows[0].created_at).toISOString(),
            read: false,
            content: p.content,
            client_message_id: p.client_message_id,
            kind: 'chat',
          };
          io.to(`negotiation-${p.negotiation_id}`).emit('message-received', message);
          ack?.({ ok: true, data: message });
        },
        (e: Error) => ack?.({ ok: false, error: { code: 'STORAGE_FAILED', message: e.message } }),
      );
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const { port } = http.address() as AddressInfo;
  running.push({
    close: async () => {
      await new Promise<void>((r) => io.close(() => r()));
      await pg.query(`DROP TABLE IF EXISTS ${t}, ${t}_seq`).catch(() => undefined);
      await pg.end();
    },
  });
  return { url: `http://127.0.0.1:${port}` };
}

async function startAiWorker(args: { config: ParleyConfig; concurrency?: number }): Promise<{ engine: string }> {
  const mod = loadApp<typeof import('../../apps/ai-worker/src/ai-worker')>('apps/ai-worker/src/ai-worker');
  const worker = await mod.createAiWorker(args.config, {
    handleSignals: false,
    ...(args.concurrency ? { worker: { concurrency: args.concurrency } } : {}),
  });
  running.push(worker);
  return { engine: worker.engine.name };
}

interface AgreementWorkerModule {
  createAgreementWorker(
    config: ParleyConfig,
    options?: Record<string, unknown>,
  ): Promise<Closable & { settlement: { sweep(options?: object): Promise<unknown> } }>;
}

async function startAgreementWorker(args: { config: ParleyConfig }): Promise<{ ok: true }> {
  const mod = loadApp<AgreementWorkerModule>('apps/agreement-worker/src/agreement-worker');
  if (typeof mod.createAgreementWorker !== 'function')
    throw new Error('apps/agreement-worker/src/agreement-worker has no createAgreementWorker');
  const worker = await mod.createAgreementWorker(args.config, { handleSignals: false });
  running.push(worker);
  // each sweep pass's start and end (epoch ms), for the agreement suite's timeline
  const sweep = worker.settlement.sweep.bind(worker.settlement);
  sweepNowIn = () => worker.settlement.sweep();
  worker.settlement.sweep = async (options?: object) => {
    const pass: SweepPass = { startMs: Date.now(), endMs: null };
    sweepPassLog.push(pass);
    try {
      return await sweep(options);
    } finally {
      pass.endMs = Date.now();
    }
  };
  return { ok: true };
}

/** One sweep pass of the agreement worker (epoch ms; endMs null while it runs). */
interface SweepPass {
  startMs: number;
  endMs: number | null;
}
const sweepPassLog: SweepPass[] = [];
let sweepNowIn: (() => Promise<unknown>) | null = null;
/** One pass of the agreement worker's sweep now, as its `sweep` job would run it (a diagnostic). */
async function sweepNow(): Promise<void> {
  await sweepNowIn?.();
}
/** Every sweep pass of this process so far (one still running has endMs null). */
function sweepPasses(): SweepPass[] {
  return sweepPassLog;
}

/**
 * An OpenAI-compatible chat-completions server on 127.0.0.1 that takes `delayMs` per reply and
 * generates at most `slots` replies at once (a real model server has a fixed number of batch slots);
 * the rest wait in line, so its ceiling is slots / delay.
 */
async function startFakeModel(args: { delayMs: number; slots: number }): Promise<{ baseUrl: string }> {
  let active = 0;
  let served = 0;
  let maxWaiting = 0;
  const waiting: (() => void)[] = [];
  const sockets = new Set<NetSocket>();
  const timers = new Set<NodeJS.Timeout>();
  const reply = JSON.stringify({
    message: 'Thanks. I can move a little on that, but I need you to come closer to my position.',
    reasoning: 'benchmark reply',
    negotiation_state: 'discussion',
    confidence: 0.5,
    offer: null,
    accept: false,
  });
  const finish = (res: ServerResponse, model: string) => {
    const body = JSON.stringify({
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: reply, refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 400, completion_tokens: 60, total_tokens: 460 },
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const generate = (res: ServerResponse, model: string) => {
    active++;
    const t = setTimeout(() => {
      timers.delete(t);
      active--;
      served++;
      if (!res.destroyed) finish(res, model);
      waiting.shift()?.();
    }, args.delayMs);
    timers.add(t);
  };
  const http: HttpServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      let model = 'bench-model';
      try {
        model = JSON.parse(Buffer.concat(chunks).toString('utf8')).model ?? model;
      } catch {
        /* keep the default */
      }
      if (active < args.slots) generate(res, model);
      else {
        waiting.push(() => generate(res, model));
        maxWaiting = Math.max(maxWaiting, waiting.length);
      }
    });
  });
  http.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const { port } = http.address() as AddressInfo;
  running.push({
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => http.close(() => r()));
    },
  });
  handlers.modelStats = () => ({ served, maxWaiting, active, waiting: waiting.length });
  return { baseUrl: `http://127.0.0.1:${port}/v1` };
}

/** Parley's safety-net sweep (the agreement worker's `sweep` job) over DATA_DIR: time and fs calls. */
async function sweep(args: { dataDir: string }) {
  const { sweepOnce } = loadApp<typeof import('../../libs/settlement/src')>('libs/settlement/src');
  return timedSweep(() => sweepOnce(new DataPaths(args.dataDir)));
}

/**
 * The worker's next pass when nothing changed since its last one: one sweeper (as an agreement-worker
 * keeps it) passes once untimed, then the timed pass.
 */
async function sweepUnchanged(args: { dataDir: string }) {
  const { Settlement } = loadApp<typeof import('../../libs/settlement/src')>('libs/settlement/src');
  const settlement = new Settlement({ paths: new DataPaths(args.dataDir) });
  await settlement.sweep();
  return timedSweep(() => settlement.sweep());
}

async function timedSweep(pass: () => Promise<{ action: string }[]>) {
  installFsCounter();
  resetFsCounts();
  const t0 = performance.now();
  const results = await pass();
  const ms = performance.now() - t0;
  const actions: Record<string, number> = {};
  for (const r of results) actions[r.action] = (actions[r.action] ?? 0) + 1;
  return { ms, fs: fsCounts(), checked: results.length, actions };
}

/** Seed 000's pollNegotiations() on the same tree. */
async function seedScan(args: { dataDir: string }) {
  installFsCounter();
  resetFsCounts();
  const t0 = performance.now();
  const result = seedPoll(args.dataDir);
  const ms = performance.now() - t0;
  return { ms, fs: fsCounts(), ...result };
}

/**
 * Where one chat message's time goes: the steps the gateway takes for a `send-message` once the
 * negotiation is known (it is remembered from the last event), replayed in order with the same calls
 * (apps/gateway/src/realtime/chat.service.ts, chat-admission.ts): the client id looked up in the
 * sender's file, the Lua admission (action limit, room left, client-id claim, message limit, seq),
 * the append as the gateway makes it (the party file without a flush, then the commit log's O_DSYNC write —
 * one line per turn here, so one log write per line). Sequential, one negotiation, warm caches: a cost
 * breakdown, not a throughput.
 */
async function chatBreakdown(args: { config: ParleyConfig; user: string; negotiationId: string; count: number }) {
  const { config } = args;
  const redis = createRedis(config.redisUrl);
  const paths = new DataPaths(config.dataDir);
  const store = new NegotiationStore(paths);
  const log = new MessageLog(new ChatLog(paths, store));
  try {
    const sequence = new MessageSequence(redis, config.redisPrefix);
    const describe = () => 'limited';
    const actions = new PerUserLimit(redis, `${config.redisPrefix}:rl:breakdown-actions`, 1e9, describe);
    const messages = new PerUserLimit(redis, `${config.redisPrefix}:rl:breakdown-messages`, 1e9, describe);
    const admission = new ChatAdmission(redis, actions, messages, 1e9);
    const located = (await store.locate(args.user, args.negotiationId))!;
    const party = located.meta.parties.find((p) => p.user === args.user)!;
    const steps: Record<string, number[]> = {
      "disk index: the client id in the sender's file (one stat)": [],
      'admission: both limits, client-id claim, seq (one Lua call, the floor remembered)': [],
      'durable append (party file unflushed, then one O_DSYNC commit-log write)': [],
    };
    const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const r = await fn();
      steps[name].push(performance.now() - t0);
      return r;
    };
    // the gateway reads the floor from the files once, then remembers the last seq handed out
    let floor = await log.maxSeq(
      located.dir,
      located.meta.parties.map((p) => p.prefix),
    );
    for (let i = 0; i < args.count; i++) {
      const cmid = `bd${i}`;
      const key = `${config.redisPrefix}:cmid:${args.negotiationId}:${party.prefix}:${cmid}`;
      await time("disk index: the client id in the sender's file (one stat)", () => log.findByClientId(located.dir, party.prefix, cmid));
      const admitted = await time('admission: both limits, client-id claim, seq (one Lua call, the floor remembered)', () =>
        admission.run({
          actor: args.user,
          sender: args.user,
          sequenceKey: sequence.key(located.id),
          claimKey: key,
          floor,
          floorFromDisk: i === 0,
        }),
      );
      if (admitted.kind !== 'seq') throw new Error(`breakdown: admission said ${admitted.kind}`);
      floor = admitted.seq;
      const message: ChatMessage = {
        id: randomUUID(),
        seq: admitted.seq,
        negotiation_id: located.id,
        sender_type: 'user',
        sender: args.user,
        timestamp: new Date().toISOString(),
        read: false,
        content: `breakdown ${i}`,
        client_message_id: cmid,
        kind: 'chat',
      };
      await time('durable append (party file unflushed, then one O_DSYNC commit-log write)', () =>
        log.append(located.dir, party.prefix, [message]),
      );
    }
    return Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, summarize(v)]));
  } finally {
    await log.close();
    redis.disconnect();
  }
}

/** Samples this process's CPU (V8 profiler through the inspector) between profileStart and profileStop. */
let profiler: Session | null = null;
function post<T>(method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => profiler!.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
}
async function profileStart(): Promise<void> {
  profiler = new Session();
  profiler.connect();
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
}
async function profileStop() {
  const { profile } = await post<{ profile: CpuProfile }>('Profiler.stop');
  profiler!.disconnect();
  profiler = null;
  // the raw profile too, for a closer look (chrome://inspect or a script)
  if (process.env.BENCH_PROFILE_DIR)
    writeFileSync(join(process.env.BENCH_PROFILE_DIR, `${process.pid}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
  return summarizeProfile(profile, 15);
}

/**
 * Self size and count of every kind of heap object (objects and closures by constructor name, the
 * rest by type), from a heap snapshot taken after a full GC; the snapshot file is removed.
 */
function heapByKind(args: { dir: string }): Record<string, [number, number]> {
  (globalThis as { gc?: () => void }).gc?.();
  const file = writeHeapSnapshot(join(args.dir, `heap-${process.pid}-${Date.now()}.heapsnapshot`));
  try {
    const snap = JSON.parse(readFileSync(file, 'utf8')) as {
      snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
      nodes: number[];
      strings: string[];
    };
    const fields = snap.snapshot.meta.node_fields;
    const types = snap.snapshot.meta.node_types[0];
    const [typeAt, nameAt, sizeAt, width] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size'), fields.length];
    const out: Record<string, [number, number]> = {};
    for (let i = 0; i < snap.nodes.length; i += width) {
      const type = types[snap.nodes[i + typeAt]];
      const key =
        type === 'object' || type === 'closure'
          ? `${type === 'closure' ? 'closure ' : ''}${snap.strings[snap.nodes[i + nameAt]] || '(anonymous)'}`
          : `(${type})`;
      const entry = (out[key] ??= [0, 0]);
      entry[0] += snap.nodes[i + sizeAt];
      entry[1] += 1;
    }
    return out;
  } finally {
    rmSync(file, { force: true });
  }
}

const handlers: Record<string, (args: any) => unknown> = {
  cpuUsage: () => process.cpuUsage(),
  heapByKind,
  profileStart,
  profileStop,
  startGateway,
  startBare,
  startAiWorker,
  startAgreementWorker,
  sweepPasses,
  sweepNow,
  startFakeModel,
  sweep,
  sweepUnchanged,
  settleBreakdown,
  seedScan,
  chatBreakdown,
  startPostgresPeer,
};

serve(handlers, async () => {
  for (const r of running.reverse()) await r.close().catch(() => undefined);
});
