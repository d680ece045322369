import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import type { Socket } from 'socket.io-client';
import IORedis from 'ioredis';
import { ErrorCode } from '@parley/contracts';
import { loadConfig, ParleyConfig } from '@parley/config';

/** Shared tools of the attack suites (fuzz, authz, flood, hidden): hostile inputs, tallies, a file-system tripwire. */

export const ERROR_CODES = new Set<string>(Object.values(ErrorCode));

/** A marker put into every hostile path, so a file it created anywhere can be found by name. */
export const MARKER = `pwn${randomBytes(4).toString('hex')}`;

/** Path traversal in every form we can think of; each ends in the marker. */
export const TRAVERSALS: string[] = [
  `../../${MARKER}`,
  `../../../../../../../../tmp/${MARKER}`,
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..\\..\\windows\\win.ini',
  '....//....//etc/passwd',
  `/tmp/${MARKER}`,
  '/etc/passwd',
  `alice@x.com/../${MARKER}@x.com`,
  'alice@uni.edu/../bob@uni.edu',
  '../bob@uni.edu',
  `bob@uni.edu/negotiations/../../${MARKER}`,
  `alice_bob_C_1700000000/../../../${MARKER}`,
  'alice_bob_C_1700000000/../../bob@uni.edu',
  'alice_bob_C_1700000000\u0000.json',
  `${MARKER}\u0000/etc/passwd`,
  '.',
  '..',
  '~',
  '~root/.ssh/authorized_keys',
  '.holdings.lock',
  'init.json',
  'negotiation.json',
  'ai_state.json',
];

/** Strings that break naive code: unicode tricks, injection classics, sizes around the limits. */
export const NASTY_STRINGS: string[] = [
  '',
  ' ',
  '\u202Eevil\u202C',
  'a\u200Bb\u200C\u200D\uFEFF',
  '\uD800',
  '\uDFFF lone',
  '\u0000',
  'nul\u0000inside',
  '\u0007\u001b[31mred\u001b[0m',
  '\r\n\r\nHTTP/1.1 200 OK',
  '<script>alert(1)</script>',
  "'; DROP TABLE teams; --",
  '${process.exit(1)}',
  '{{constructor.constructor("return process")().exit()}}',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e309',
  'x'.repeat(1000),
  'x'.repeat(1001),
  'é'.repeat(1000),
  '😀'.repeat(600),
  'A'.repeat(200) + '_b_C_1700000000',
  'ALICE_BOB_C_1700000000',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  ...TRAVERSALS,
];

/** A cross-section of NASTY_STRINGS for the short run: every kind of trick once. */
export const CORE_STRINGS: string[] = [
  '',
  '\u202Eevil\u202C',
  'a\u200Bb\u200C\u200D\uFEFF',
  '\uD800',
  'nul\u0000inside',
  '\r\n\r\nHTTP/1.1 200 OK',
  '<script>alert(1)</script>',
  '{{constructor.constructor("return process")().exit()}}',
  '__proto__',
  'constructor',
  'x'.repeat(1001),
  '😀'.repeat(600),
  'A'.repeat(200) + '_b_C_1700000000',
  'ALICE_BOB_C_1700000000',
  `../../${MARKER}`,
  `../../../../../../../../tmp/${MARKER}`,
  '..%2F..%2Fetc%2Fpasswd',
  `/tmp/${MARKER}`,
  `alice@x.com/../${MARKER}@x.com`,
  'alice@uni.edu/../bob@uni.edu',
  `alice_bob_C_1700000000/../../../${MARKER}`,
  'alice_bob_C_1700000000\u0000.json',
  '..',
  '.holdings.lock',
];

/** Non-string values, including the numbers JSON cannot carry (they arrive as null) and giant ones. */
export const NASTY_VALUES: unknown[] = [
  null,
  undefined,
  true,
  false,
  0,
  -0,
  -1,
  0.1 + 0.2,
  Number.MAX_SAFE_INTEGER + 2,
  -1e12 - 1,
  1e12 + 1,
  1e308,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
  [],
  [null],
  {},
  { length: 1e9 },
  [1, 2, 3],
  ['a', { b: ['c'] }],
];

