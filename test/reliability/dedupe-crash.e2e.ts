import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { io, Socket } from 'socket.io-client';
import { Cluster, until } from '../support/cluster';
import { World } from '../support/cluster-world';
import { FaultRow, recordSuite } from '../support/reliability-report';

/**
 * A gateway killed exactly between the fsynced append of a chat line and the Redis write of its
 * client message id (PARLEY_TEST_CRASH_AT=after-message-append makes it SIGKILL itself there). The
 * client re-sends the same id to the other gateway, at once and again later: the line must be found
 * in the sender's own file, acknowledged as the message saved before, and be on disk once.
 */
describe('dedupe: a gateway killed between the append and the Redis dedupe write', () => {
  const world = new World();
  const cluster = new Cluster({
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: world.redisPrefix,
    dataDir: world.dataDir,
    jwtSecret: world.jwtSecret,
    env: { MESSAGES_PER_MINUTE: '1000', ACTIONS_PER_MINUTE: '100000' },
  });
  const rows: FaultRow[] = [];
  const sockets: Socket[] = [];
  const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

  afterAll(async () => {
    recordSuite({ suite: 'dedupe-crash', mode: 'short', faults: rows });
    for (const s of sockets) s.close();
    await cluster.killAll();
    await redis.quit();
    world.cleanup();
  });

  const connect = async (url: string, email: string) => {
    const s = io(url, { auth: { token: world.token(email) }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    return s;
  };
  const call = (s: Socket, event: string, payload: object, ms = 5000) =>
    s.timeout(ms).emitWithAck(event, payload) as Promise<{ ok: boolean; data?: any; error?: { code: string } }>;

  it('every re-send after the crash is answered with the saved line; the file holds it once', async () => {
    const [crashing, healthy] = await cluster.start([
      { kind: 'gateway', name: 'gw-crash', env: { PARLEY_TEST_CRASH_AT: 'after-message-append' } },
      { kind: 'gateway', name: 'gw-ok' },
    ]);
    const seller = 'dseller@uni.edu';
    const buyer = 'dbuyer@uni.edu';
    await world.addTeams([seller, buyer]);
    const id = await world.openTrade(healthy.url, seller, buyer);

    const attempts = 3;
    let acknowledged = 0;
    let sameMessage = 0;
    const cmids: string[] = [];
    for (let i = 0; i < attempts; i++) {
      if (!crashing.running) await crashing.start();
      const cmid = `crash-${i}-${Date.now()}`;
      cmids.push(cmid);
      const doomed = await connect(crashing.url, buyer);
      await call(doomed, 'join-negotiation', { negotiation_id: id });
      const lost = await call(doomed, 'send-message', { negotiation_id: id, content: `line ${i}`, client_message_id: cmid }, 3000).catch(
        () => null,
      );
      expect(lost).toBeNull(); // the gateway died before it could acknowledge
      await until('the crashing gateway is gone', () => !crashing.running, 10_000, 20);

      // at once (the id is still "pending" in Redis) and after the pending mark would have expired
      const again = await connect(healthy.url, buyer);
      await call(again, 'join-negotiation', { negotiation_id: id });
      const first = await call(again, 'send-message', { negotiation_id: id, content: `line ${i}`, client_message_id: cmid });
      // as if Redis had lost the id (restarted empty, or the 24 h mark expired)
      await redis.del(`${world.redisPrefix}:cmid:${id}:${buyer.split('@')[0]}:${cmid}`);
      const second = await call(again, 'send-message', { negotiation_id: id, content: `line ${i}`, client_message_id: cmid });
      for (const ack of [first, second]) {
        if (ack.ok) acknowledged++;
        if (ack.ok && ack.data?.client_message_id === cmid && ack.data?.content === `line ${i}`) sameMessage++;
      }
      again.close();
    }

    const lines = onDisk(id, buyer);
    const counts = cmids.map((c) => lines.filter((l) => l.client_message_id === c).length);
    const seqs = lines.map((l) => l.seq);
    rows.push({
      fault:
        'gateway SIGKILLed between the fsynced append and the Redis dedupe write; the same client message id re-sent to another gateway at once and again',
      attempted: attempts,
      acknowledged: Math.min(attempts, Math.floor(sameMessage / 2)),
      persisted: counts.filter((n) => n >= 1).length,
      lost: counts.filter((n) => n === 0).length,
      duplicated: counts.reduce((d, n) => d + Math.max(0, n - 1), 0),
      notes: `re-sends answered with the line saved before: ${sameMessage} of ${attempts * 2}`,
    });
    expect(counts).toEqual(Array(attempts).fill(1));
    expect(acknowledged).toBe(attempts * 2);
    expect(sameMessage).toBe(attempts * 2);
    expect(new Set(seqs).size).toBe(seqs.length);
  }, 120_000);

  it('a gateway SIGKILLed in a burst of lines from many rooms: no acknowledged line is lost, re-sends save each once', async () => {
    const [burst, healthy] = await cluster.start([
      { kind: 'gateway', name: 'gw-burst' },
      { kind: 'gateway', name: 'gw-burst-ok' },
    ]);
    const rooms: { id: string; buyer: string; socket: Socket }[] = [];
    for (let r = 0; r < 6; r++) {
      const [seller, buyer] = [`bseller${r}@uni.edu`, `bbuyer${r}@uni.edu`];
      await world.addTeams([seller, buyer]);
      const id = await world.openTrade(healthy.url, seller, buyer);
      const socket = await connect(burst.url, buyer);
      await call(socket, 'join-negotiation', { negotiation_id: id });
      rooms.push({ id, buyer, socket });
    }
    // every room sends without waiting for acks; the gateway dies once some of them came back
    const sends = rooms.flatMap((r) =>
      Array.from({ length: 100 }, (_, i) => ({ room: r, cmid: `burst-${r.id}-${i}`, content: `burst ${i}` })),
    );
    let acks = 0;
    let onFortiethAck!: () => void;
    // the signal goes out in the 40th ack's own callback: the commit log answers a tick's lines together,
    // so a kill decided on a timer could come after every line was answered
    const killed = new Promise<void>((resolve) => (onFortiethAck = () => void burst.kill().then(resolve)));
    const results = await Promise.all(
      sends.map((x) =>
        call(x.room.socket, 'send-message', { negotiation_id: x.room.id, content: x.content, client_message_id: x.cmid }, 5000).then(
          (ack) => {
            if (++acks === 40) onFortiethAck();
            return ack.ok ? (ack.data as { id: string }) : null;
          },
          () => null,
        ),
      ),
    );
    await killed;
    const acked = results.filter(Boolean).length;
    // the client re-sends everything it has no ack for (and, to be sure, the rest too) to the other gateway
    const again = new Map<string, Socket>();
    for (const r of rooms) {
      const s = await connect(healthy.url, r.buyer);
      await call(s, 'join-negotiation', { negotiation_id: r.id });
      again.set(r.id, s);
    }
    const resendAll = () =>
      Promise.all(
        sends.map((x) =>
          call(again.get(x.room.id)!, 'send-message', { negotiation_id: x.room.id, content: x.content, client_message_id: x.cmid }),
        ),
      );
    const firstResend = await resendAll();
    // lines the dead gateway had claimed but not written are "in flight" until the claim's minute is up
    const inFlight = firstResend.filter((x) => !x.ok);
    expect(inFlight.every((x) => x.error?.code === 'DUPLICATE_IN_FLIGHT')).toBe(true);
    for (const [i, x] of sends.entries())
      if (!firstResend[i].ok) await redis.del(`${world.redisPrefix}:cmid:${x.room.id}:${x.room.buyer.split('@')[0]}:${x.cmid}`);
    const resent = await resendAll();
    let lostAcked = 0;
    let duplicated = 0;
    let seqClashes = 0;
    for (const r of rooms) {
      const lines = onDisk(r.id, r.buyer);
      seqClashes += lines.length - new Set(lines.map((l) => l.seq)).size;
      for (const [i, x] of sends.entries()) {
        if (x.room !== r) continue;
        const n = lines.filter((l) => l.client_message_id === x.cmid).length;
        duplicated += Math.max(0, n - 1);
        if (results[i] && n === 0) lostAcked++;
        // a line acknowledged before the kill is the one the re-send answers with
        if (results[i]) expect(resent[i].data?.id).toBe(results[i]!.id);
      }
    }
    rows.push({
      fault:
        'gateway SIGKILLed during a burst of 600 lines from 6 rooms sent without waiting for acks; everything re-sent to another gateway at once and after the claims expired',
      attempted: sends.length,
      acknowledged: acked,
      persisted: sends.length - resent.filter((x) => !x.ok).length,
      lost: lostAcked,
      duplicated,
      notes: `${acked} acknowledged before the kill; a re-send at once: ${firstResend.length - inFlight.length} answered, ${inFlight.length} still in flight (claimed by the dead gateway); after the claims' minute every re-send answered (${resent.filter((x) => x.ok).length} of ${sends.length}); ${seqClashes} repeated seqs`,
    });
    expect(acked).toBeGreaterThanOrEqual(40);
    expect(acked).toBeLessThan(sends.length);
    expect(lostAcked).toBe(0);
    expect(duplicated).toBe(0);
    expect(seqClashes).toBe(0);
    expect(resent.every((x) => x.ok)).toBe(true);
  }, 120_000);

  it('a machine down before the page cache was written back: the next gateway restores every acknowledged line from the commit log, once', async () => {
    // PARLEY_TEST_CRASH_AT=chat-log-retire: the gateway SIGKILLs itself when it would flush the party files and remove its log
    const [doomed, healthy] = await cluster.start([
      { kind: 'gateway', name: 'gw-power', env: { PARLEY_TEST_CRASH_AT: 'chat-log-retire' } },
      { kind: 'gateway', name: 'gw-power-ok' },
    ]);
    const rooms: { id: string; buyer: string }[] = [];
    for (let r = 0; r < 2; r++) {
      const [seller, buyer] = [`pseller${r}@uni.edu`, `pbuyer${r}@uni.edu`];
      await world.addTeams([seller, buyer]);
      rooms.push({ id: await world.openTrade(healthy.url, seller, buyer), buyer });
    }
    const acks = new Map<string, string>();
    for (const r of rooms) {
      const s = await connect(doomed.url, r.buyer);
      await call(s, 'join-negotiation', { negotiation_id: r.id });
      const sent = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          call(s, 'send-message', { negotiation_id: r.id, content: `kept ${i}`, client_message_id: `power-${r.id}-${i}` }),
        ),
      );
      for (const [i, ack] of sent.entries()) if (ack.ok) acks.set(`power-${r.id}-${i}`, ack.data.id);
      s.close();
    }
    expect(acks.size).toBe(20);
    await until('the gateway is down with its log not retired', () => !doomed.running, 15_000, 20);
    const logDir = join(world.dataDir, 'chat_log');
    expect(readdirSync(logDir).filter((n) => n.endsWith('.jsonl'))).toHaveLength(1);

    // what a power cut may leave of files never flushed: the first room's file cut after 3 lines, the second's mid-line
    const [a, b] = rooms.map((r) => partyFile(r.id, r.buyer));
    writeFileSync(a, readFileSync(a, 'utf8').split('\n').slice(0, 3).join('\n') + '\n');
    const text = readFileSync(b, 'utf8');
    writeFileSync(b, text.slice(0, text.indexOf('\n') + 20));

    const restarted = await cluster.start([{ kind: 'gateway', name: 'gw-power-2' }]).then(([g]) => g);
    let restored = 0;
    let duplicated = 0;
    for (const r of rooms) {
      // a line torn by the cut stays in the file, unreadable and never acknowledged
      const lines = readFileSync(partyFile(r.id, r.buyer), 'utf8')
        .split('\n')
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as { id: string; client_message_id?: string }];
          } catch {
            return [];
          }
        });
      for (const [cmid, id] of acks) {
        if (!cmid.startsWith(`power-${r.id}-`)) continue;
        const found = lines.filter((l) => l.client_message_id === cmid);
        if (found.length >= 1 && found[0].id === id) restored++;
        duplicated += Math.max(0, found.length - 1);
      }
    }
    // a re-send of an acknowledged line is answered with it, on the gateway that replayed the log
    const s = await connect(restarted.url, rooms[1].buyer);
    await call(s, 'join-negotiation', { negotiation_id: rooms[1].id });
    const cmid = `power-${rooms[1].id}-9`;
    const again = await call(s, 'send-message', { negotiation_id: rooms[1].id, content: 'kept 9', client_message_id: cmid });
    rows.push({
      fault:
        'machine down with 20 acknowledged lines in the commit log and their party files not flushed (gateway SIGKILLed where it would flush them; files then cut as a power loss may leave them); the next gateway starts',
      attempted: 20,
      acknowledged: acks.size,
      persisted: restored,
      lost: acks.size - restored,
      duplicated,
      notes: `restored from the log at the next gateway's start; commit-log segments left: ${readdirSync(logDir).filter((n) => n.endsWith('.jsonl')).length}`,
    });
    expect(restored).toBe(20);
    expect(duplicated).toBe(0);
    expect(readdirSync(logDir).filter((n) => n.endsWith('.jsonl'))).toEqual([]);
    expect(again).toMatchObject({ ok: true, data: { id: acks.get(cmid) } });
  }, 120_000);

  function partyFile(id: string, user: string): string {
    const dir = join(world.dataDir, 'teams');
    for (const team of readdirSync(dir)) {
      const file = join(dir, team, 'negotiations', id, `${user.split('@')[0]}_messages.jsonl`);
      if (existsSync(file)) return file;
    }
    throw new Error(`no messages file of ${user} in ${id}`);
  }

  function onDisk(id: string, user: string): { client_message_id?: string; seq: number }[] {
    const dir = join(world.dataDir, 'teams');
    for (const team of readdirSync(dir)) {
      const file = join(dir, team, 'negotiations', id, `${user.split('@')[0]}_messages.jsonl`);
      try {
        return readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
      } catch {
        /* not this team's directory */
      }
    }
    return [];
  }
});
