import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { INestApplication } from '@nestjs/common';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { isObservable, type Observable } from 'rxjs';
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
    // every broadcast is a PUBLISH: those issued in one tick go out in one socket write
    this.pub = createRedis(this.redisUrl, { enableAutoPipelining: true });
    this.sub = this.pub.duplicate({ enableAutoPipelining: false });
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

  /**
   * One plain listener per @SubscribeMessage handler instead of Nest's rxjs pipeline per handler and
   * socket (fromEvent → mergeMap → takeUntil(disconnect)), which held most of an idle socket's memory
   * and ran on every event. Same contract: the handler gets the payload and the ack; a result with
   * `event` is emitted, any other non-nil result acknowledges; nothing is answered after a disconnect.
   */
  override bindMessageHandlers(
    socket: Parameters<IoAdapter['bindMessageHandlers']>[0],
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(String(message), (...args: unknown[]) => {
        // as rxjs fromEvent hands them to Nest: one argument alone, several as an array
        const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]);
        const respond = (response: unknown) => {
          if (response === null || response === undefined || socket.disconnected) return;
          const r = response as { event?: string; data?: unknown };
          if (r.event) socket.emit(r.event, r.data);
          else if (!isAckHandledManually && typeof ack === 'function') (ack as (r: unknown) => void)(response);
        };
        const result = callback(data, ack) as unknown;
        if (isObservable(result)) {
          transform(result).subscribe({ next: respond, error: () => undefined });
          return;
        }
        Promise.resolve(result).then(
          (value) => {
            // a handler may resolve to an Observable: Nest's transform subscribes to it
            if (isObservable(value)) transform(value).subscribe({ next: respond, error: () => undefined });
            else respond(value);
          },
          () => undefined,
        );
      });
    }
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
