import { performance } from 'node:perf_hooks';
import type { Socket } from 'socket.io-client';
import { serve } from '../lib/rpc';
import { connect, emitAck } from '../lib/sockets';
import { pool, sleep } from '../lib/stats';

/**
 * The students of the class-sized soak: real socket.io clients that chat at human rates. Peer
 * students join a class session by its code and play the round's role-play with their partner (chat,
 * offers, agreement); AI students practise alone against the ai-worker. Both seats of a pair live in
 * this process, so send and deliver times come from one clock.
 */

interface Student {
  email: string;
  token: string;
  socket: Socket;
  negotiationId: string;
  /** client message ids of this student's lines the server acknowledged, by negotiation */
  acked: Map<string, string[]>;
}

interface Pacing {
  durationMs: number;
  /** the pause between two lines of one student: uniform in [minGapMs, maxGapMs] */
  minGapMs: number;
  maxGapMs: number;
}

/** What a line's journey looked like, summed over a run. */
interface Tally {
  sent: number;
  acked: number;
  refused: number;
  refusedSample: string;
  deliverMs: number[];
}

const newTally = (): Tally => ({ sent: 0, acked: 0, refused: 0, refusedSample: '', deliverMs: [] });
const gap = (p: Pacing) => p.minGapMs + Math.random() * (p.maxGapMs - p.minGapMs);

const LINES = [
  'Hello, shall we start with what matters most to each of us?',
  'That is still too far from what I had in mind.',
  'I could move a little if you move too.',
  'What would make this work for you?',
  'I have another option, so I need a fair deal.',
  'Let us find something that works for both of us.',
];

const sockets: Socket[] = [];
async function open(url: string, token: string): Promise<Socket> {
  const s = await connect(url, token, 30_000);
  sockets.push(s);
  return s;
}

