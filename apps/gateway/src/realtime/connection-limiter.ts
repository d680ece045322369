import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import proxyAddr from 'proxy-addr';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'socket.io';
import { ErrorCode, ParleyError } from '@parley/contracts';
import type IORedis from 'ioredis';
import { CONFIG, ParleyConfig } from '@parley/config';
import { REDIS, redisKey } from '@parley/queues';

const HEARTBEAT_MS = 5_000;
/** A gateway that has not beaten for this long is dead: its sockets no longer count. */
export const INSTANCE_STALE_MS = 15_000;
const COUNT_TTL_S = 24 * 3600;

/** Redis's clock, so gateways on hosts whose clocks differ agree on who is alive. */
const NOW = `local t = redis.call('time') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Counts are hashes (client address → {gateway instance: open sockets}, user → {...}); an instance
 * counts only while its heartbeat is fresh, and a dead one's fields are dropped by the next admit.
 */
const ADMIT = `${NOW}
redis.call('zadd', KEYS[3], now, ARGV[1])
redis.call('zremrangebyscore', KEYS[3], '-inf', now - tonumber(ARGV[4]))
local function live(key)
  local vals = redis.call('hgetall', key)
  local total = 0
  for i = 1, #vals, 2 do
    if redis.call('zscore', KEYS[3], vals[i]) then total = total + tonumber(vals[i + 1]) else redis.call('hdel', key, vals[i]) end
  end
  return total
end
if live(KEYS[1]) >= tonumber(ARGV[2]) then return 1 end
if live(KEYS[2]) >= tonumber(ARGV[3]) then return 2 end
for k = 1, 2 do
  redis.call('hincrby', KEYS[k], ARGV[1], 1)
  redis.call('expire', KEYS[k], ARGV[5])
end
return 0`;

const BEAT = `${NOW} redis.call('zadd', KEYS[1], now, ARGV[1]) return 0`;

const RELEASE = `
for k = 1, 2 do
  if redis.call('hincrby', KEYS[k], ARGV[1], -1) <= 0 then redis.call('hdel', KEYS[k], ARGV[1]) end
end
return 0`;

/** Open sockets per client IP and per user, counted in Redis so the limits hold across gateway replicas. */
@Injectable()
export class ConnectionLimiter implements OnApplicationShutdown {
  private readonly trusted: (addr: string, i: number) => boolean;
  /** This gateway process; its counts die with it. */
  private readonly instance = randomUUID();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(REDIS) private readonly redis: IORedis,
  ) {
    this.trusted = proxyAddr.compile(config.trustProxy.split(',').map((s) => s.trim()));
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
    void this.beat();
  }

  /** The client's address, believing X-Forwarded-For only from trusted proxies (TRUST_PROXY). */
  clientAddress(socket: Socket): string {
    try {
      return proxyAddr(socket.request as IncomingMessage, this.trusted);
    } catch {
      return socket.handshake.address || 'unknown';
    }
  }

  private keys(socket: Socket, user: string): string[] {
    return [
      redisKey(this.config.redisPrefix, 'conn', 'ip', this.clientAddress(socket)),
      redisKey(this.config.redisPrefix, 'conn', 'user', user),
      this.instancesKey(),
    ];
  }

  private instancesKey(): string {
    return redisKey(this.config.redisPrefix, 'conn', 'instances');
  }

  async admit(socket: Socket, user: string): Promise<void> {
    const { connectionsPerIp, connectionsPerUser } = this.config;
    const refused = (await this.redis.eval(
      ADMIT,
      3,
      ...this.keys(socket, user),
      this.instance,
      connectionsPerIp,
      connectionsPerUser,
      INSTANCE_STALE_MS,
      COUNT_TTL_S,
    )) as number;
    if (refused === 1) throw new ParleyError(ErrorCode.RateLimited, `too many connections from this address (limit ${connectionsPerIp})`);
    if (refused === 2) throw new ParleyError(ErrorCode.RateLimited, `too many connections for this user (limit ${connectionsPerUser})`);
    socket.data.counted = user;
  }

  async release(socket: Socket): Promise<void> {
    const user = socket.data.counted as string | undefined;
    if (!user) return;
    socket.data.counted = undefined;
    const [ip, byUser] = this.keys(socket, user);
    await this.redis.eval(RELEASE, 2, ip, byUser, this.instance).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    await this.redis.eval(BEAT, 1, this.instancesKey(), this.instance).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.redis.zrem(this.instancesKey(), this.instance).catch(() => undefined);
  }
}
