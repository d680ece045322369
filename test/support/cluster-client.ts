import { io, Socket } from 'socket.io-client';
import type { ChatMessage, NegotiationUpdate } from '@parley/contracts';

/**
 * A socket.io client that behaves like a careful browser tab, and counts what it got:
 *  - on any disconnect it reconnects by itself (to its next gateway URL if it has several), rejoins
 *    its rooms and asks for every message after its watermark (`sync-messages`), page by page;
 *  - it keeps messages by id (so a message seen live and again in a sync is one message), and counts
 *    how often each id was pushed live, so a server that pushes one message twice is caught;
 *  - `send()` re-sends with the same client_message_id until it gets an answer (ack or refusal).
 *
 * The watermark is the highest seq below which every number has been seen, not the highest seq seen:
 * two gateways number messages from one Redis counter but write and broadcast them independently, so
 * seq 11 can arrive before seq 10, and a client that asked for "after 11" after a reconnect would
 * never see 10.
 */

export interface RoomView {
  id: string;
  messages: Map<string, ChatMessage>;
  seqs: Set<number>;
  watermark: number;
  maxSeq: number;
  /** Live pushes that arrived with a lower seq than one already seen (out of order). */
  inversions: number;
  updates: NegotiationUpdate[];
}

export type SendResult =
  | { status: 'acked'; message: ChatMessage; attempts: number; ms: number }
  | { status: 'refused'; code: string; message: string; attempts: number }
  | { status: 'gave-up'; attempts: number; lastError: string };

export interface ClientOptions {
  /** For messages (e.g. "alice@gw1#2"). */
  name: string;
  token: string;
  /** Gateway URLs; a reconnect after a failed attempt moves on to the next one. */
  urls: string[];
  connectTimeoutMs?: number;
}

type Ack<T = any> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

const SYNC_PAGE = 500;

export class TrackedClient {
  socket: Socket | null = null;
  readonly rooms = new Map<string, RoomView>();
  /** message id → how many times it was pushed live (message-received / ai-message). */
  readonly livePushes = new Map<string, number>();
  /** user-typing events received: `${negotiation_id}|${user_id}|${typing}` → count. */
  readonly typing = new Map<string, number>();
  readonly errors: { code: string; message: string; event?: string }[] = [];
  connects = 0;
  disconnects = 0;
  shutdownNotices = 0;
  failedConnects = 0;
  private closed = false;
  private urlIndex = 0;
  private reconnecting: Promise<void> | null = null;
  private resumed: Promise<void> = Promise.resolve();

  constructor(readonly opts: ClientOptions) {}

  get name(): string {
    return this.opts.name;
  }

  get connected(): boolean {
    return !!this.socket?.connected;
  }

  /** The first connection; throws if it cannot connect. */
  async connect(): Promise<void> {
    await this.open(this.opts.urls[this.urlIndex]);
  }

  room(id: string): RoomView {
    let r = this.rooms.get(id);
    if (!r) {
      r = { id, messages: new Map(), seqs: new Set(), watermark: 0, maxSeq: 0, inversions: 0, updates: [] };
      this.rooms.set(id, r);
    }
    return r;
  }

  /** Joins a negotiation room (and remembers it for reconnects). */
  async join(id: string): Promise<Ack> {
    this.room(id);
    const ack = await this.request('join-negotiation', { negotiation_id: id });
    if (ack.ok) this.take(id, ack.data.history.messages, false);
    return ack;
  }

  /** Everything after the watermark, page by page. */
  async sync(id: string, maxPages = 20): Promise<void> {
    const r = this.room(id);
    let after = r.watermark;
    for (let page = 0; page < maxPages; page++) {
      const ack = await this.request('sync-messages', { negotiation_id: id, after_seq: after });
      if (!ack.ok) throw new Error(`${this.name}: sync-messages ${id} failed: ${ack.error.code} ${ack.error.message}`);
      const msgs: ChatMessage[] = ack.data.messages;
      this.take(id, msgs, false);
      if (msgs.length < SYNC_PAGE) return;
      after = msgs[msgs.length - 1].seq;
    }
  }

  /**
   * Sends a chat line and waits for its ack, re-sending with the same client_message_id after a
   * timeout or a lost connection, until `deadlineMs`. A refusal (RATE_LIMITED, STORAGE_FAILED, ...)
   * is an answer and ends it.
   */
  async send(id: string, content: string, cmid: string, deadlineMs = 30_000): Promise<SendResult> {
    const t0 = Date.now();
    let attempts = 0;
    let lastError = '';
    while (Date.now() - t0 < deadlineMs && !this.closed) {
      attempts++;
      let ack: Ack<ChatMessage>;
      try {
        ack = await this.request(
          'send-message',
          { negotiation_id: id, content, client_message_id: cmid },
          4000,
          Math.max(1000, deadlineMs - (Date.now() - t0)),
        );
      } catch (e) {
        lastError = (e as Error).message;
        continue;
      }
      if (ack.ok) {
        this.take(id, [ack.data], false);
        return { status: 'acked', message: ack.data, attempts, ms: Date.now() - t0 };
      }
      if (ack.error.code === 'DUPLICATE_IN_FLIGHT') {
        lastError = ack.error.code;
        await sleep(300);
        continue;
      }
      return { status: 'refused', code: ack.error.code, message: ack.error.message, attempts };
    }
    return { status: 'gave-up', attempts, lastError };
  }

