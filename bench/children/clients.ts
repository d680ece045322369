import { performance } from 'node:perf_hooks';
import type { Socket } from 'socket.io-client';
import { serve } from '../lib/rpc';
import { connect, emitAck } from '../lib/sockets';
import { pool, sleep } from '../lib/stats';

/**
 * A load-generating process: real socket.io clients (websocket transport) that join rooms and send
 * the events a browser sends. Both parties of a room live in the same process, so send and receive
 * times come from one clock.
 */

const sockets: Socket[] = [];
const track = (s: Socket) => {
  sockets.push(s);
  return s;
};
function closeAll(): void {
  for (const s of sockets.splice(0)) s.close();
}

// ---------------------------------------------------------------- chat fan-out

interface Room {
  id: string;
  a: Socket;
  b: Socket;
  inFlight: number;
}
/** Room sets by target server, so the servers compared can be driven in alternating steps. */
const roomSets = new Map<string, Room[]>();
let step = 0;

async function chatOpen(args: { set: string; url: string; rooms: { id: string; a: string; b: string }[]; concurrency?: number }) {
  const t0 = performance.now();
  const rooms = await pool(args.rooms, args.concurrency ?? 20, async (r) => {
    const a = track(await connect(args.url, r.a));
    const b = track(await connect(args.url, r.b));
    for (const s of [a, b]) {
      const ack = await emitAck(s, 'join-negotiation', { negotiation_id: r.id });
      if (!ack.ok) throw new Error(`join ${r.id}: ${JSON.stringify(ack.error)}`);
    }
    return { id: r.id, a, b, inFlight: 0 };
  });
  roomSets.set(args.set, rooms);
  return { rooms: rooms.length, ms: performance.now() - t0 };
}

/**
 * One step of offered load: `rate` messages/s across this process's rooms, open loop, for
 * `durationMs`. Each room alternates its sender; a room with `maxInFlight` unacknowledged messages
 * skips its turn (counted), so an overloaded server shows as lower achieved rate, not an unbounded queue.
 * Latency is send → `message-received` at the other party.
 */
async function chatStep(args: { set: string; rate: number; durationMs: number; maxInFlight: number; drainMs: number }) {
  const rooms = roomSets.get(args.set);
  if (!rooms) throw new Error(`no rooms opened for ${args.set}`);
  const id = ++step;
  const latencies: number[] = [];
  const ackLatencies: number[] = [];
  let sent = 0;
  let skipped = 0;
  let acked = 0;
  let ackFailed = 0;
  let deliveredInWindow = 0;
  let errorSample = '';
  const start = performance.now();
  const end = start + args.durationMs;
  const listeners: [Socket, (m: any) => void][] = [];
  for (const room of rooms) {
    for (const [me, role] of [
      [room.a, 'a'],
      [room.b, 'b'],
    ] as const) {
      const onMessage = (m: { content?: string }) => {
        const parts = typeof m?.content === 'string' ? m.content.split(' ') : [];
        if (parts[0] !== 'bench' || Number(parts[1]) !== id || parts[2] === role) return;
        const now = performance.now();
        latencies.push(now - Number(parts[3]));
        if (now <= end) deliveredInWindow++;
      };
      me.on('message-received', onMessage);
      listeners.push([me, onMessage]);
    }
  }
  let cursor = 0;
  let seqNo = 0;
  const sendOne = () => {
    const room = rooms[cursor++ % rooms.length];
    if (room.inFlight >= args.maxInFlight) {
      skipped++;
      return;
    }
    const fromA = seqNo % 2 === 0;
    const socket = fromA ? room.a : room.b;
    const t0 = performance.now();
    const n = seqNo++;
    room.inFlight++;
    sent++;
    emitAck(socket, 'send-message', {
      negotiation_id: room.id,
      content: `bench ${id} ${fromA ? 'a' : 'b'} ${t0.toFixed(3)}`,
      type: 'user',
      client_message_id: `s${id}-${n}`,
    }).then(
      (r) => {
        room.inFlight--;
        if (r.ok) {
          acked++;
          ackLatencies.push(performance.now() - t0);
        } else {
          ackFailed++;
          errorSample ||= JSON.stringify(r.error);
        }
      },
      (e: Error) => {
        room.inFlight--;
        ackFailed++;
        errorSample ||= e.message;
      },
    );
  };
  let due = 0;
  while (performance.now() < end) {
    const shouldHave = Math.floor(((performance.now() - start) / 1000) * args.rate);
    const burst = Math.min(shouldHave - due, Math.max(50, Math.ceil(args.rate / 50)));
    for (let i = 0; i < burst; i++) sendOne();
    due += burst;
    await sleep(2);
  }
  const offered = due;
  const drainUntil = performance.now() + args.drainMs;
  while (rooms.some((r) => r.inFlight > 0) && performance.now() < drainUntil) await sleep(10);
  await sleep(50);
  for (const [s, fn] of listeners) s.off('message-received', fn);
  return { offered, sent, skipped, acked, ackFailed, deliveredInWindow, windowMs: args.durationMs, latencies, ackLatencies, errorSample };
}