/** An HTTP call as the web client makes it; a refused connection (a loaded machine) is tried again, at most 3 times. */
async function api<T>(url: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(`${url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (e) {
      if (attempt >= 3)
        throw new Error(`${method} ${path}: ${(e as Error).message} (${String((e as { cause?: unknown }).cause ?? '')})`, { cause: e });
      await sleep(1000 * attempt);
      continue;
    }
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }
}

/**
 * Sends one line and waits for its acknowledgement; the caller counts the delivery. Returns the seq
 * the server gave it, or null when it was refused (counted, with a sample of the reason).
 */
async function sendLine(st: Student, tally: Tally, cmid: string, content: string): Promise<number | null> {
  tally.sent++;
  const r = await emitAck(
    st.socket,
    'send-message',
    { negotiation_id: st.negotiationId, content, type: 'user', client_message_id: cmid },
    30_000,
  ).catch((e: Error) => ({ ok: false, error: { code: 'ACK_TIMEOUT', message: e.message } }) as const);
  if (!r.ok) {
    tally.refused++;
    tally.refusedSample ||= JSON.stringify(r.error);
    return null;
  }
  tally.acked++;
  const list = st.acked.get(st.negotiationId) ?? [];
  list.push(cmid);
  st.acked.set(st.negotiationId, list);
  return (r as { data: { seq: number } }).data.seq;
}

const ackedLines = (list: Student[]) =>
  list.flatMap((st) => [...st.acked].map(([negotiationId, cmids]) => ({ email: st.email, negotiationId, cmids })));

// ---------------------------------------------------------------- peer role-play

interface Seat extends Student {
  role?: string;
}
interface Pair {
  negotiationId: string;
  a: Seat;
  b: Seat;
  phase: 'chat' | 'offers' | 'done';
  inFlight: Set<Promise<unknown>>;
}
let seats: Seat[] = [];
let pairs: Pair[] = [];

/** Each student joins the session by its code (HTTP), connects, joins the session room and waits for a round. */
async function peerJoin(args: { url: string; code: string; sessionId: string; students: { email: string; token: string }[] }) {
  const t0 = performance.now();
  seats = await pool(args.students, 10, async (s) => {
    await api(args.url, s.token, 'POST', '/api/sessions/join', { code: args.code });
    const socket = await open(args.url, s.token);
    const seat: Seat = { ...s, socket, negotiationId: '', acked: new Map() };
    socket.on('round-started', (p: { negotiation_id: string; role: string }) => {
      seat.negotiationId = p.negotiation_id;
      seat.role = p.role;
    });
    const ack = await emitAck(socket, 'join-session', { session_id: args.sessionId });
    if (!ack.ok) throw new Error(`join-session: ${JSON.stringify(ack.error)}`);
    return seat;
  });
  return { joined: seats.length, ms: performance.now() - t0 };
}

/** After the instructor started the round: every student heard round-started (bounded) and joins their negotiation. */
async function peerPair(args: { timeoutMs: number; buyerRole: string }) {
  const until = performance.now() + args.timeoutMs;
  while (seats.some((s) => !s.negotiationId) && performance.now() < until) await sleep(50);
  const missing = seats.filter((s) => !s.negotiationId).length;
  const byId = new Map<string, Seat[]>();
  for (const s of seats.filter((x) => x.negotiationId)) byId.set(s.negotiationId, [...(byId.get(s.negotiationId) ?? []), s]);
  pairs = [];
  for (const [negotiationId, two] of byId) {
    if (two.length !== 2) continue;
    const [a, b] = two[0].role === args.buyerRole ? two : [two[1], two[0]];
    pairs.push({ negotiationId, a, b, phase: 'chat', inFlight: new Set() });
  }
  await pool(
    pairs.flatMap((p) => [p.a, p.b]),
    10,
    async (s) => {
      const ack = await emitAck(s.socket, 'join-negotiation', { negotiation_id: s.negotiationId });
      if (!ack.ok) throw new Error(`join-negotiation: ${JSON.stringify(ack.error)}`);
    },
  );
  return { pairs: pairs.length, missingRoundStarted: missing };
}

/**
 * Every pair chats for `durationMs`, each student a line every minGap..maxGap; at a random moment in
 * the second half of the run the pair stops talking and bargains through the offer events: the buyer
 * opens low, the seller high, the buyer meets in the middle, both agree. Send → deliver is measured
 * at the partner's `message-received`; agree → settled is the second `agree-offer` to both seats'
 * `negotiation-update` with status completed.
 */
async function peerRun(args: Pacing & { prices: { open: number; ask: number; deal: number }; settleTimeoutMs: number }) {
  const chat = newTally();
  const sentAt = new Map<string, number>();
  let delivered = 0;
  let duplicates = 0;
  let offers = 0;
  let offersRefused = 0;
  let offerSample = '';
  const settleMs: number[] = [];
  let settled = 0;
  let unsettled = 0;
  const start = performance.now();
  const end = start + args.durationMs;

  for (const p of pairs) {
    for (const [me, other] of [
      [p.a, p.b],
      [p.b, p.a],
    ] as const) {
      me.socket.on('message-received', (m: { negotiation_id: string; client_message_id?: string; user?: string }) => {
        const cmid = m.client_message_id;
        if (m.negotiation_id !== p.negotiationId || !cmid || !cmid.startsWith(`${other.email.split('@')[0]}-`)) return;
        const t0 = sentAt.get(cmid);
        if (t0 === undefined) {
          duplicates++;
          return;
        }
        sentAt.delete(cmid);
        delivered++;
        chat.deliverMs.push(performance.now() - t0);
      });
    }
  }

  const talk = async (p: Pair, st: Seat) => {
    const tag = st.email.split('@')[0];
    await sleep(Math.random() * args.maxGapMs);
    for (let n = 0; p.phase === 'chat' && performance.now() < end; n++) {
      const cmid = `${tag}-${n}`;
      sentAt.set(cmid, performance.now());
      const sending = sendLine(st, chat, cmid, LINES[n % LINES.length]);
      p.inFlight.add(sending);
      if ((await sending) === null) sentAt.delete(cmid);
      p.inFlight.delete(sending);
      await sleep(gap(args));
    }
  };

  const offer = async (st: Seat, event: 'propose-offer' | 'agree-offer', price: number) => {
    const r = await emitAck(st.socket, event, { negotiation_id: st.negotiationId, terms: { price } }, 30_000).catch((e: Error) => ({
      ok: false,
      error: { code: 'ACK_TIMEOUT', message: e.message },
    }));
    offers++;
    if (!r.ok) {
      offersRefused++;
      offerSample ||= JSON.stringify(r.error);
    }
    return r.ok;
  };

  const bargain = async (p: Pair) => {
    const at = start + args.durationMs * (0.5 + 0.45 * Math.random());
    while (performance.now() < at && performance.now() < end) await sleep(Math.min(1000, at - performance.now()));
    p.phase = 'offers';
    await Promise.all([...p.inFlight]);
    const { open: low, ask, deal } = args.prices;
    const ok =
      (await offer(p.a, 'propose-offer', low)) &&
      (await offer(p.b, 'propose-offer', ask)) &&
      (await offer(p.a, 'propose-offer', deal)) &&
      (await offer(p.b, 'agree-offer', deal));
    if (!ok) {
      unsettled++;
      p.phase = 'done';
      return;
    }
    const completed = (s: Seat) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          s.socket.off('negotiation-update', on);
          resolve(false);
        }, args.settleTimeoutMs);
        const on = (u: { negotiation_id: string; status: string }) => {
          if (u.negotiation_id !== p.negotiationId || u.status !== 'completed') return;
          clearTimeout(timer);
          s.socket.off('negotiation-update', on);
          resolve(true);
        };
        s.socket.on('negotiation-update', on);
      });
    const both = Promise.all([completed(p.a), completed(p.b)]);
    const t0 = performance.now();
    const agreed = await offer(p.a, 'agree-offer', deal);
    const heard = await both;
    if (agreed && heard.every(Boolean)) {
      settled++;
      settleMs.push(performance.now() - t0);
    } else unsettled++;
    p.phase = 'done';
  };

  await Promise.all(pairs.flatMap((p) => [talk(p, p.a), talk(p, p.b), bargain(p)]));
  // deliveries still on their way: bounded wait
  const drainUntil = performance.now() + 30_000;
  while (sentAt.size > 0 && performance.now() < drainUntil) await sleep(50);
  return {
    ...chat,
    delivered,
    undelivered: sentAt.size,
    duplicates,
    offers,
    offersRefused,
    offerSample,
    settled,
    unsettled,
    settleMs,
    lines: ackedLines(seats),
    negotiations: pairs.map((p) => ({ email: p.a.email, negotiationId: p.negotiationId })),
  };
}

// ---------------------------------------------------------------- AI practice

let learners: Student[] = [];
let scenario = '';

/** Each student opens an AI practice (POST /api/negotiations, as the web client does) and joins it. */
async function aiJoin(args: { url: string; scenarioId: string; students: { email: string; token: string }[] }) {
  const t0 = performance.now();
  scenario = args.scenarioId;
  learners = await pool(args.students, 10, async (s) => {
    const socket = await open(args.url, s.token);
    const st: Student = { ...s, socket, negotiationId: '', acked: new Map() };
    await practise(args.url, st);
    return st;
  });
  return { joined: learners.length, ms: performance.now() - t0 };
}

async function practise(url: string, st: Student): Promise<void> {
  const created = await api<{ negotiation_id: string }>(url, st.token, 'POST', '/api/negotiations', { scenario_id: scenario });
  if (st.negotiationId) await emitAck(st.socket, 'leave-negotiation', { negotiation_id: st.negotiationId });
  const ack = await emitAck(st.socket, 'join-negotiation', { negotiation_id: created.negotiation_id });
  if (!ack.ok) throw new Error(`join-negotiation: ${JSON.stringify(ack.error)}`);
  st.negotiationId = created.negotiation_id;
}

/**
 * Every student sends a line, waits for the AI's answer (`ai-message` replying to it), thinks for
 * minGap..maxGap and sends the next, for `durationMs`; after `turnsPerPractice` lines, or when the
 * AI closed the negotiation, they open a new practice. Send → deliver is the student's own
 * `message-received`; send → AI reply the `ai-message`.
 */
async function aiRun(args: Pacing & { url: string; turnsPerPractice: number; replyTimeoutMs: number }) {
  const chat = newTally();
  const replyMs: number[] = [];
  let replyTimeouts = 0;
  let practices = learners.length;
  let reopenErrors = 0;
  let errorSample = '';
  const end = performance.now() + args.durationMs;

  const learn = async (st: Student, index: number) => {
    const tag = st.email.split('@')[0];
    await sleep(Math.random() * args.maxGapMs);
    for (let n = 0, turns = 0; performance.now() < end; n++) {
      if (turns >= args.turnsPerPractice) {
        try {
          await practise(args.url, st);
          practices++;
          turns = 0;
        } catch (e) {
          reopenErrors++;
          errorSample ||= (e as Error).message;
          await sleep(gap(args));
          continue;
        }
      }
      const cmid = `${tag}-${n}`;
      const t0 = performance.now();
      let seq: number | null = null;
      const echoed = new Promise<void>((resolve) => {
        const on = (m: { negotiation_id: string; client_message_id?: string }) => {
          if (m.negotiation_id !== st.negotiationId || m.client_message_id !== cmid) return;
          chat.deliverMs.push(performance.now() - t0);
          st.socket.off('message-received', on);
          resolve();
        };
        st.socket.on('message-received', on);
        setTimeout(() => {
          st.socket.off('message-received', on);
          resolve();
        }, args.replyTimeoutMs).unref();
      });
      const replied = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          st.socket.off('ai-message', on);
          resolve(false);
        }, args.replyTimeoutMs);
        const on = (m: { negotiation_id: string; reply_to?: number }) => {
          if (m.negotiation_id !== st.negotiationId || (seq !== null && m.reply_to !== undefined && m.reply_to < seq)) return;
          clearTimeout(timer);
          st.socket.off('ai-message', on);
          resolve(true);
        };
        st.socket.on('ai-message', on);
      });
      seq = await sendLine(st, chat, cmid, LINES[(n + index) % LINES.length]);
      turns++;
      if (seq === null) {
        // the AI ended this practice (or the line was refused): the next line starts a new one
        turns = args.turnsPerPractice;
      } else {
        if (await replied) replyMs.push(performance.now() - t0);
        else replyTimeouts++;
        await echoed;
      }
      await sleep(gap(args));
    }
  };

  await Promise.all(learners.map((st, i) => learn(st, i)));
  return { ...chat, replyMs, replyTimeouts, practices, reopenErrors, errorSample, lines: ackedLines(learners) };
}

serve({ peerJoin, peerPair, peerRun, aiJoin, aiRun }, async () => {
  for (const s of sockets.splice(0)) s.close();
});
