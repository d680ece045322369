import { Cluster, Service, sleep, until } from '../support/cluster';
import { http } from '../support/harness';
import { recordSuite } from '../support/reliability-report';
import { TrackedClient } from '../support/cluster-client';
import { SendRecord, summarize, syncAll, undelivered, verifyAi, verifyChat } from '../support/cluster-checks';
import { auditDisk, danglingLinks, holdingsFromFiles, tradeProblems } from '../support/cluster-disk';
import { PRACTICE_LINES, World, cmid } from '../support/cluster-world';

/**
 * Parley scaled out: 2 gateways, 2 ai-workers and 2 agreement-workers as separate processes on one
 * Redis and one DATA_DIR, with the clients of every room split across the two gateways.
 *
 * Phase A (no faults): every message, typing event, AI reply and negotiation update reaches every
 * client of its room exactly once, whichever gateway each is on; the per-user message limit is
 * counted once across both gateways.
 * Phase B (faults under load): chat, AI practice and trades run while one gateway, one ai-worker and
 * one agreement-worker are killed with SIGKILL; the gateway and the agreement-worker come back, the
 * ai-worker does not. Afterwards nothing acknowledged is lost and nothing happened twice.
 */

const LIMIT = 60; // MESSAGES_PER_MINUTE: the load stays under it, the flood user goes over it
const LOAD_MS = 15_000;
const TRADERS = ['ana', 'ben', 'cai', 'dee', 'eli', 'fay'].map((n) => `${n}@uni.edu`);
const STUDENTS = ['sam', 'sia', 'sol', 'sue'].map((n) => `${n}@uni.edu`);
const PROF = 'prof@uni.edu';
const FLOOD = ['flo@uni.edu', 'fox@uni.edu'];

interface Trade {
  id: string;
  seller: string;
  buyer: string;
  terms: { price: number; quantity: number };
  /** Both agree-offer events were acknowledged. */
  agreed: boolean;
  phase: 'A' | 'B';
}