/** Objects whose keys try to pollute prototypes, parsed from JSON so `__proto__` is an own key. */
export const POLLUTERS: unknown[] = [
  JSON.parse('{"__proto__":{"polluted":"yes"}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
  JSON.parse('{"__proto__":{"__proto__":{"polluted":"yes"}}}'),
  JSON.parse('{"prototype":{"polluted":"yes"},"toString":"x","valueOf":1,"hasOwnProperty":2}'),
];

/**
 * A value nested `depth` levels deep. JSON.stringify and socket.io-client overflow the stack on 10k
 * levels before anything is sent, so these are spliced into the JSON text by `toJson`.
 */
export class Deep {
  constructor(
    readonly kind: 'object' | 'array',
    readonly depth: number,
  ) {}
  json(): string {
    return this.kind === 'object'
      ? '{"a":'.repeat(this.depth) + '"bottom"' + '}'.repeat(this.depth)
      : '['.repeat(this.depth) + ']'.repeat(this.depth);
  }
}
export const deepObject = (depth: number) => new Deep('object', depth);
export const deepArray = (depth: number) => new Deep('array', depth);

/** JSON.stringify, with Deep values written out as their nested JSON text. */
export function toJson(value: unknown): string | undefined {
  const deep: Deep[] = [];
  const text = JSON.stringify(value, (_k, v) => {
    if (v instanceof Deep) {
      deep.push(v);
      return `\u0000DEEP${deep.length - 1}\u0000`;
    }
    return v;
  });
  return text?.replace(/"\\u0000DEEP(\d+)\\u0000"/g, (_m, i) => deep[Number(i)].json());
}

/** Polluters that sit where a field is expected, e.g. `{negotiation_id: "...", terms: {__proto__: ...}}`. */
export function pollutedAt(base: Record<string, unknown>, field: string): unknown[] {
  return [
    JSON.parse(
      `{${Object.entries(base)
        .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
        .join(',')}${Object.keys(base).length ? ',' : ''}"__proto__":{"polluted":"yes"}}`,
    ),
    { ...base, [field]: JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}') },
  ];
}

/** Counts of answers per kind, rendered like "INVALID_PAYLOAD ×120, 401 ×4". */
export class Tally {
  readonly counts = new Map<string, number>();
  total = 0;
  add(kind: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    this.total++;
  }
  merge(other: Tally): void {
    for (const [k, n] of other.counts) {
      this.counts.set(k, (this.counts.get(k) ?? 0) + n);
      this.total += n;
    }
  }
  toString(): string {
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ');
  }
}

// ---------------------------------------------------------------- tripwires

export interface Sandbox {
  config: ParleyConfig & { cleanup: () => void };
  /** Directory holding DATA_DIR (two levels up) and a file that must never change. */
  root: string;
  /** Every file and directory under root that is not in DATA_DIR, plus system files, with size and mtime. */
  snapshot(): Map<string, string>;
  /** Paths that appeared, vanished or changed outside DATA_DIR since `before`, and any file named with MARKER. */
  changesOutside(before: Map<string, string>): string[];
  cleanup(): void;
}

const WATCHED_SYSTEM_FILES = ['/etc/passwd', '/etc/hosts', '/etc/shadow'];

/**
 * A test config whose DATA_DIR sits two levels deep inside a private sentinel directory, so that
 * `../..` from DATA_DIR lands in a tree this test watches; /tmp and the repository are searched for
 * the marker too.
 */
export function sandboxConfig(overrides: Record<string, string> = {}): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'parley-sentinel-'));
  const dataDir = join(root, 'inner', 'deeper', 'data');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(join(root, 'outside'), { recursive: true });
  writeFileSync(join(root, 'outside', 'victim.txt'), 'must not change\n');
  writeFileSync(join(root, 'inner', 'victim.json'), '{"must":"not change"}\n');
  // what testConfig() sets, with DATA_DIR inside the sentinel (testConfig would make a second temp dir)
  const config = {
    ...loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `t${randomBytes(5).toString('hex')}`,
      JWT_SECRET: 'test-secret-test-secret-test-secret',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      AI_TYPING_DELAY_MS: '0',
      ...overrides,
      DATA_DIR: dataDir,
    }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };

  const snapshot = () => {
    const out = new Map<string, string>();
    walk(root, (p, st) => {
      if (p === dataDir || p.startsWith(dataDir + sep)) return false;
      out.set(p, `${st.isDirectory() ? 'd' : st.size}:${st.mtimeMs}`);
      return true;
    });
    for (const f of WATCHED_SYSTEM_FILES) {
      try {
        const st = statSync(f);
        out.set(f, `${st.size}:${st.mtimeMs}`);
      } catch {
        out.set(f, 'missing');
      }
    }
    return out;
  };

  const changesOutside = (before: Map<string, string>) => {
    const after = snapshot();
    const changed: string[] = [];
    for (const [p, v] of after) if (before.get(p) !== v) changed.push(`${before.has(p) ? 'changed' : 'new'}: ${p}`);
    for (const p of before.keys()) if (!after.has(p)) changed.push(`gone: ${p}`);
    for (const p of findMarker([tmpdir(), root, process.cwd(), join(process.cwd(), 'test-artifacts'), '/etc', '/'], 3)) {
      if (!p.startsWith(dataDir + sep)) changed.push(`marker file: ${p}`);
    }
    return changed;
  };

  return { config, root, snapshot, changesOutside, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

function walk(dir: string, visit: (p: string, st: import('node:fs').Stats) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const p = join(dir, name);
    let st: import('node:fs').Stats;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (!visit(p, st)) continue;
    if (st.isDirectory()) walk(p, visit);
  }
}

