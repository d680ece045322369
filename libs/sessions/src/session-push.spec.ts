import type { LiveView, Session } from '@parley/contracts';
import type { RoomEmitter } from '@parley/queues';
import type { SessionStore } from '@parley/store';
import { SessionPush } from './session-push';
import type { SessionRecords } from './session-records';

/**
 * Each session's deal count is what the test sets; a live view reports the count it read, and a
 * gate can hold a session's read open so changes pile up while it runs.
 */
function world() {
  const deals = new Map<string, number>();
  const reads: string[] = [];
  const sent: { room: string; event: string; deals: number }[] = [];
  const gates = new Map<string, Promise<void>>();
  let failNext = false;
  const records = {
    live: async (session: Session): Promise<LiveView> => {
      reads.push(session.id);
      await gates.get(session.id);
      if (failNext) {
        failNext = false;
        throw new Error('disk read failed');
      }
      return { session_id: session.id, members: [], deals: deals.get(session.id) ?? 0, no_deals: 0, round: null };
    },
  } as unknown as SessionRecords;
  const sessions = { read: async (id: string) => ({ id, title: `class ${id}` }) as Session } as unknown as SessionStore;
  const emitter = {
    toSessionStaff: (id: string, event: string, live: LiveView) => sent.push({ room: `staff:${id}`, event, deals: live.deals }),
    toSession: (id: string, event: string, summary: { deals: number }) => sent.push({ room: id, event, deals: summary.deals }),
  } as unknown as RoomEmitter;
  return {
    push: new SessionPush(sessions, records, emitter),
    deals,
    reads,
    sent,
    /** Holds the next reads of this session's round until the returned function is called. */
    hold(sessionId: string) {
      let open!: () => void;
      gates.set(sessionId, new Promise((r) => (open = r)));
      return () => {
        gates.delete(sessionId);
        open();
      };
    },
    failOnce: () => (failNext = true),
  };
}

describe('SessionPush', () => {
  it('sends the live view to the instructor and the summary to the session room', async () => {
    const w = world();
    w.deals.set('s1', 3);
    await w.push.changed('s1');
    expect(w.sent).toEqual([
      { room: 'staff:s1', event: 'live-update', deals: 3 },
      { room: 's1', event: 'session-update', deals: 3 },
    ]);
  });

  it('many settlements at once read the round twice, not once each, and the last push shows them all', async () => {
    const w = world();
    const open = w.hold('s1');
    const first = w.push.changed('s1');
    await new Promise((r) => setImmediate(r)); // the first push is reading
    const rest: Promise<void>[] = [];
    for (let n = 1; n <= 50; n++) {
      w.deals.set('s1', n);
      rest.push(w.push.changed('s1'));
    }
    open();
    await Promise.all([first, ...rest]);
    expect(w.reads).toEqual(['s1', 's1']);
    expect(w.sent.filter((s) => s.event === 'live-update').map((s) => s.deals)).toEqual([50, 50]);
    w.deals.set('s1', 51);
    await w.push.changed('s1');
    expect(w.sent.at(-1)).toEqual({ room: 's1', event: 'session-update', deals: 51 });
    expect(w.reads).toHaveLength(3);
  });

  it('a failed push fails its callers only: the next change pushes again', async () => {
    const w = world();
    w.failOnce();
    await expect(w.push.changed('s1')).rejects.toThrow('disk read failed');
    w.deals.set('s1', 1);
    await w.push.changed('s1');
    expect(w.sent.map((s) => s.deals)).toEqual([1, 1]);
  });

  it('sessions do not wait for each other', async () => {
    const w = world();
    const open = w.hold('s1');
    const s1 = w.push.changed('s1');
    await new Promise((r) => setImmediate(r));
    w.deals.set('s2', 7);
    await w.push.changed('s2');
    expect(w.sent).toEqual([
      { room: 'staff:s2', event: 'live-update', deals: 7 },
      { room: 's2', event: 'session-update', deals: 7 },
    ]);
    open();
    await s1;
    expect(w.sent).toHaveLength(4);
  });
});
