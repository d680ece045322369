import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ParleyConfig } from '@parley/config';
import type { Chemical, NegotiationMeta, PartyState, TeamInit } from '@parley/contracts';
import { DataPaths, NegotiationFiles, NegotiationStore, TeamStore, hashPassword } from '@parley/store';
import { signToken } from '../../apps/gateway/src/auth/token';
import { pool } from './stats';

export type BenchConfig = ParleyConfig & { cleanup: () => void };

/**
 * Like test/support/env.ts testConfig(): a private temp DATA_DIR and a unique Redis prefix, so a
 * benchmark never meets real data or another run. Limits meant for people are lifted: the benchmark
 * is one IP with thousands of users sending as fast as it can.
 */
export function benchConfig(overrides: Record<string, string> = {}, opts: { keepDataDir?: boolean } = {}): BenchConfig {
  const dataDir = overrides.DATA_DIR ?? mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'parley-bench-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `b${randomBytes(5).toString('hex')}`,
    DATA_DIR: dataDir,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    AI_TYPING_DELAY_MS: '0',
    MESSAGES_PER_MINUTE: '1000000000',
    ACTIONS_PER_MINUTE: '1000000000',
    CONNECTIONS_PER_IP: '1000000',
    LOGIN_ATTEMPTS_PER_15_MIN: '1000000',
    ...overrides,
  });
  usedPrefixes.add(config.redisPrefix);
  return { ...config, cleanup: () => (opts.keepDataDir ? undefined : removeTree(dataDir)) };
}

/** Every Redis prefix handed out in this run (main drops them all once more at the end). */
export const usedPrefixes = new Set<string>();

/** Teams a tree of open negotiations is spread over (a large class; smoke: a small one). */
export const treeTeams = (smoke: boolean) => (smoke ? 20 : 500);

/** `rm -rf`: several times faster than fs.rmSync on a tree of 100,000 directories. */
export function removeTree(dir: string): void {
  try {
    execFileSync('rm', ['-rf', '--', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A tree of open negotiations that grows on demand, shared by the sweep and agreement benchmarks. */
export class OpenTree {
  readonly dir: string;
  size = 0;

  /** In `dir` (default: a new temp directory). */
  constructor(
    readonly teams: number,
    dir?: string,
  ) {
    this.dir = dir ?? mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'parley-bench-tree-'));
  }

  /** Adds open negotiations until the tree holds `size`; returns the seconds it took. */
  grow(size: number): number {
    const t0 = Date.now();
    if (size > this.size) this.size += writeOpenTree(this.dir, 'bg', size - this.size, this.teams, this.size);
    return (Date.now() - t0) / 1000;
  }

  remove(): void {
    removeTree(this.dir);
  }
}

/** Strips the cleanup function so the config can cross an IPC channel. */
export const plain = (c: BenchConfig): ParleyConfig => {
  const { cleanup: _c, ...rest } = c;
  return rest;
};

const RICH = { cash: 1e12, C: 1e9, N: 1e9, D: 1e9, Q: 1e9 };
let sharedHash: Promise<string> | null = null;

export interface BenchTeam {
  email: string;
  token: string;
}

/**
 * `count` teams through TeamStore (as `parley users add` does), sharing one bcrypt hash so seeding a
 * thousand users does not take minutes. Tokens are signed with the config's secret, as /auth/login does.
 */
export async function addTeams(config: ParleyConfig, prefix: string, count: number): Promise<BenchTeam[]> {
  sharedHash ??= hashPassword('password1');
  const hash = await sharedHash;
  const teams = new TeamStore(new DataPaths(config.dataDir));
  const emails = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}@bench.test`);
  await pool(emails, 8, (email) =>
    teams.create({ email, name: email.split('@')[0], role: 'student', password_hash: hash, holdings: { ...RICH } }),
  );
  return emails.map((email) => ({ email, token: tokenFor(config, email) }));
}

export function tokenFor(config: ParleyConfig, email: string): string {
  return signToken(config.jwtSecret, config.jwtTtlSeconds, { email, role: 'student', name: email.split('@')[0] });
}

/** A peer negotiation opened the way POST /api/orders/:id/respond opens one. */
export async function openPeer(
  config: ParleyConfig,
  initiator: string,
  responder: string,
  chemical: Chemical = 'C',
): Promise<NegotiationMeta> {
  return new NegotiationStore(new DataPaths(config.dataDir)).createPeer({
    initiator,
    initiatorRole: 'buyer',
    responder,
    chemical,
    openingTerms: { price: 1, quantity: 1 },
    ttlMs: config.staleAfterMs,
  });
}

/**
 * Writes `count` open peer negotiations straight onto the disk, in the exact layout Parley and seed
 * 000 use (initiator directory with negotiation.json and both parties' pending state files, the
 * responder's relative symlink), spread over `teams` teams. No fsync: this is background load, not
 * something measured. Returns the number written.
 */
export function writeOpenTree(dataDir: string, tag: string, count: number, teams: number, startIndex = 0): number {
  const paths = new DataPaths(dataDir);
  const emails = Array.from({ length: teams }, (_, i) => `${tag}${String(i).padStart(5, '0')}@bench.test`);
  for (const email of emails) {
    const dir = paths.teamDir(email);
    mkdirSync(join(dir, 'negotiations'), { recursive: true });
    const init: TeamInit = { email, name: email.split('@')[0], role: 'student', password_hash: 'x', holdings: { ...RICH } };
    writeFileSync(paths.init(email), JSON.stringify(init));
  }
  const nowS = Math.floor(Date.now() / 1000);
  for (let k = startIndex; k < startIndex + count; k++) {
    const ai = k % teams;
    const a = emails[ai];
    const b = emails[(ai + 1 + (Math.floor(k / teams) % (teams - 1))) % teams];
    const [pa, pb] = [a.split('@')[0], b.split('@')[0]];
    const id = `${pa}_${pb}_C_${1_700_000_000 + k}`;
    const dir = paths.negotiation(a, id);
    mkdirSync(dir);
    const meta: NegotiationMeta = {
      id,
      kind: 'peer',
      chemical: 'C',
      initiator: a,
      parties: [
        { user: a, prefix: pa, role: 'buyer' },
        { user: b, prefix: pb, role: 'seller' },
      ],
      created_at: nowS,
      expires_at: nowS + 86400,
    };
    writeFileSync(join(dir, NegotiationFiles.meta), JSON.stringify(meta, null, 2) + '\n');
    const state = (user: string, role: string, price: number): PartyState => ({
      user,
      role,
      chemical: 'C',
      offer: { price, quantity: 100, timestamp: nowS },
      status: 'pending',
      last_updated: nowS,
    });
    writeFileSync(join(dir, NegotiationFiles.state(pa)), JSON.stringify(state(a, 'buyer', 5), null, 2) + '\n');
    writeFileSync(join(dir, NegotiationFiles.state(pb)), JSON.stringify(state(b, 'seller', 6), null, 2) + '\n');
    symlinkSync(DataPaths.responderLinkTarget(a, id), paths.negotiation(b, id));
  }
  return count;
}
