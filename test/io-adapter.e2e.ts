import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WsResponse } from '@nestjs/websockets';
import { of, type Observable } from 'rxjs';
import { io, type Socket } from 'socket.io-client';
import { RedisIoAdapter } from '../apps/gateway/src/redis-io.adapter';
import { testConfig } from './support/env';

/** Handlers of every shape Nest allows, as a colleague might add them to a gateway. */
@WebSocketGateway()
class ShapesGateway {
  calls = 0;

  @SubscribeMessage('echo')
  async echo(@MessageBody() body: unknown) {
    this.calls++;
    return { ok: true, data: body };
  }

  @SubscribeMessage('sync-value')
  syncValue(@MessageBody() body: { n: number }) {
    return { doubled: body.n * 2 };
  }

  @SubscribeMessage('as-event')
  asEvent(@MessageBody() body: string): WsResponse<string> {
    return { event: 'shouted', data: body.toUpperCase() };
  }

  @SubscribeMessage('observable')
  observable(): Observable<number> {
    return of(41, 42);
  }

  @SubscribeMessage('nothing')
  nothing(@ConnectedSocket() socket: { emit(e: string, d: unknown): void }) {
    socket.emit('side-effect', 'done');
  }

  @SubscribeMessage('slow')
  async slow(@MessageBody() body: { ms: number }) {
    await new Promise((r) => setTimeout(r, body.ms));
    this.calls++;
    return { late: true };
  }
}

@Module({ providers: [ShapesGateway] })
class ShapesModule {}

describe('the gateway socket adapter: plain listeners for every @SubscribeMessage handler', () => {
  const config = testConfig();
  let app: INestApplication;
  let adapter: RedisIoAdapter;
  let url: string;
  const sockets: Socket[] = [];

  const connect = async () => {
    const s = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    return s;
  };

  beforeAll(async () => {
    app = await NestFactory.create(ShapesModule, { logger: false });
    adapter = new RedisIoAdapter(app, config.redisUrl, config.redisPrefix);
    await adapter.connect();
    app.useWebSocketAdapter(adapter);
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    url = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await app.close();
    await adapter.closeRedis();
    config.cleanup();
  });

  it('acknowledges with what a handler returns, promise or plain value', async () => {
    const s = await connect();
    expect(await s.timeout(2000).emitWithAck('echo', { hello: 'world' })).toEqual({ ok: true, data: { hello: 'world' } });
    expect(await s.timeout(2000).emitWithAck('sync-value', { n: 21 })).toEqual({ doubled: 42 });
  });

  it('emits a result that names an event', async () => {
    const s = await connect();
    const shouted = new Promise((r) => s.once('shouted', r));
    s.emit('as-event', 'quiet');
    expect(await shouted).toBe('QUIET');
  });

  it('acknowledges with the first value of an Observable', async () => {
    const s = await connect();
    expect(await s.timeout(2000).emitWithAck('observable')).toBe(41);
  });

  it('answers nothing for a handler that returns nothing, and still runs it', async () => {
    const s = await connect();
    const side = new Promise((r) => s.once('side-effect', r));
    await expect(s.timeout(300).emitWithAck('nothing')).rejects.toThrow();
    expect(await side).toBe('done');
  });

  it('runs the events of one socket concurrently, each answered on its own ack', async () => {
    const s = await connect();
    const slow = s.timeout(3000).emitWithAck('slow', { ms: 300 });
    const fast = await s.timeout(3000).emitWithAck('echo', 'fast');
    expect(fast).toEqual({ ok: true, data: 'fast' });
    expect(await slow).toEqual({ late: true });
  });
});
