import IORedis, { RedisOptions } from 'ioredis';

/** Options BullMQ and the Socket.io adapter need: reconnect forever, never fail queued commands. */
export function redisOptions(extra: RedisOptions = {}): RedisOptions {
  return {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...extra,
  };
}

export function createRedis(url: string, extra: RedisOptions = {}): IORedis {
  return new IORedis(url, redisOptions(extra));
}

/** Injection token of the process's shared Redis connection (queues, sequence numbers, limits, metrics). */
export const REDIS = 'PARLEY_REDIS';

/** A key under the deployment's prefix: `redisKey('parley', 'rl', 'messages')` is `parley:rl:messages`. */
export const redisKey = (redisPrefix: string, ...parts: string[]) => [redisPrefix, ...parts].join(':');

/** BullMQ key prefix for a deployment prefix (tests use their own so runs never meet). */
export const bullPrefix = (redisPrefix: string) => `${redisPrefix}:bull`;
/** Socket.io adapter/emitter channel prefix. */
export const socketIoKey = (redisPrefix: string) => `${redisPrefix}:socket.io`;

/** Answers whether a Redis server answers PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

type ScriptArg = string | number;
type ScriptRunner = Record<string, (...args: ScriptArg[]) => Promise<unknown>>;

/**
 * Runs a Lua script by its SHA1 (EVALSHA; ioredis loads the script when Redis answers NOSCRIPT), so a
 * script called on every message or offer is not sent, and hashed by Redis, each time. `name` is the
 * command ioredis defines on the connection: one name per script text.
 */
export function runScript(redis: IORedis, name: string, lua: string, keys: string[], args: ScriptArg[]): Promise<unknown> {
  const runner = redis as unknown as ScriptRunner;
  if (typeof runner[name] !== 'function') redis.defineCommand(name, { lua });
  // without a fixed numberOfKeys, ioredis takes the key count as the first argument
  return runner[name](keys.length, ...keys, ...args);
}

const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Deletes a lock key taken with SET NX under `token` only while it still holds that token (an expired lock another took is left alone). */
export function releaseLock(redis: IORedis, key: string, token: string): Promise<unknown> {
  return runScript(redis, 'parleyReleaseLock', RELEASE_LOCK, [key], [token]);
}
