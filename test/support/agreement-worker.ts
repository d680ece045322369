import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { io as ioClient, Socket } from 'socket.io-client';
import type { ParleyConfig } from '@parley/config';
import type { NegotiationUpdate, PartyState, Terms } from '@parley/contracts';
import { agreementKey } from '@parley/negotiation';
import { createRedis, socketIoKey } from '@parley/queues';
import { DataPaths, NegotiationStore, TeamStore, emailPrefix } from '@parley/store';

/**
 * A stand-in for the gateway's Socket.io side: a real socket.io server on the Redis adapter (the
 * workers' emitter reaches it through Redis) and one client that joins negotiation rooms.
 */
export async function startRoomServer(config: ParleyConfig) {
  const pub = createRedis(config.redisUrl);
  const sub = pub.duplicate();
  const http = createServer();
  const io = new Server(http);
  io.adapter(createAdapter(pub, sub, { key: socketIoKey(config.redisPrefix) }));
  io.on('connection', (socket) =>
    socket.on('join', async (room: string, ack: () => void) => {
      await socket.join(room);
      ack();
    }),
  );
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const client: Socket = ioClient(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('connect_error', reject);
  });
  const updates: NegotiationUpdate[] = [];
  const waiters = new Map<string, (u: NegotiationUpdate) => void>();
  client.on('negotiation-update', (u: NegotiationUpdate) => {
    updates.push(u);
    waiters.get(u.negotiation_id)?.(u);
  });
  return {
    updates,
    join: (negotiationId: string) => new Promise<void>((r) => client.emit('join', `negotiation-${negotiationId}`, r)),
    /** The next negotiation-update for that negotiation (or the one already received). */
    nextUpdate(negotiationId: string, ms = 10_000): Promise<NegotiationUpdate> {
      const seen = updates.find((u) => u.negotiation_id === negotiationId);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(negotiationId);
          reject(new Error(`no negotiation-update for ${negotiationId} within ${ms} ms`));
        }, ms);
        waiters.set(negotiationId, (u) => {
          clearTimeout(timer);
          waiters.delete(negotiationId);
          resolve(u);
        });
      });
    },
    async close() {
      client.close();
      await new Promise((r) => io.close(r));
      await pub.quit().catch(() => pub.disconnect());
      await sub.quit().catch(() => sub.disconnect());
    },
  };
}

export const agreed = (user: string, role: string, terms: Terms, t: number): PartyState => ({
  user,
  role,
  chemical: 'C',
  offer: { ...terms, timestamp: t },
  status: 'agreed',
  agreement_key: agreementKey(terms),
  last_updated: t,
});

export const pending = (user: string, role: string, terms: Terms, t: number): PartyState => ({
  user,
  role,
  chemical: 'C',
  offer: { ...terms, timestamp: t },
  status: 'pending',
  last_updated: t,
});

/** What the gateway does for a party: write its own state file (NegotiationStore.writeState, which also touches the sweep's marker). */
export async function writeState(paths: DataPaths, owner: string, id: string, state: PartyState): Promise<void> {
  const prefix = state.user === 'ai' ? 'ai' : emailPrefix(state.user);
  const store = new NegotiationStore(paths);
  const located = await store.locate(owner, id);
  if (!located) throw new Error(`no active negotiation ${id} under ${owner}`);
  await store.writeState(located, prefix, state);
}

export async function addTeams(paths: DataPaths, emails: string[], holdings = { cash: 1_000_000, C: 10_000, N: 0, D: 0, Q: 0 }) {
  const teams = new TeamStore(paths);
  for (const email of emails) await teams.create({ email, name: email, role: 'student', password_hash: 'x', holdings });
}

export function openPeer(
  paths: DataPaths,
  initiator: string,
  responder: string,
  initiatorRole: 'buyer' | 'seller' = 'buyer',
  nowMs?: number,
) {
  return new NegotiationStore(paths).createPeer({ initiator, responder, initiatorRole, chemical: 'C', ttlMs: 3600_000, nowMs });
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 20_000, every = 25): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out waiting for ${what}`);
}
