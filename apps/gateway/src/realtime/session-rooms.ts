import { Inject, Injectable } from '@nestjs/common';
import { ClientPayloads, sessionRoom, sessionStaffRoom, sessionSummary } from '@parley/contracts';
import { SessionRecords, SessionService } from '@parley/sessions';
import type { AuthUser } from '../auth/auth.service';
import type { ParleySocket } from './socket-types';

/** `join-session`: members and the session's instructor only (its staff room too); answers with the current summary. */
@Injectable()
export class SessionRooms {
  constructor(
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(SessionRecords) private readonly records: SessionRecords,
  ) {}

  async join(socket: ParleySocket, user: AuthUser, p: ClientPayloads['join-session']) {
    const { session, isOwner } = await this.sessions.reach(user, p.session_id);
    await socket.join(sessionRoom(session.id));
    const live = await this.records.live(session);
    if (isOwner) {
      await socket.join(sessionStaffRoom(session.id));
      return { summary: sessionSummary(session.title, live), live };
    }
    return { summary: sessionSummary(session.title, live) };
  }
}
