import { ServerEvent, sessionSummary } from '@parley/contracts';
import type { RoomEmitter } from '@parley/queues';
import type { SessionStore } from '@parley/store';
import type { SessionRecords } from './session-records';

/**
 * Tells a session's screens that something changed: the summary to the session room, the full live
 * view to its instructor.
 *
 * The live view reads every negotiation of the round, so a class where many pairs settle at once
 * would otherwise read the whole round once per settlement. Pushes of one session run one at a time
 * in a process; the changes that arrive while one runs share the next, which starts after all of
 * them, so every caller's change is in a push that began after its call.
 */
export class SessionPush {
  /** The push of each session that has not started yet: later callers join it. */
  private readonly queued = new Map<string, Promise<void>>();
  /** The last push of each session (settled, never rejecting): the next one starts after it. */
  private readonly last = new Map<string, Promise<void>>();

  constructor(
    private readonly sessions: SessionStore,
    private readonly records: SessionRecords,
    private readonly emitter: RoomEmitter,
  ) {}

  changed(sessionId: string): Promise<void> {
    const queued = this.queued.get(sessionId);
    if (queued) return queued;
    const next = (this.last.get(sessionId) ?? Promise.resolve()).then(() => {
      this.queued.delete(sessionId);
      return this.push(sessionId);
    });
    this.queued.set(sessionId, next);
    const done: Promise<void> = next
      .catch(() => undefined)
      .finally(() => {
        if (this.last.get(sessionId) === done) this.last.delete(sessionId);
      });
    this.last.set(sessionId, done);
    return next;
  }

  private async push(sessionId: string): Promise<void> {
    const session = await this.sessions.read(sessionId);
    if (!session) return;
    const live = await this.records.live(session);
    this.emitter.toSessionStaff(sessionId, ServerEvent.LiveUpdate, live);
    this.emitter.toSession(sessionId, ServerEvent.SessionUpdate, sessionSummary(session.title, live));
  }
}