// ---------------------------------------------------------------- idle connections

async function idleOpen(args: { url: string; tokens: string[]; concurrency: number }) {
  const t0 = performance.now();
  let failed = 0;
  let errorSample = '';
  await pool(args.tokens, args.concurrency, async (token) => {
    try {
      track(await connect(args.url, token, 30_000));
    } catch (e) {
      failed++;
      errorSample ||= (e as Error).message;
    }
  });
  return { connected: sockets.filter((s) => s.connected).length, failed, errorSample, ms: performance.now() - t0 };
}

function connectedCount() {
  return { connected: sockets.filter((s) => s.connected).length, total: sockets.length };
}

// ---------------------------------------------------------------- agreements

interface Pending {
  id: string;
  b: Socket;
  terms: { price: number; quantity: number };
}
let agreeQueue: Pending[] = [];

/**
 * Every pair's two teams connect once and join all their negotiations; the first party (A) agrees
 * to the terms on each, so each negotiation waits for the second agreement.
 */
async function agreeOpen(args: { url: string; pairs: { a: string; b: string; ids: string[] }[]; concurrency?: number }) {
  const t0 = performance.now();
  let failures = 0;
  let errorSample = '';
  agreeQueue = [];
  const terms = { price: 1, quantity: 1 };
  await pool(args.pairs, args.concurrency ?? 8, async (pair) => {
    const a = track(await connect(args.url, pair.a));
    const b = track(await connect(args.url, pair.b));
    for (const id of pair.ids) {
      const joins = await Promise.all([
        emitAck(a, 'join-negotiation', { negotiation_id: id }),
        emitAck(b, 'join-negotiation', { negotiation_id: id }),
      ]);
      const agreed = await emitAck(a, 'agree-offer', { negotiation_id: id, terms });
      if (!joins.every((j) => j.ok) || !agreed.ok) {
        failures++;
        errorSample ||= JSON.stringify(agreed.error ?? joins.find((j) => !j.ok)?.error);
        continue;
      }
      agreeQueue.push({ id, b, terms });
    }
  });
  // interleave pairs so consecutive settlements involve different teams
  agreeQueue.sort((x, y) => x.id.split('_').at(-1)!.localeCompare(y.id.split('_').at(-1)!) || x.id.localeCompare(y.id));
  return { ready: agreeQueue.length, failures, errorSample, ms: performance.now() - t0 };
}

/**
 * The second agreement on `count` negotiations at `rate`/s; latency is the emit of that
 * `agree-offer` → the `negotiation-update` for it at the same client.
 */
