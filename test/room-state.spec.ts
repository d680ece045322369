import type { ChatMessage } from '@parley/contracts/browser';
import { initialRoom, newOutboxItem, roomReducer, type RoomAction, type RoomState } from '../apps/web/src/room/state';

/** The web room's reducer: what a student sees of the chat and the room's phase, whatever order events come in. */
const run = (...actions: RoomAction[]): RoomState => actions.reduce(roomReducer, initialRoom);
const line = (seq: number, sender = 'bob@uni.edu', extra: Partial<ChatMessage> = {}): ChatMessage =>
  ({ id: `m${seq}`, seq, sender, content: `line ${seq}`, timestamp: new Date(seq * 1000).toISOString(), ...extra }) as ChatMessage;
const me = 'alice@uni.edu';

describe('room state', () => {
  it('shows each message once, in seq order, when history, a sync and live events overlap', () => {
    const s = run(
      { type: 'messages', messages: [line(1), line(2), line(4)], me },
      { type: 'messages', messages: [line(3), line(4)], me },
      { type: 'messages', messages: [line(2), line(5)], me },
    );
    expect(s.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(s.lastSeq).toBe(5);
  });

  it('drops a queued message from the outbox once it comes back in the log, and requeues one in flight on a lost connection', () => {
    const a = newOutboxItem('hello');
    const b = newOutboxItem('still there?');
    let s = run({ type: 'queue', item: a }, { type: 'queue', item: b }, { type: 'mark', id: b.clientMessageId, state: 'sending' });
    s = roomReducer(s, { type: 'disconnected' });
    expect(s.outbox.map((i) => i.state)).toEqual(['queued', 'queued']);
    s = roomReducer(s, { type: 'messages', messages: [line(7, me, { client_message_id: a.clientMessageId })], me });
    expect(s.outbox.map((i) => i.content)).toEqual(['still there?']);
    expect(a.clientMessageId).not.toBe(b.clientMessageId);
  });

  it('goes loading → joining → joined, back to joining on a lost connection, and stays closed once over', () => {
    let s = run({ type: 'loaded' }, { type: 'joined' });
    expect(s.phase).toBe('joined');
    s = roomReducer(s, { type: 'disconnected' });
    expect([s.phase, s.member]).toEqual(['joining', false]);
    s = run(
      { type: 'outcome', update: { negotiation_id: 'n', status: 'completed', updated_at: '' } as never },
      { type: 'loaded' },
      { type: 'joined' },
    );
    expect([s.phase, s.member]).toEqual(['closed', true]);
    expect(roomReducer(s, { type: 'ai-typing', on: true }).aiTyping).toBe(false);
    expect(roomReducer(s, { type: 'outcome', update: { negotiation_id: 'n', status: 'active' } as never }).outcome?.status).toBe(
      'completed',
    );
  });
});
