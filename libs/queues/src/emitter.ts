import { Emitter } from '@socket.io/redis-emitter';
import type IORedis from 'ioredis';
import {
  INSTRUCTORS_ROOM,
  negotiationRoom,
  sessionRoom,
  sessionStaffRoom,
  ServerEventName,
  ServerPayloads,
  userRoom,
} from '@parley/contracts';
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

  /**
   * A negotiation's result: each party's own version to their user room (every tab, in the room or
   * not: lobby and dashboards listen there), and the shared one to the others in the room (observers)
   * and to every instructor (the class dashboard). One emit per socket, so nobody gets it twice.
   */
  negotiationUpdate(
    update: ServerPayloads['negotiation-update'],
    parties: { user: string; update: ServerPayloads['negotiation-update'] }[],
  ): void {
    const event = 'negotiation-update' as const;
    this.emitter
      .to([negotiationRoom(update.negotiation_id), INSTRUCTORS_ROOM])
      .except(parties.map((p) => userRoom(p.user)))
      .emit(event, update);
    for (const p of parties) this.emitter.to(userRoom(p.user)).emit(event, p.update);
  }

  toUser<E extends ServerEventName & keyof ServerPayloads>(email: string, event: E, payload: ServerPayloads[E]): void {
    this.emitter.to(userRoom(email)).emit(event, payload);
  }

  /** A market's change to its members' and its instructor's user rooms, each socket once; nobody else hears it. */
  toMarket(market: { id: string; instructor: string; assignment: Record<string, string> }, change: 'trade' | 'ended'): void {
    const users = [...Object.keys(market.assignment), market.instructor];
    this.emitter.to(users.map(userRoom)).emit('market-update', { market_id: market.id, change });
  }

  toSession<E extends ServerEventName & keyof ServerPayloads>(sessionId: string, event: E, payload: ServerPayloads[E]): void {
    this.emitter.to(sessionRoom(sessionId)).emit(event, payload);
  }

  toSessionStaff<E extends ServerEventName & keyof ServerPayloads>(sessionId: string, event: E, payload: ServerPayloads[E]): void {
    this.emitter.to(sessionStaffRoom(sessionId)).emit(event, payload);
  }
}