async function agreeRun(args: { rate: number; count: number; timeoutMs: number }) {
  const batch = agreeQueue.splice(0, args.count);
  const sentAt = new Map<string, number>();
  /** wall-clock (Date.now) send, ack and update per negotiation, to line up with the queue's event times */
  const wall = new Map<string, { sent: number; ack?: number; update?: number }>();
  const latencies: number[] = [];
  /** when each of `latencies` was sent (epoch ms, to lay it beside the worker's sweep passes) */
  const sentEpochMs: number[] = [];
  const statuses: Record<string, number> = {};
  let ackFailed = 0;
  /** acks that did not come within emitAck's 10 s (socket.io's "operation has timed out"): late, not refused */
  let ackLate = 0;
  let errorSample = '';
  const bySocket = new Set(batch.map((p) => p.b));
  let lastUpdateMs = 0;
  const onUpdate = (u: { negotiation_id: string; status: string }) => {
    const t0 = sentAt.get(u.negotiation_id);
    if (t0 === undefined) return;
    sentAt.delete(u.negotiation_id);
    const w = wall.get(u.negotiation_id);
    if (w) w.update = Date.now();
    const now = performance.now();
    latencies.push(now - t0);
    sentEpochMs.push(performance.timeOrigin + t0);
    lastUpdateMs = now - start;
    statuses[u.status] = (statuses[u.status] ?? 0) + 1;
  };
  const start = performance.now();
  for (const s of bySocket) s.on('negotiation-update', onUpdate);
  for (let i = 0; i < batch.length; i++) {
    const at = start + (i * 1000) / args.rate;
    const wait = at - performance.now();
    if (wait > 1) await sleep(wait);
    const p = batch[i];
    sentAt.set(p.id, performance.now());
    const w: { sent: number; ack?: number; update?: number } = { sent: Date.now() };
    wall.set(p.id, w);
    emitAck(p.b, 'agree-offer', { negotiation_id: p.id, terms: p.terms }).then(
      (r) => {
        w.ack = Date.now();
        if (!r.ok) {
          ackFailed++;
          errorSample ||= JSON.stringify(r.error);
        }
      },
      (e: Error) => {
        if (e.message === ACK_TIMED_OUT) ackLate++;
        else {
          ackFailed++;
          errorSample ||= e.message;
        }
      },
    );
  }
  const sendMs = performance.now() - start;
  const until = performance.now() + args.timeoutMs;
  while (sentAt.size > 0 && performance.now() < until) await sleep(20);
  for (const s of bySocket) s.off('negotiation-update', onUpdate);
  return {
    sent: batch.length,
    sendMs,
    lastUpdateMs,
    updates: latencies.length,
    missing: sentAt.size,
    ackFailed,
    ackLate,
    errorSample,
    latencies,
    sentEpochMs,
    statuses,
    wall: [...wall].map(([id, w]) => ({ id, ...w })),
  };
}

/** socket.io-client's error when `timeout(ms).emitWithAck` gets no ack in time. */
const ACK_TIMED_OUT = 'operation has timed out';

// ---------------------------------------------------------------- AI practice

interface Student {
  id: string;
  token: string;
  socket: Socket;
  /** messages sent in the current negotiation */
  turns: number;
}
let students: Student[] = [];
let aiRuns = 0;
let aiSetup: { url: string; scenarioId: string; turnsPerNegotiation: number } | null = null;

/** What a student says: ordinary lines, no numbers, so the engine hears talk, not offers. */
const LINES = [
  'Can you do better than that?',
  'That is still too far from what I need.',
  'I could move a little if you move too.',
  'What matters most to you in this deal?',
  'I have another option, so I need a fair offer.',
  'Let us find something that works for both of us.',
];

async function aiOpen(args: { url: string; students: { token: string; id: string }[]; scenarioId: string; turnsPerNegotiation: number }) {
  aiSetup = { url: args.url, scenarioId: args.scenarioId, turnsPerNegotiation: args.turnsPerNegotiation };
  students = await pool(args.students, 10, async (s) => {
    const socket = track(await connect(args.url, s.token));
    const ack = await emitAck(socket, 'join-negotiation', { negotiation_id: s.id });
    if (!ack.ok) throw new Error(`join ${s.id}: ${JSON.stringify(ack.error)}`);
    return { id: s.id, token: s.token, socket, turns: 0 };
  });
  return { students: students.length };
}

/**
 * A real conversation is a few dozen turns: after `turnsPerNegotiation` a student opens a new AI
 * negotiation (POST /api/negotiations, as the web client does) and joins it. Not timed.
 */
