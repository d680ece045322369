import { ServerEvent, sessionSummary } from '@parley/contracts';
import type { RoomEmitter } from '@parley/queues';
import type { SessionStore } from '@parley/store';
import type { SessionRecords } from './session-records';

/** Tells a session's screens that something changed: the summary to the session room, the full live view to its instructor. */
export class SessionPush {
  constructor(
    private readonly sessions: SessionStore,
    private readonly records: SessionRecords,
    private readonly emitter: RoomEmitter,
  ) {}

  async changed(sessionId: string): Promise<void> {
    const session = await this.sessions.read(sessionId);
    if (!session) return;
    const live = await this.records.live(session);
    this.emitter.toSessionStaff(sessionId, ServerEvent.LiveUpdate, live);
    this.emitter.toSession(sessionId, ServerEvent.SessionUpdate, sessionSummary(session.title, live));
  }
}
