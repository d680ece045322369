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
