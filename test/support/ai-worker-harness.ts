import { createServer, Server as HttpServer } from 'node:http';
import { AddressInfo } from 'node:net';
import type IORedis from 'ioredis';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { io as connect, Socket } from 'socket.io-client';
import { randomUUID } from 'node:crypto';
import type { ParleyConfig } from '@parley/config';
import { ChatMessage, negotiationRoom, PartyState } from '@parley/contracts';
import { DataPaths, LocatedNegotiation, MessageLog, NegotiationStore, TeamStore } from '@parley/store';
import { JobProducer, MessageSequence, createRedis, socketIoKey } from '@parley/queues';
import { testConfig } from './env';

export interface Received {
  event: string;
  payload: any;
  at: number;
}

/**
 * A minimal Socket.io server on the Redis adapter (the way a gateway runs) plus one real client in a
 * negotiation room: it records everything workers emit to that room through the Redis emitter.
 */
export class RoomListener {
  readonly received: Received[] = [];
  private http!: HttpServer;
  private io!: Server;
  private pub!: IORedis;
  private sub!: IORedis;
  private client!: Socket;

  async start(redisUrl: string, redisPrefix: string): Promise<void> {
    this.pub = createRedis(redisUrl);
    this.sub = this.pub.duplicate();
    this.http = createServer();
    this.io = new Server(this.http, { adapter: createAdapter(this.pub, this.sub, { key: socketIoKey(redisPrefix) }) });
    this.io.on('connection', (socket) => {
      socket.on('join', (room: string, ack: () => void) => {
        socket.join(room);
        ack();
      });
    });
    await new Promise<void>((r) => this.http.listen(0, '127.0.0.1', r));
    const { port } = this.http.address() as AddressInfo;
    this.client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
    this.client.onAny((event, payload) => this.received.push({ event, payload, at: Date.now() }));
    await new Promise<void>((resolve, reject) => {
      this.client.once('connect', () => resolve());
      this.client.once('connect_error', reject);
    });
  }

  async join(negotiationId: string): Promise<void> {
    await this.client.timeout(5000).emitWithAck('join', negotiationRoom(negotiationId));
  }

  /** Resolves with the first matching event received from now or earlier (scanning from `fromIndex`); bounded by `timeoutMs`. */
  async waitFor(event: string, match: (p: any) => boolean = () => true, timeoutMs = 10_000, fromIndex = 0): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.received.slice(fromIndex).find((r) => r.event === event && match(r.payload));
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no ${event} within ${timeoutMs} ms; got: ${this.received.map((r) => r.event).join(', ')}`);
  }

  count(event: string, match: (p: any) => boolean = () => true): number {
    return this.received.filter((r) => r.event === event && match(r.payload)).length;
  }

  /** How many different messages (by id) arrived: what a client that drops repeated ids shows. */
  distinct(event: string, match: (p: any) => boolean = () => true): number {
    return new Set(this.received.filter((r) => r.event === event && match(r.payload)).map((r) => r.payload?.id)).size;
  }

  async stop(): Promise<void> {
    this.client?.disconnect();
    await new Promise<void>((r) => (this.io ? this.io.close(() => r()) : r()));
    this.pub?.disconnect();
    this.sub?.disconnect();
  }
}

/** One test config (DATA_DIR + Redis prefix), the gateway's side of a chat line, and a room listener. */
export class AiWorkerHarness {
  readonly config: ParleyConfig & { cleanup: () => void };
  readonly paths: DataPaths;
  readonly teams: TeamStore;
  readonly negotiations: NegotiationStore;
  readonly messages = new MessageLog();
  readonly room = new RoomListener();
  redis!: IORedis;
  producer!: JobProducer;
  private sequence!: MessageSequence;
  private studentNo = 0;

  constructor(overrides: Record<string, string> = {}) {
    this.config = testConfig({ AI_CONCURRENCY: '2', ...overrides });
    this.paths = new DataPaths(this.config.dataDir);
    this.teams = new TeamStore(this.paths);
    this.negotiations = new NegotiationStore(this.paths);
  }

  async start(): Promise<void> {
    this.redis = createRedis(this.config.redisUrl);
    this.producer = new JobProducer(this.redis, this.config.redisPrefix);
    this.sequence = new MessageSequence(this.redis, this.config.redisPrefix);
    await this.room.start(this.config.redisUrl, this.config.redisPrefix);
  }

  async stop(): Promise<void> {
    await this.room.stop();
    await this.producer.close();
    this.redis.disconnect();
    this.config.cleanup();
  }

  /** A fresh student with an AI negotiation on the salary scenario; the room listener joins it. */
  async negotiation(): Promise<Neg> {
    const email = `student${++this.studentNo}@example.edu`;
    await this.teams.create({ email, name: `Student ${this.studentNo}`, role: 'student', password_hash: 'x' });
    const meta = await this.negotiations.createAi(email, 'salary', 'candidate', 'employer', 3600_000);
    await this.room.join(meta.id);
    return { email, prefix: email.split('@')[0], located: (await this.negotiations.locate(email, meta.id))! };
  }

  /** What the gateway does for a line: seq, fsynced append, then the job. */
  async studentLine(n: Neg, fields: Partial<ChatMessage> & { content: string }, reason: 'message' | 'offer' = 'message'): Promise<number> {
    const seq = await this.sequence.next(n.located.id, () => this.messages.maxSeq(n.located.dir));
    const line: ChatMessage = {
      id: randomUUID(),
      seq,
      negotiation_id: n.located.id,
      sender_type: 'user',
      sender: n.email,
      timestamp: new Date().toISOString(),
      kind: 'chat',
      ...fields,
    };
    await this.messages.append(n.located.dir, n.prefix, [line]);
    await this.producer.enqueueAiReply({ negotiation_id: n.located.id, owner: n.email, trigger_seq: seq, reason });
    return seq;
  }

  studentSays(n: Neg, content: string): Promise<number> {
    return this.studentLine(n, { content });
  }

  aiLines(n: Neg): Promise<ChatMessage[]> {
    return this.messages.readParty(n.located.dir, 'ai');
  }

  async aiState(n: Neg): Promise<PartyState | null> {
    return (await this.negotiations.readStates(n.located.dir)).find((s) => s.user === 'ai') ?? null;
  }
}

export interface Neg {
  email: string;
  prefix: string;
  located: LocatedNegotiation;
}

export const forId = (id: string) => (p: any) => p?.negotiation_id === id;

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