  /**
   * Emits `event` once connected (waiting up to `connectWaitMs` for a connection) and waits `ackMs`
   * for the ack. Throws on timeout or when the connection drops meanwhile.
   */
  async request<T = any>(event: string, payload: unknown, ackMs = 5000, connectWaitMs = 15_000): Promise<Ack<T>> {
    const t0 = Date.now();
    while (!this.connected) {
      if (this.closed) throw new Error(`${this.name} is closed`);
      if (Date.now() - t0 > connectWaitMs) throw new Error(`${this.name}: not connected after ${connectWaitMs} ms`);
      await sleep(50);
    }
    // requests wait for the rejoin after a reconnect, so nothing runs against a half-resumed client
    if (event !== 'join-negotiation' && event !== 'sync-messages') await this.resumed;
    const socket = this.socket!;
    return (await socket.timeout(ackMs).emitWithAck(event, payload)) as Ack<T>;
  }

  /** Resolves once the client is connected and has rejoined and synced every room after its last reconnect. */
  async settled(ms = 20_000): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      while (!this.connected || this.reconnecting) {
        if (Date.now() - t0 > ms) throw new Error(`${this.name}: not reconnected after ${ms} ms`);
        await sleep(50);
      }
      await this.resumed;
      if (this.connected) return;
    }
  }

  /** Emits without an ack (typing events). */
  emit(event: string, payload: unknown): void {
    this.socket?.emit(event, payload);
  }

  /** Cuts the TCP connection under the socket without a goodbye, like a dropped Wi-Fi link. */
  dropTransport(): void {
    const engine = (this.socket?.io as any)?.engine;
    const ws = engine?.transport?.ws;
    const raw = ws?._socket;
    if (raw?.destroy) raw.destroy();
    else engine?.close();
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
    this.socket = null;
  }

  /** Messages of a room in seq order. */
  list(id: string): ChatMessage[] {
    return [...(this.rooms.get(id)?.messages.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }

  private take(id: string, msgs: ChatMessage[], live: boolean): void {
    const r = this.room(id);
    for (const m of msgs) {
      if (live) {
        this.livePushes.set(m.id, (this.livePushes.get(m.id) ?? 0) + 1);
        if (m.seq < r.maxSeq && !r.seqs.has(m.seq)) r.inversions++;
      }
      if (!r.messages.has(m.id)) r.messages.set(m.id, m);
      r.seqs.add(m.seq);
      r.maxSeq = Math.max(r.maxSeq, m.seq);
    }
    while (r.seqs.has(r.watermark + 1)) r.watermark++;
  }

  private open(url: string): Promise<void> {
    const socket = io(url, {
      auth: { token: this.opts.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: this.opts.connectTimeoutMs ?? 4000,
    });
    socket.on('message-received', (m: ChatMessage) => this.take(m.negotiation_id, [m], true));
    socket.on('ai-message', (m: ChatMessage) => this.take(m.negotiation_id, [m], true));
    socket.on('user-typing', (p: { negotiation_id: string; user_id: string; typing: boolean }) => {
      const k = `${p.negotiation_id}|${p.user_id}|${p.typing}`;
      this.typing.set(k, (this.typing.get(k) ?? 0) + 1);
    });
    socket.on('negotiation-update', (u: NegotiationUpdate) => this.room(u.negotiation_id).updates.push(u));
    socket.on('server-shutdown', () => this.shutdownNotices++);
    socket.on('error', (e: { code: string; message: string; event?: string }) => this.errors.push(e));
    return new Promise((resolve, reject) => {
      // the engine can connect and then lose the connection before the namespace handshake ends (a
      // gateway going down): that is neither 'connect' nor 'connect_error', so give up after a while
      const fail = (err: Error) => {
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.close();
        reject(err);
      };
      const timer = setTimeout(
        () => fail(new Error(`${this.name}: no handshake from ${url}`)),
        (this.opts.connectTimeoutMs ?? 4000) + 1000,
      );
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('disconnect', early);
        this.socket = socket;
        this.connects++;
        socket.on('disconnect', () => {
          this.disconnects++;
          if (this.socket === socket) this.socket = null;
          this.scheduleReconnect();
        });
        if (this.connects > 1) this.resumed = this.resume();
        resolve();
      });
      const early = () => fail(new Error(`${this.name}: connection to ${url} closed during the handshake`));
      socket.once('disconnect', early);
      socket.once('connect_error', (err) => fail(err));
    });
  }

  /** After a reconnect: rejoin every room, then fill the gap from the watermark. */
  private async resume(): Promise<void> {
    for (const id of this.rooms.keys()) {
      // a join can fail while the server is degraded (e.g. Redis restarting): try again, bounded
      for (let attempt = 0; attempt < 10; attempt++) {
        try {
          const ack = await this.join(id);
          if (ack.ok) {
            await this.sync(id);
            break;
          }
        } catch {
          // the connection dropped again: the next reconnect resumes again
          if (!this.connected) return;
        }
        await sleep(500);
      }
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnecting) return;
    this.reconnecting = (async () => {
      let delay = 150 + Math.random() * 150;
      for (let i = 0; i < 400 && !this.closed; i++) {
        await sleep(delay);
        try {
          await this.open(this.opts.urls[this.urlIndex]);
          return;
        } catch {
          this.failedConnects++;
          this.urlIndex = (this.urlIndex + 1) % this.opts.urls.length;
          delay = Math.min(delay * 1.5, 1000);
        }
      }
    })().finally(() => {
      this.reconnecting = null;
    });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
