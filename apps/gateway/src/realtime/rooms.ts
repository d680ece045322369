import { Injectable } from '@nestjs/common';
import { FREE_BOARD_ROOM, negotiationRoom, userRoom } from '@parley/contracts';
import type { ParleyServer } from './socket-types';

/** The negotiation rooms of this gateway's Socket.io server (shared with the others through the Redis adapter). */
@Injectable()
export class Rooms {
  private server?: ParleyServer;

  /** Called by the gateway once Socket.io is up. */
  attach(server: ParleyServer): void {
    this.server = server;
  }

  to(negotiationId: string) {
    return this.io().to(negotiationRoom(negotiationId));
  }

  /** Every socket of one user, on every gateway. */
  toUser(email: string) {
    return this.io().to(userRoom(email));
  }

  /** Every socket of these users, each once, on every gateway. */
  toUsers(emails: string[]) {
    return this.io().to(emails.map(userRoom));
  }

  /** Every signed-in socket (the free trading board). */
  toFreeBoard() {
    return this.io().to(FREE_BOARD_ROOM);
  }

  /** Sockets in the room on every gateway. */
  async count(negotiationId: string): Promise<number> {
    return (await this.io().in(negotiationRoom(negotiationId)).fetchSockets()).length;
  }

  private io(): ParleyServer {
    if (!this.server) throw new Error('Socket.io is not attached yet');
    return this.server;
  }
}
