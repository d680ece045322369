import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/** HS256 keys shorter than this can be brute-forced offline from one token. */
export const MIN_SECRET_CHARS = 32;

const int = (def: number, min = 0) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).default(def);

const schema = z.object({
  PORT: int(3000, 0).refine((p) => p <= 65535, 'must be a port number from 0 to 65535'),
  HOST: z.string().min(1).default('0.0.0.0'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ or - only')
    .default('parley'),
  DATA_DIR: z.string().min(1).default('./data'),
  JWT_SECRET: z.string().min(MIN_SECRET_CHARS, `must be at least ${MIN_SECRET_CHARS} characters`).optional(),
  JWT_TTL_SECONDS: int(8 * 3600, 60),
  NODE_ENV: z.string().default('production'),
  AI_ENGINE: z.enum(['builtin', 'openai']).default('builtin'),
  AI_FALLBACK: z.enum(['none', 'builtin']).default('none'),
  AI_TIMEOUT_MS: int(30000, 100),
  AI_CONCURRENCY: int(4, 1),
  AI_TYPING_DELAY_MS: int(2500, 0),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  OPENAI_BASE_URL: z.string().url().optional(),
  AGREEMENT_CONCURRENCY: int(64, 1),
  SWEEP_INTERVAL_MS: int(60000, 1000),
  STALE_AFTER_MS: int(24 * 3600 * 1000, 1000),
  MESSAGES_PER_MINUTE: int(30, 1),
  ACTIONS_PER_MINUTE: int(600, 1),
  LOGIN_ATTEMPTS_PER_15_MIN: int(10, 1),
  CONNECTIONS_PER_IP: int(500, 1),
  CONNECTIONS_PER_USER: int(20, 1),
  MAX_LINES_PER_NEGOTIATION: int(1000, 10),
  MAX_OPEN_ORDERS_PER_TEAM: int(50, 1),
  MAX_OPEN_NEGOTIATIONS_PER_TEAM: int(100, 1),
  TRUST_PROXY: z
    .string()
    .regex(/^[A-Za-z0-9.:/, ]{1,200}$/, 'a comma-separated list of addresses, subnets or loopback/linklocal/uniquelocal')
    .default('loopback'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
});

export type RawConfig = z.infer<typeof schema>;

export interface ParleyConfig {
  port: number;
  host: string;
  /** Undefined when the operator did not set REDIS_URL (npm start may then run its own redis-server). */
  redisUrlSet: boolean;
  redisUrl: string;
  redisPrefix: string;
  dataDir: string;
  jwtSecret: string;
  jwtTtlSeconds: number;
  devMode: boolean;
  aiEngine: 'builtin' | 'openai';
  aiFallback: 'none' | 'builtin';
  aiTimeoutMs: number;
  aiConcurrency: number;
  /** Longest pause before an AI reply appears, so it reads as typed (0: none). */
  aiTypingDelayMs: number;
  openai: { apiKey?: string; model: string; baseUrl?: string };
  agreementConcurrency: number;
  sweepIntervalMs: number;
  staleAfterMs: number;
  messagesPerMinute: number;
  /** All socket events and creating API calls of one user (chat has its own, lower limit). */
  actionsPerMinute: number;
  loginAttemptsPer15Min: number;
  connectionsPerIp: number;
  connectionsPerUser: number;
  /** Chat and offer lines (both parties, the AI included) one negotiation may hold. */
  maxLinesPerNegotiation: number;
  maxOpenOrdersPerTeam: number;
  maxOpenNegotiationsPerTeam: number;
  /** Which proxies' X-Forwarded-For to believe (express/proxy-addr syntax), for per-IP limits. */
  trustProxy: string;
  logLevel: RawConfig['LOG_LEVEL'];
  /** `auto`: readable lines on a terminal, JSON when stdout is not one. */
  logFormat: RawConfig['LOG_FORMAT'];
}

export class ConfigError extends Error {}

/** Reads and validates the environment once; the error names the offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ParleyConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${describeIssue(parsed.error.issues[0], cleaned)}`);
  }
  const c = parsed.data;
  if (c.AI_ENGINE === 'openai' && !c.OPENAI_API_KEY && !c.OPENAI_BASE_URL) {
    throw new ConfigError(
      'Invalid configuration: OPENAI_API_KEY is required when AI_ENGINE=openai (or set OPENAI_BASE_URL for a local server)',
    );
  }
  const dataDir = resolve(c.DATA_DIR);
  return {
    port: c.PORT,
    host: c.HOST,
    redisUrlSet: c.REDIS_URL !== undefined,
    redisUrl: c.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: c.REDIS_PREFIX,
    dataDir,
    jwtSecret: c.JWT_SECRET ?? persistedSecret(dataDir),
    jwtTtlSeconds: c.JWT_TTL_SECONDS,
    devMode: c.NODE_ENV === 'development',
    aiEngine: c.AI_ENGINE,
    aiFallback: c.AI_FALLBACK,
    aiTimeoutMs: c.AI_TIMEOUT_MS,
    aiConcurrency: c.AI_CONCURRENCY,
    aiTypingDelayMs: c.AI_TYPING_DELAY_MS,
    openai: { apiKey: c.OPENAI_API_KEY, model: c.OPENAI_MODEL, baseUrl: c.OPENAI_BASE_URL },
    agreementConcurrency: c.AGREEMENT_CONCURRENCY,
    sweepIntervalMs: c.SWEEP_INTERVAL_MS,
    staleAfterMs: c.STALE_AFTER_MS,
    messagesPerMinute: c.MESSAGES_PER_MINUTE,
    actionsPerMinute: c.ACTIONS_PER_MINUTE,
    loginAttemptsPer15Min: c.LOGIN_ATTEMPTS_PER_15_MIN,
    connectionsPerIp: c.CONNECTIONS_PER_IP,
    connectionsPerUser: c.CONNECTIONS_PER_USER,
    maxLinesPerNegotiation: c.MAX_LINES_PER_NEGOTIATION,
    maxOpenOrdersPerTeam: c.MAX_OPEN_ORDERS_PER_TEAM,
    maxOpenNegotiationsPerTeam: c.MAX_OPEN_NEGOTIATIONS_PER_TEAM,
    trustProxy: c.TRUST_PROXY,
    logLevel: c.LOG_LEVEL,
    logFormat: c.LOG_FORMAT,
  };
}

/** `PORT="abc" must be a whole number (default 3000)`: the variable, what was given (never a secret), what is wanted. */
function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = issue.path.join('.');
  const given = env[name];
  const shown = given === undefined || /SECRET|KEY|PASSWORD/.test(name) ? '' : `=${JSON.stringify(given)}`;
  const field = (schema.shape as Record<string, z.ZodType>)[name];
  const fallback = field?.safeParse(undefined);
  const hint = fallback?.success && fallback.data !== undefined ? ` (default ${String(fallback.data)})` : '';
  return `${name}${shown} ${issue.message.replace(/^Invalid option: expected one of/, 'must be one of')}${hint}`;
}

/**
 * The secret kept under DATA_DIR when JWT_SECRET is unset, so tokens survive restarts. It is created
 * whole or not at all (written to a private temporary file, then hard-linked into place, which fails
 * if another process got there first), mode 0600; an existing one that is too short stops the start.
 */
function persistedSecret(dataDir: string): string {
  const file = join(dataDir, '.jwt_secret');
  const existing = readSecret(file);
  if (existing !== null) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(48).toString('hex'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    syncDir(dataDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // another service created it first: everyone uses that one
  } finally {
    unlinkSync(tmp);
  }
  const secret = readSecret(file);
  if (secret === null) throw new ConfigError(`Invalid configuration: ${file} could not be created`);
  return secret;
}

function readSecret(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(`Invalid configuration: ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const secret = text.trim();
  if (secret.length < MIN_SECRET_CHARS) {
    throw new ConfigError(
      `Invalid configuration: ${file} holds ${secret.length} characters, at least ${MIN_SECRET_CHARS} are needed; delete it to have a new one generated, or set JWT_SECRET`,
    );
  }
  return secret;
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
