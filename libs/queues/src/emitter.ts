import { Emitter } from '@socket.io/redis-emitter';
import type IORedis from 'ioredis';
import { negotiationRoom, ServerEventName, ServerPayloads } from '@parley/contracts';
import { socketIoKey } from './redis';

/** How workers reach browsers: through the Socket.io Redis adapter's channel, never HTTP. */
export class RoomEmitter {
  private readonly emitter: Emitter;

  constructor(redis: IORedis, redisPrefix: string) {
    this.emitter = new Emitter(redis, { key: socketIoKey(redisPrefix) });
  }

  toNegotiation<E extends ServerEventName & keyof ServerPayloads>(negotiationId: string, event: E, payload: ServerPayloads[E]): void {
    this.emitter.to(negotiationRoom(negotiationId)).emit(event, payload);
  }
}
