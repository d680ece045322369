import { Ctx, disposeConfig, startChild } from '../lib/context';
import { Section, table } from '../lib/report';
import type { Child } from '../lib/rpc';
import { addTeams, benchConfig, plain } from '../lib/setup';
import { fmt, ratio, sleep } from '../lib/stats';

interface Held {
  target: 'parley' | 'bare';
  sockets: number;
  failed: number;
  connectS: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  errorSample: string;
}

const KB = 1024;
const MB = 1024 * 1024;

/**
 * Idle authenticated sockets held by one gateway, and its memory per socket: the server runs in a
 * child with --expose-gc and reports process.memoryUsage() over IPC after a full GC, before and after
 * the sockets connect. The bare Socket.io server holding the same sockets is the baseline.
 */
export async function connectionsSuite(ctx: Ctx): Promise<Section> {
  const total = ctx.smoke ? 200 : 10_000;
  const procs = ctx.smoke ? 1 : 4;
  const users = Math.min(total, ctx.smoke ? 50 : 1000);
  const results: Held[] = [];
  let heap: { sockets: number; rows: { kind: string; bytes: number; count: number }[]; totalBytes: number } | null = null;
  for (const target of ['bare', 'parley'] as const) {
    const cleanups: (() => Promise<void>)[] = [];
    const local: Ctx = { ...ctx, onCleanup: (fn) => cleanups.push(async () => void (await fn())) };
    try {
      const config = benchConfig();
      disposeConfig(local, config);
      const teams = target === 'parley' ? await addTeams(config, 'c', users) : [{ email: 'none', token: 'none' }];
      const server = startChild(local, 'server', `conn-${target}`, ['--expose-gc']);
      const { url } = target === 'parley' ? await server.call('startGateway', plain(config)) : await server.call('startBare', {});
      const clients: Child[] = Array.from({ length: procs }, (_, i) => startChild(local, 'clients', `conn-clients-${i}`));
      // one socket first, so lazily created structures are in the "before" figure
      await clients[0].call('idleOpen', { url, tokens: [teams[0].token], concurrency: 1 });
      await sleep(500);
      const before = await server.call<NodeJS.MemoryUsage>('memory', { gc: true });
      const per = Math.ceil((total - 1) / procs);
      const tokens = (p: number) =>
        Array.from({ length: Math.min(per, total - 1 - p * per) }, (_, k) => teams[(p * per + k + 1) % teams.length].token);
      const t0 = Date.now();
      const opened = await Promise.all(clients.map((c, p) => c.call('idleOpen', { url, tokens: tokens(p), concurrency: 50 }, 10 * 60_000)));
      const connectS = (Date.now() - t0) / 1000;
      await sleep(ctx.smoke ? 1000 : 5000);
      const counts = await Promise.all(clients.map((c) => c.call('connectedCount')));
      const after = await server.call<NodeJS.MemoryUsage>('memory', { gc: true });
      const held: Held = {
        target,
        sockets: counts.reduce((a, c) => a + c.connected, 0),
        failed: opened.reduce((a, o) => a + o.failed, 0),
        connectS,
        rssBefore: before.rss,
        rssAfter: after.rss,
        heapBefore: before.heapUsed,
        heapAfter: after.heapUsed,
        errorSample: opened.map((o) => o.errorSample).find(Boolean) ?? '',
      };
      ctx.log(
        `connections ${target}: ${held.sockets} held (${held.failed} failed), RSS ${fmt(held.rssBefore / MB)} → ${fmt(held.rssAfter / MB)} MB`,
      );
      results.push(held);
      if (target === 'parley' && !ctx.smoke) {
        // what one idle socket holds: heap snapshots before and after 1,000 more (10,000 would make a snapshot too big to parse)
        await Promise.all(clients.map((c) => c.call('closeAll')));
        await sleep(3000);
        const sample = 1000;
        const a = await server.call<Record<string, [number, number]>>('heapByKind', { dir: config.dataDir }, 300_000);
        await clients[0].call(
          'idleOpen',
          { url, tokens: Array.from({ length: sample }, (_, k) => teams[k % teams.length].token), concurrency: 50 },
          300_000,
        );
        await sleep(2000);
        const b = await server.call<Record<string, [number, number]>>('heapByKind', { dir: config.dataDir }, 300_000);
        const rows = Object.entries(b)
          .map(([kind, [bytes, count]]) => ({
            kind,
            bytes: (bytes - (a[kind]?.[0] ?? 0)) / sample,
            count: (count - (a[kind]?.[1] ?? 0)) / sample,
          }))
          .sort((x, y) => y.bytes - x.bytes);
        heap = { sockets: sample, rows: rows.slice(0, 12), totalBytes: rows.reduce((t, r) => t + r.bytes, 0) };
      }
    } finally {
      for (const fn of cleanups.reverse()) await fn().catch((e) => ctx.log(`cleanup: ${(e as Error).message}`));
    }
  }
  const per = (h: Held) => (h.rssAfter - h.rssBefore) / Math.max(1, h.sockets - 1) / KB;
  const heapPer = (h: Held) => (h.heapAfter - h.heapBefore) / Math.max(1, h.sockets - 1) / KB;
  const parley = results.find((r) => r.target === 'parley')!;
  const bare = results.find((r) => r.target === 'bare')!;
  const body = [
    `${fmt(total)} websocket clients (${procs} client process${procs > 1 ? 'es' : ''}, ${fmt(users)} users, ≈${fmt(total / users)} sockets each — tabs)`,
    'connect to one server process, authenticate (Parley: JWT + the team read from disk at the handshake, then the',
    "user's room), then stay idle. The server process reports `process.memoryUsage()` over IPC after `gc()` (run with",
    '--expose-gc), with one socket connected (before) and with all of them (after, 5 s later). Socket.io pings every 10 s.',
    '',
    table(
      ['server', 'sockets held', 'failed', 'connect time', 'RSS before → after', 'RSS / socket', 'heap / socket'],
      results.map((h) => [
        h.target === 'parley' ? 'Parley gateway' : 'bare Socket.io (baseline)',
        fmt(h.sockets),
        `${h.failed}${h.errorSample ? ` (${h.errorSample.slice(0, 60)})` : ''}`,
        `${fmt(h.connectS)} s`,
        `${fmt(h.rssBefore / MB)} → ${fmt(h.rssAfter / MB)} MB`,
        `${fmt(per(h))} KB`,
        `${fmt(heapPer(h))} KB`,
      ]),
    ),
    ...(heap
      ? [
          '',
          `What one idle Parley socket holds on the heap: two heap snapshots of the gateway (after a full GC) around ${fmt(heap.sockets)} more`,
          `idle sockets, the difference per socket by kind of object (${fmt(heap.totalBytes / KB)} KB in all; objects by constructor, closures by function name):`,
          '',
          table(
            ['kind of heap object', 'bytes / socket', 'objects / socket'],
            heap.rows.map((r) => [r.kind, fmt(r.bytes), fmt(r.count)]),
          ),
        ]
      : []),
  ].join('\n');
  return {
    id: 'connections',
    title: '5. Connections',
    body,
    headline: [
      {
        what: `connections: idle authenticated sockets held (of ${fmt(total)})`,
        parley: fmt(parley.sockets),
        baseline: `${fmt(bare.sockets)} (bare)`,
        ratio: ratio(parley.sockets, bare.sockets),
        target: `${fmt(total)}`,
      },
      {
        what: 'connections: RSS per idle socket',
        parley: `${fmt(per(parley))} KB`,
        baseline: `${fmt(per(bare))} KB (bare)`,
        ratio: ratio(per(parley), per(bare)),
        target: '< 30 KB',
      },
    ],
  };
}