async function freshNegotiation(st: Student): Promise<void> {
  const { url, scenarioId } = aiSetup!;
  const res = await fetch(`${url}/api/negotiations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${st.token}` },
    body: JSON.stringify({ scenario_id: scenarioId }),
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`POST /api/negotiations: ${res.status} ${await res.text()}`);
  const created = (await res.json()) as { negotiation_id: string };
  await emitAck(st.socket, 'leave-negotiation', { negotiation_id: st.id });
  const ack = await emitAck(st.socket, 'join-negotiation', { negotiation_id: created.negotiation_id });
  if (!ack.ok) throw new Error(`join ${created.negotiation_id}: ${JSON.stringify(ack.error)}`);
  st.id = created.negotiation_id;
  st.turns = 0;
}

/**
 * Closed loop: every student sends a message, waits for the AI's reply (`ai-message`), sends the
 * next, until `durationMs`. Latency: send → `ai-message`; the student's own `message-received` in
 * the same exchange is the plain-chat floor it is compared with.
 */
async function aiRun(args: { durationMs: number; warmupMs: number; replyTimeoutMs: number; students?: number }) {
  const run = ++aiRuns;
  const latencies: number[] = [];
  const echo: number[] = [];
  let replies = 0;
  let repliesInWindow = 0;
  let errors = 0;
  let timeouts = 0;
  let errorSample = '';
  const start = performance.now();
  const end = start + args.durationMs;
  // steady state only: replies that arrive after the warm-up (the loop starts with every queue empty)
  const from = start + args.warmupMs;
  const loop = async (st: Student, index: number) => {
    let n = 0;
    while (performance.now() < end) {
      if (st.turns >= aiSetup!.turnsPerNegotiation) {
        try {
          await freshNegotiation(st);
        } catch (e) {
          errors++;
          errorSample ||= (e as Error).message;
          await sleep(500);
          continue;
        }
      }
      st.turns++;
      const t0 = performance.now();
      const content = LINES[(n + index) % LINES.length];
      const cmid = `ai${run}-${index}-${n}`;
      const outcome = await new Promise<'reply' | 'error' | 'timeout'>((resolve) => {
        let mySeq: number | null = null;
        let settled = false;
        const done = (r: 'reply' | 'error' | 'timeout') => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          st.socket.off('ai-message', onAi);
          st.socket.off('message-received', onEcho);
          st.socket.off('error', onError);
          resolve(r);
        };
        const onAi = (m: { negotiation_id: string; reply_to?: number }) => {
          if (m.negotiation_id !== st.id) return;
          if (mySeq !== null && m.reply_to !== undefined && m.reply_to < mySeq) return;
          const now = performance.now();
          if (t0 >= from) latencies.push(now - t0);
          replies++;
          if (now >= from && now <= end) repliesInWindow++;
          done('reply');
        };
        const onEcho = (m: { negotiation_id: string; client_message_id?: string }) => {
          if (m.negotiation_id === st.id && m.client_message_id === cmid && t0 >= from) echo.push(performance.now() - t0);
        };
        const onError = (e: { code?: string; negotiation_id?: string }) => {
          if (e?.negotiation_id !== st.id) return;
          errors++;
          errorSample ||= JSON.stringify(e);
          done('error');
        };
        const timer = setTimeout(() => {
          timeouts++;
          done('timeout');
        }, args.replyTimeoutMs);
        st.socket.on('ai-message', onAi);
        st.socket.on('message-received', onEcho);
        st.socket.on('error', onError);
        emitAck(st.socket, 'send-message', { negotiation_id: st.id, content, type: 'user', client_message_id: cmid }).then(
          (r) => {
            if (r.ok) mySeq = r.data.seq;
            else {
              errors++;
              errorSample ||= JSON.stringify(r.error);
              done('error');
            }
          },
          () => done('timeout'),
        );
      });
      n++;
      if (outcome !== 'reply') await sleep(100);
    }
  };
  await Promise.all(students.slice(0, args.students ?? students.length).map((s, i) => loop(s, i)));
  return { replies, repliesInWindow, windowMs: args.durationMs - args.warmupMs, errors, timeouts, errorSample, latencies, echo };
}

serve({ chatOpen, chatStep, idleOpen, connectedCount, agreeOpen, agreeRun, aiOpen, aiRun, closeAll: () => closeAll() }, async () =>
  closeAll(),
);
