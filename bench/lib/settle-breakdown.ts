import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PartyState } from '@parley/contracts';
import { agreementKey } from '@parley/negotiation';
import { DataPaths, NegotiationFiles, NegotiationStore } from '@parley/store';
import { Settlement } from '@parley/settlement';
import { fsCounts, installFsCounter, resetFsCounts } from './fs-count';
import { summarize } from './stats';

export interface SettleBreakdown {
  count: number;
  concurrency: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU of this process per settlement, µs (user + kernel), and of it kernel. */
  cpuUs: number;
  kernelUs: number;
  /** File-system API calls per settlement (fsyncs of a handle counted as `fsync`). */
  calls: Record<string, number>;
  callsTotal: number;
  actions: Record<string, number>;
  /** Kernel CPU per empty-file creation in the same DATA_DIR just before (µs): what the file system charges for an inode now. */
  createKernelUs: number;
}

/**
 * The agreement worker's `check` alone, in this process: `count` peer negotiations on which both
 * parties agreed (spread over `pairs` team pairs), settled `concurrency` at a time with no gateway,
 * queue or emit. Where a settlement's time goes: throughput, CPU and file calls per settlement.
 */
export async function settleBreakdown(args: {
  dataDir: string;
  count: number;
  pairs: number;
  concurrency: number;
}): Promise<SettleBreakdown> {
  process.env.UV_THREADPOOL_SIZE ??= '16'; // as the agreement worker sets it (the pool starts with the first file call)
  const paths = new DataPaths(args.dataDir);
  const emails = Array.from({ length: args.pairs * 2 }, (_, i) => `s${String(i).padStart(4, '0')}@bench.test`);
  for (const email of emails) {
    mkdirSync(paths.teamDir(email), { recursive: true });
    const holdings = { cash: 1e12, C: 1e9, N: 1e9, D: 1e9, Q: 1e9 };
    writeFileSync(paths.init(email), JSON.stringify({ email, name: email, role: 'student', password_hash: 'x', holdings }));
  }
  const store = new NegotiationStore(paths);
  const terms = { price: 1, quantity: 1 };
  const nowS = Math.floor(Date.now() / 1000);
  const agreed = (user: string, role: string): PartyState => ({
    user,
    role,
    chemical: 'C',
    offer: { ...terms, timestamp: nowS },
    status: 'agreed',
    agreement_key: agreementKey(terms),
    last_updated: nowS,
  });
  const todo: { owner: string; id: string }[] = [];
  for (let k = 0; k < args.count; k++) {
    const p = k % args.pairs;
    const [buyer, seller] = [emails[2 * p], emails[2 * p + 1]];
    const meta = await store.createPeer({ initiator: buyer, initiatorRole: 'buyer', responder: seller, chemical: 'C', ttlMs: 86_400_000 });
    const dir = paths.negotiation(buyer, meta.id);
    writeFileSync(join(dir, NegotiationFiles.state(buyer.split('@')[0])), JSON.stringify(agreed(buyer, 'buyer')));
    writeFileSync(join(dir, NegotiationFiles.state(seller.split('@')[0])), JSON.stringify(agreed(seller, 'seller')));
    todo.push({ owner: buyer, id: meta.id });
  }
  const createKernelUs = inodeCreateCost(join(args.dataDir, 'inode-probe'));
  installFsCounter();
  const syncs = await countHandleSyncs();
  const settlement = new Settlement({ paths, events: { negotiationUpdate: () => undefined } });
  resetFsCounts();
  syncs.reset();
  const latencies: number[] = [];
  const actions: Record<string, number> = {};
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: args.concurrency }, async () => {
      while (next < todo.length) {
        const { owner, id } = todo[next++];
        const t = performance.now();
        const r = await settlement.check(owner, id);
        latencies.push(performance.now() - t);
        actions[r.action] = (actions[r.action] ?? 0) + 1;
      }
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const fs = fsCounts();
  const calls: Record<string, number> = { ...fs.byCall, fsync: (fs.byCall.fsync ?? 0) + syncs.count() };
  const per = (n: number) => n / args.count;
  const lat = summarize(latencies);
  return {
    count: args.count,
    concurrency: args.concurrency,
    perSecond: args.count / (ms / 1000),
    p50: lat.p50,
    p99: lat.p99,
    cpuUs: per(cpu.user + cpu.system),
    kernelUs: per(cpu.system),
    calls: Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, per(v)])),
    callsTotal: per(fs.total + syncs.count()),
    actions,
    createKernelUs,
  };
}

/**
 * Kernel CPU per creation of an empty file, µs (200 of them, kept: deleting them would make the next
 * creations dearer). ext4 without a journal, as on the benchmark machine, skips every inode freed in
 * the last 30 s when it looks for a free one, so this swings with how much any process just deleted.
 */
function inodeCreateCost(dir: string): number {
  mkdirSync(dir);
  const n = 200;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) closeSync(openSync(join(dir, `f${i}`), 'wx'));
  return process.cpuUsage(cpu0).system / n;
}

/** fsync/fdatasync of a FileHandle are methods, not module functions: counted on the handle's prototype. */
async function countHandleSyncs(): Promise<{ count(): number; reset(): void }> {
  let n = 0;
  const fh = await open(__filename, 'r');
  const proto = Object.getPrototypeOf(fh) as Record<string, (...a: unknown[]) => unknown>;
  await fh.close();
  for (const name of ['sync', 'datasync']) {
    const original = proto[name];
    proto[name] = function (this: unknown, ...a: unknown[]) {
      n++;
      return original.apply(this, a);
    };
  }
  return { count: () => n, reset: () => void (n = 0) };
}