/** Files or directories whose name contains MARKER, up to `depth` levels under each start (node_modules skipped). */
function findMarker(starts: string[], depth: number): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const go = (dir: string, left: number) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      if (name.includes(MARKER)) found.push(p);
      if (left > 1 && name !== 'node_modules' && name !== 'proc' && name !== 'sys' && name !== '.git') {
        try {
          if (lstatSync(p).isDirectory()) go(p, left - 1);
        } catch {
          /* gone */
        }
      }
    }
  };
  for (const s of starts) go(s, s === '/' ? 1 : depth);
  return found;
}

/** Object.prototype and Array.prototype as they are now: the gateway runs in this process. */
export function prototypeFingerprint(): string {
  const probe = {} as Record<string, unknown>;
  return JSON.stringify({
    object: Object.getOwnPropertyNames(Object.prototype).sort(),
    array: Object.getOwnPropertyNames(Array.prototype).sort(),
    polluted: probe.polluted ?? null,
    arrPolluted: ([] as unknown as Record<string, unknown>).polluted ?? null,
  });
}

/** Deletes every Redis key of a test prefix (queues, counters, adapter), so runs leave nothing behind. */
export async function dropRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new IORedis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    for (let i = 0; i < 10_000; i++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------- wire helpers

/** An HTTP request with a raw path (no URL normalisation, so `/../` reaches the server as sent). */
export function rawHttp(
  port: number,
  method: string,
  path: string,
  opts: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}), ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = JSON.parse(body);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body, json });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('http timeout')));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/**
 * Sends a hand-written Socket.io EVENT packet (so JSON the client library would never produce, like
 * `1e309` or `-0`, reaches the server) and resolves with the decoded ack, or 'no-ack'.
 */
export function rawEmit(socket: Socket, eventJsonArray: string, ms = 3000): Promise<unknown> {
  const ackId = 900_000 + Math.floor(Math.random() * 99_999);
  const engine = (
    socket.io as unknown as {
      engine: { send(d: string): void; on(e: string, f: (d: unknown) => void): void; off(e: string, f: (d: unknown) => void): void };
    }
  ).engine;
  return new Promise((resolve) => {
    const onDisconnect = () => finish('no-ack');
    const onData = (data: unknown) => {
      if (typeof data !== 'string' || !data.startsWith(`3${ackId}`)) return;
      finish(JSON.parse(data.slice(String(ackId).length + 1))[0]);
    };
    const timer = setTimeout(() => finish('no-ack'), ms);
    const finish = (v: unknown) => {
      clearTimeout(timer);
      engine.off('message', onData);
      socket.off('disconnect', onDisconnect);
      resolve(v);
    };
    engine.on('message', onData);
    socket.once('disconnect', onDisconnect);
    engine.send(`2${ackId}${eventJsonArray}`);
  });
}

/** What an ack says, as a tally key; anything else (no ack, unknown code, INTERNAL) is a failure. */
export function ackKind(ack: unknown): { kind: string; ok: boolean } {
  if (ack === 'no-ack') return { kind: 'no answer', ok: false };
  const a = ack as { ok?: boolean; error?: { code?: string } } | null;
  if (a?.ok === true) return { kind: 'accepted (valid after all)', ok: true };
  const code = a?.error?.code;
  if (a?.ok === false && typeof code === 'string' && ERROR_CODES.has(code) && code !== ErrorCode.Internal) return { kind: code, ok: true };
  return { kind: `BAD ANSWER ${JSON.stringify(ack).slice(0, 120)}`, ok: false };
}
