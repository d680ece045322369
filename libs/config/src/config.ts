import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

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
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
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
  AGREEMENT_CONCURRENCY: int(4, 1),
  SWEEP_INTERVAL_MS: int(60000, 1000),
  STALE_AFTER_MS: int(24 * 3600 * 1000, 1000),
  MESSAGES_PER_MINUTE: int(30, 1),
  ACTIONS_PER_MINUTE: int(600, 1),
  LOGIN_ATTEMPTS_PER_15_MIN: int(10, 1),
  CONNECTIONS_PER_IP: int(500, 1),
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

/** A secret generated on first start and kept under DATA_DIR, so tokens survive restarts. */
function persistedSecret(dataDir: string): string {
  const file = join(dataDir, '.jwt_secret');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    /* first start */
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('hex');
  try {
    writeFileSync(file, secret, { flag: 'wx', mode: 0o600 });
    return secret;
  } catch {
    // another process created it first: use theirs
    return readFileSync(file, 'utf8').trim();
  }
}
