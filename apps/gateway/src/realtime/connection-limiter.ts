import { Inject, Injectable } from '@nestjs/common';
import proxyAddr from 'proxy-addr';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'socket.io';
import { ErrorCode, ParleyError } from '@parley/contracts';
import type IORedis from 'ioredis';
import { CONFIG, ParleyConfig } from '@parley/config';
import { REDIS, redisKey } from '@parley/queues';

const COUNT_TTL_S = 3600;

/** Open sockets per client IP, counted in Redis so the limit holds across gateway replicas. */
@Injectable()
export class ConnectionLimiter {
  private readonly trusted: (addr: string, i: number) => boolean;

  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(REDIS) private readonly redis: IORedis,
  ) {
    this.trusted = proxyAddr.compile(config.trustProxy.split(',').map((s) => s.trim()));
  }

  /** The client's address, believing X-Forwarded-For only from trusted proxies (TRUST_PROXY). */
  clientAddress(socket: Socket): string {
    try {
      return proxyAddr(socket.request as IncomingMessage, this.trusted);
    } catch {
      return socket.handshake.address || 'unknown';
    }
  }

  private key(socket: Socket) {
    return redisKey(this.config.redisPrefix, 'conn', this.clientAddress(socket));
  }

  async admit(socket: Socket): Promise<void> {
    const key = this.key(socket);
    const [[, count]] = (await this.redis.multi().incr(key).expire(key, COUNT_TTL_S).exec()) as [[unknown, number], unknown];
    if (count > this.config.connectionsPerIp) {
      await this.redis.decr(key);
      throw new ParleyError(ErrorCode.RateLimited, `too many connections from this address (limit ${this.config.connectionsPerIp})`);
    }
    socket.data.counted = true;
  }

  async release(socket: Socket): Promise<void> {
    if (!socket.data.counted) return;
    socket.data.counted = false;
    await this.redis.decr(this.key(socket)).catch(() => undefined);
  }
}