describe('cluster: 2 gateways, 2 ai-workers, 2 agreement-workers as processes', () => {
  const world = new World();
  let cluster: Cluster;
  let gw1: Service, gw2: Service;
  const sends: SendRecord[] = [];
  const trades: Trade[] = [];
  const practices = new Map<string, string>(); // student → negotiation id
  const tabs = new Map<string, TrackedClient[]>(); // email → its clients (one per gateway)
  let prof: TrackedClient;
  const started = Date.now();
  const faults: string[] = [];

  const urls = () => [gw1.url, gw2.url];
  const aliveUrl = () => (gw1.running ? gw1.url : gw2.url);
  const tab = (email: string, i: number) => tabs.get(email)![i];

  beforeAll(async () => {
    await world.addTeams([...TRADERS, ...STUDENTS, ...FLOOD]);
    await world.addTeams([PROF], 'instructor');
    cluster = new Cluster({
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      redisPrefix: world.redisPrefix,
      dataDir: world.dataDir,
      jwtSecret: world.jwtSecret,
      env: {
        MESSAGES_PER_MINUTE: String(LIMIT),
        SWEEP_INTERVAL_MS: '1000',
        CONNECTIONS_PER_IP: '5000',
        AI_CONCURRENCY: '4',
        AGREEMENT_CONCURRENCY: '4',
      },
    });
    [gw1, gw2] = await cluster.start([
      { kind: 'gateway', name: 'gw1' },
      { kind: 'gateway', name: 'gw2' },
      { kind: 'ai-worker', name: 'ai1' },
      { kind: 'ai-worker', name: 'ai2' },
      { kind: 'agreement-worker', name: 'agr1' },
      { kind: 'agreement-worker', name: 'agr2' },
    ]);
    // every user has one tab on each gateway (tab 0 prefers gw1, tab 1 prefers gw2)
    for (const email of [...TRADERS, ...STUDENTS, ...FLOOD]) {
      tabs.set(email, [await world.client(`${email}#gw1`, email, urls()), await world.client(`${email}#gw2`, email, [gw2.url, gw1.url])]);
    }
    prof = await world.client('prof#gw2', PROF, [gw2.url, gw1.url], 'instructor');
    console.log(`cluster up and ${world.clients.length} clients connected in ${Date.now() - started} ms`);
  }, 90_000);

  afterAll(async () => {
    world.closeClients();
    await cluster?.killAll();
    world.cleanup();
  });

  afterEach(() => {
    const state = expect.getState();
    if (state.assertionCalls !== state.numPassingAsserts) console.log(`process output:\n${cluster.diagnostics()}`);
  });

  /** Opens a trade room for a pair (seller posts, buyer responds); both tabs of both and the instructor join. */
  async function openRoom(seller: string, buyer: string, phase: Trade['phase']): Promise<Trade> {
    let id = '';
    for (let attempt = 0; attempt < 10 && !id; attempt++) {
      id = await world.openTrade(aliveUrl(), seller, buyer).catch(async () => {
        await sleep(300);
        return '';
      });
    }
    if (!id) throw new Error(`could not open a trade ${seller} → ${buyer}`);
    const t: Trade = { id, seller, buyer, terms: { price: 10 + (trades.length % 7), quantity: 5 }, agreed: false, phase };
    trades.push(t);
    await Promise.all([...tabs.get(seller)!, ...tabs.get(buyer)!, prof].map((c) => c.join(id).catch(() => undefined)));
    return t;
  }

  /** Both parties agree to the same terms (re-sent after a lost ack: agreeing twice is harmless). */
  async function agreeBoth(t: Trade, i: number): Promise<void> {
    const agree = async (c: TrackedClient) => {
      for (let k = 0; k < 5; k++) {
        const ack = await c.request('agree-offer', { negotiation_id: t.id, terms: t.terms }, 4000).catch(() => null);
        if (ack?.ok) return true;
        // an earlier attempt whose ack was lost may already have completed the trade
        if (ack && ack.error.code === 'NEGOTIATION_CLOSED') return true;
        await sleep(300);
      }
      return false;
    };
    const a = await agree(tab(t.seller, i % 2));
    const b = await agree(tab(t.buyer, (i + 1) % 2));
    t.agreed = a && b;
  }

  async function say(c: TrackedClient, id: string, content: string, deadlineMs = 20_000): Promise<SendRecord> {
    const rec: SendRecord = {
      client: c.name,
      negotiation_id: id,
      cmid: cmid('m'),
      result: { status: 'gave-up', attempts: 0, lastError: '' },
    };
    sends.push(rec);
    rec.result = await c.send(id, content, rec.cmid, deadlineMs);
    return rec;
  }

  /** Waits for the AI's reply to `seq` at any tab of the student (bounded; the disk check decides). */
  async function aiReplyTo(student: string, id: string, seq: number, ms: number): Promise<boolean> {
    return until(
      `AI reply to ${seq}`,
      () => tabs.get(student)!.some((c) => c.list(id).some((m) => m.sender_type === 'ai' && m.reply_to === seq)),
      ms,
      50,
    )
      .then(() => true)
      .catch(() => false);
  }

  it('phase A: every message, typing event, AI reply and update reaches each client of the room exactly once', async () => {
    const pairs = [0, 2, 4].map((k) => [TRADERS[k], TRADERS[k + 1]] as const);
    // a trade room per pair, not yet agreed: chat and typing first
    const rooms: string[] = [];
    for (const [seller, buyer] of pairs) {
      const id = await world.openTrade(gw1.url, seller, buyer);
      rooms.push(id);
      for (const c of [...tabs.get(seller)!, ...tabs.get(buyer)!, prof]) expect((await c.join(id)).ok).toBe(true);
    }
    for (const student of STUDENTS) {
      const id = await world.openPractice(gw2.url, student);
      practices.set(student, id);
      for (const c of [...tabs.get(student)!, prof]) expect((await c.join(id)).ok).toBe(true);
    }

    // typing: each tab of each trader types once; every other socket in the room hears it once
    pairs.forEach(([s, b], k) => [...tabs.get(s)!, ...tabs.get(b)!].forEach((c) => c.emit('typing-start', { negotiation_id: rooms[k] })));
    await sleep(1000);
    pairs.forEach(([s, b], k) => {
      const members = [...tabs.get(s)!, ...tabs.get(b)!];
      for (const receiver of [...members, prof]) {
        for (const user of [s, b]) {
          const expected = tabs.get(user)!.filter((t) => t !== receiver).length;
          expect({ receiver: receiver.name, user, got: receiver.typing.get(`${rooms[k]}|${user}|true`) ?? 0 }).toEqual({
            receiver: receiver.name,
            user,
            got: expected,
          });
        }
      }
    });

    // chat: every tab sends two lines through its own gateway
    await Promise.all(
      pairs.flatMap(([s, b], k) =>
        [...tabs.get(s)!, ...tabs.get(b)!].map(async (c) => {
          for (let j = 0; j < 2; j++) expect((await say(c, rooms[k], `hello from ${c.name} #${j}`)).result.status).toBe('acked');
        }),
      ),
    );
    // AI: each student asks once (alternating gateways); both tabs and the instructor see the reply
    await Promise.all(
      STUDENTS.map(async (student, k) => {
        const rec = await say(tab(student, k % 2), practices.get(student)!, PRACTICE_LINES[0]);
        expect(rec.result.status).toBe('acked');
        if (rec.result.status === 'acked')
          expect(await aiReplyTo(student, practices.get(student)!, rec.result.message.seq, 15_000)).toBe(true);
      }),
    );
    // a settled trade per pair: the update reaches all four tabs and the instructor
    const settled = await Promise.all(
      pairs.map(async ([s, b], k) => {
        const t: Trade = { id: rooms[k], seller: s, buyer: b, terms: { price: 12, quantity: 5 }, agreed: false, phase: 'A' };
        trades.push(t);
        const a1 = await tab(s, 0).request('agree-offer', { negotiation_id: t.id, terms: t.terms });
        const a2 = await tab(b, 1).request('agree-offer', { negotiation_id: t.id, terms: t.terms });
        t.agreed = a1.ok && a2.ok;
        return t;
      }),
    );
    expect(settled.every((t) => t.agreed)).toBe(true);
    await until(
      'negotiation-update at every tab',
      () =>
        settled.every((t) =>
          [...tabs.get(t.seller)!, ...tabs.get(t.buyer)!, prof].every((c) => c.room(t.id).updates.some((u) => u.status === 'completed')),
        ),
      15_000,
    );
    await sleep(500);

    for (const t of settled) {
      for (const c of [...tabs.get(t.seller)!, ...tabs.get(t.buyer)!, prof]) {
        expect({ client: c.name, updates: c.room(t.id).updates.filter((u) => u.status === 'completed').length }).toEqual({
          client: c.name,
          updates: 1,
        });
      }
    }
    // no reconnects happened, so everything above arrived live, and exactly once
    const v = verifyChat(auditDisk(world.dataDir), sends, world.clients);
    expect(summarize('phase A chat', v)).toBe('phase A chat: ok');
    // every client joined before the first message, so each of them arrived as a live push, once
    expect(v.recoveredBySync).toBe(0);
    expect(v.repeatPushes).toBe(0);
    for (const c of world.clients) expect({ client: c.name, reconnects: c.connects - 1 }).toEqual({ client: c.name, reconnects: 0 });
    console.log(`phase A: ${v.acknowledged} messages, ${v.deliveries} deliveries checked, ${v.inversions} out-of-order live arrivals`);
  }, 60_000);

  it('counts the per-user message limit once across both gateways', async () => {
    const id = await world.openTrade(gw1.url, FLOOD[0], FLOOD[1]);
    const [a, b] = tabs.get(FLOOD[0])!;
    await a.join(id);
    await b.join(id);
    const results = await Promise.all(
      Array.from({ length: LIMIT * 2 }, (_, i) => (i % 2 ? b : a).send(id, `flood ${i}`, cmid('flood'), 10_000)),
    );
    const acked = results.filter((r) => r.status === 'acked').length;
    const limited = results.filter((r) => r.status === 'refused' && r.code === 'RATE_LIMITED').length;
    console.log(`rate limit across 2 gateways: ${acked} acked, ${limited} RATE_LIMITED of ${LIMIT * 2} (limit ${LIMIT}/min)`);
    expect({ acked, limited }).toEqual({ acked: LIMIT, limited: LIMIT });
  }, 30_000);

  it('phase B: SIGKILL of one gateway, one ai-worker and one agreement-worker under load loses and doubles nothing', async () => {
    const deadline = Date.now() + LOAD_MS;
    const pairs = [0, 2, 4].map((k) => [TRADERS[k], TRADERS[k + 1]] as const);

    const faultPlan = (async () => {
      await sleep(3000);
      await Promise.all([gw2.kill(), cluster.get('ai1').kill(), cluster.get('agr1').kill()]);
      faults.push(`t+3 s SIGKILL gw2, ai1, agr1`);
      await sleep(3000);
      await gw2.start();
      faults.push(`t+6 s gw2 restarted`);
      await sleep(3000);
      await cluster.get('agr1').start();
      faults.push(`t+9 s agr1 restarted (ai1 stays down)`);
    })();

    const traderLoad = pairs.map(async ([seller, buyer]) => {
      let room = await openRoom(seller, buyer, 'B');
      const members = [...tabs.get(seller)!, ...tabs.get(buyer)!];
      for (let n = 1; Date.now() < deadline; n++) {
        const c = members[n % members.length];
        await say(c, room.id, `load ${n} from ${c.name}`);
        if (n % 4 === 0) {
          await agreeBoth(room, n);
          room = await openRoom(seller, buyer, 'B');
        }
        await sleep(1000);
      }
    });
    const practiceLoad = STUDENTS.map(async (student, k) => {
      const id = practices.get(student)!;
      for (let j = 1; j < PRACTICE_LINES.length - 1 && Date.now() < deadline; j++) {
        const rec = await say(tab(student, (k + j) % 2), id, PRACTICE_LINES[j]);
        if (rec.result.status === 'acked') await aiReplyTo(student, id, rec.result.message.seq, 8000);
      }
    });
    await Promise.all([faultPlan, ...traderLoad, ...practiceLoad]);

    // two practices end in a scored deal: the student agrees to the AI's standing terms
    const completedPractices: string[] = [];
    for (const student of STUDENTS.slice(0, 2)) {
      const id = practices.get(student)!;
      const state = await tab(student, 0).request('join-negotiation', { negotiation_id: id });
      const ai = state.ok ? state.data.state.offers.find((o: any) => o.user === 'ai') : null;
      if (!ai?.offer) continue;
      const { timestamp: _t, ...terms } = ai.offer;
      const ack = await tab(student, 1).request('agree-offer', { negotiation_id: id, terms });
      if (ack.ok) completedPractices.push(id);
    }

    // drain: every agreed trade settled, every student line answered, every client back and resynced
    await until(
      'agreed trades settled',
      () => {
        const audit = auditDisk(world.dataDir);
        return trades.filter((t) => t.agreed).every((t) => audit.negotiations.get(t.id)?.outcome?.status === 'completed');
      },
      20_000,
      250,
    ).catch((e) => console.log(String(e)));
    await until('AI replies', () => verifyAi(auditDisk(world.dataDir), [...practices.values()]).unanswered === 0, 20_000, 250).catch((e) =>
      console.log(String(e)),
    );
    await until(
      'completed practices',
      () => completedPractices.every((id) => auditDisk(world.dataDir).negotiations.get(id)?.outcome),
      15_000,
      250,
    ).catch((e) => console.log(String(e)));
    // a settler killed between archiving and moving the responder's link leaves it dangling until the next sweep
    await until('responder links repaired', () => danglingLinks(world.dataDir).length === 0, 10_000, 250).catch((e) =>
      console.log(String(e)),
    );
    await Promise.all(world.clients.map((c) => c.settled()));
    await sleep(1000);
    // everything on disk reaches every client of its room without a final sync: live, by the rejoin +
    // sync after a reconnect, or (an AI reply whose worker died before telling the room) when the
    // retried job sends it again
    await until('every message delivered', () => undelivered(auditDisk(world.dataDir), world.clients).length === 0, 10_000, 250).catch(
      () => undefined,
    );
    const liveGaps = undelivered(auditDisk(world.dataDir), world.clients);
    const syncFailures = await syncAll(world.clients);

    const audit = auditDisk(world.dataDir);
    const chat = verifyChat(audit, sends, world.clients);
    const ai = verifyAi(audit, [...practices.values()]);
    const tradesOnDisk = tradeProblems(audit);
    const agreed = trades.filter((t) => t.agreed);
    const unsettled = agreed.filter((t) => audit.negotiations.get(t.id)?.outcome?.status !== 'completed');
    const reconnects = world.clients.reduce((n, c) => n + c.connects - 1, 0);
    const doubleUpdates = world.clients.flatMap((c) =>
      [...c.rooms.values()].filter((r) => r.updates.filter((u) => u.status === 'completed').length > 1).map((r) => `${c.name} ${r.id}`),
    );

    // holdings: the API's answer (init + transactions) equals the files, for every trader
    const holdingProblems: string[] = [];
    for (const email of [...TRADERS, ...FLOOD]) {
      const me = await http(aliveUrl(), 'GET', '/api/teams/me', undefined, world.token(email));
      const fromFiles = holdingsFromFiles(audit, email);
      for (const k of ['cash', 'C', 'N', 'D', 'Q'])
        if (Math.abs(me.body.holdings[k] - fromFiles[k]) > 1e-6)
          holdingProblems.push(`${email} ${k}: api ${me.body.holdings[k]} files ${fromFiles[k]}`);
    }
    const stalls = cluster.grep(/stalled/).length;
    console.log(
      [
        `phase B faults: ${faults.join('; ')}`,
        `chat: ${chat.attempted} sends, ${chat.acknowledged} acked, ${chat.persisted} on disk, lost ${chat.lost}, duplicated ${chat.duplicated}; ${chat.deliveries} deliveries checked, ${chat.recoveredBySync} by rejoin+sync, ${chat.inversions} out-of-order live arrivals; ${reconnects} reconnects`,
        `AI: ${ai.lines} student lines, ${ai.answered} answered, ${ai.unanswered} unanswered, ${ai.doubled} doubled; ${stalls} stalled-job warnings in worker logs`,
        `trades: ${trades.length} opened, ${agreed.length} agreed, ${tradesOnDisk.settled} settled on disk, ${unsettled.length} agreed but unsettled; practices completed: ${completedPractices.length}`,
        `messages only a final sync would have brought: ${liveGaps.length}; repeated pushes of one id (a retried AI job re-sending its reply): ${chat.repeatPushes}`,
        `whole run ${Math.round((Date.now() - started) / 1000)} s`,
      ].join('\n'),
    );
    recordSuite({
      suite: 'cluster',
      mode: 'short',
      faults: [
        {
          fault:
            'cluster: SIGKILL 1 of 2 gateways + 1 of 2 ai-workers + 1 of 2 agreement-workers under mixed load (chat, AI practice, trades)',
          attempted: chat.attempted + ai.lines + agreed.length,
          acknowledged: chat.acknowledged + ai.lines + agreed.length,
          persisted: chat.persisted + ai.answered + (agreed.length - unsettled.length),
          lost: chat.lost + ai.unanswered + unsettled.length,
          duplicated: chat.duplicated + ai.doubled + tradesOnDisk.doubled + doubleUpdates.length,
          notes: `${chat.acknowledged} chat messages, ${ai.lines} AI turns, ${agreed.length} trades; ${chat.deliveries} (message, member) deliveries checked, ${chat.recoveredBySync} recovered by rejoin+sync after ${reconnects} reconnects; holdings = files for ${TRADERS.length + FLOOD.length} teams; repeated pushes of one id (dropped by the client): ${chat.repeatPushes}; messages that arrived live with a lower seq than one already seen: ${chat.inversions}`,
        },
      ],
    });

    expect(syncFailures).toEqual([]);
    expect(summarize('chat', chat)).toBe('chat: ok');
    expect(liveGaps.map((g) => `${g.client} never got seq ${g.message.seq} of ${g.message.negotiation_id}`)).toEqual([]);
    expect(summarize('AI replies', ai)).toBe('AI replies: ok');
    expect(tradesOnDisk.problems).toEqual([]);
    expect(unsettled.map((t) => t.id)).toEqual([]);
    expect(doubleUpdates).toEqual([]);
    expect(holdingProblems).toEqual([]);
    expect(agreed.length).toBeGreaterThanOrEqual(6);
    expect(reconnects).toBeGreaterThan(0);
    expect(completedPractices.length).toBe(2);
    for (const id of completedPractices)
      expect(audit.negotiations.get(id)?.outcome).toMatchObject({ status: 'completed', final_score: expect.any(Object) });
  }, 120_000);
});
