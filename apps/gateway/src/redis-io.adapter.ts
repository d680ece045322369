import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { INestApplication } from '@nestjs/common';
import type { Server, ServerOptions } from 'socket.io';
import type IORedis from 'ioredis';
import { createRedis, socketIoKey } from '@parley/queues';

/** Rooms shared by every gateway replica through Redis pub/sub; connected before listening. */
export class RedisIoAdapter extends IoAdapter {
  private pub?: IORedis;
  private sub?: IORedis;
  server?: Server;

  constructor(
    app: INestApplication,
    private readonly redisUrl: string,
    private readonly redisPrefix: string,
  ) {
    super(app);
  }

  async connect(): Promise<void> {
    this.pub = createRedis(this.redisUrl);
    this.sub = this.pub.duplicate();
    await Promise.all([waitReady(this.pub), waitReady(this.sub)]);
    this.resyncAfterOutage(this.sub);
  }

  /**
   * While the subscriber connection is down (Redis restarting), what other replicas and the workers
   * broadcast never reaches this gateway's clients, and nothing would tell them. When it is back,
   * close every local client's connection: each reconnects, rejoins and syncs from its last seq.
   */
  private resyncAfterOutage(sub: IORedis): void {
    let lost = false;
    sub.on('close', () => {
      lost = true;
    });
    sub.on('ready', () => {
      if (!lost) return;
      lost = false;
      // the channels are subscribed again right after 'ready'; the PING reply comes after theirs
      void sub
        .ping()
        .catch(() => undefined)
        .then(() => this.server?.local.disconnectSockets(true));
    });
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    server.adapter(createAdapter(this.pub!, this.sub!, { key: socketIoKey(this.redisPrefix) }));
    this.server = server;
    return server;
  }

  async closeRedis(): Promise<void> {
    this.pub?.disconnect();
    this.sub?.disconnect();
  }
}

function waitReady(r: IORedis): Promise<void> {
  if (r.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    r.once('ready', () => resolve());
    r.once('error', (e) => reject(e));
  });
}
