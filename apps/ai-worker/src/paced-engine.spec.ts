import type { AiTurn, NegotiationEngine } from '@parley/negotiation';
import { pacedEngine, typingTimeMs } from './paced-engine';

const turn = (content: string): AiTurn => ({ content, metadata: {} as AiTurn['metadata'] });
const engineTaking = (ms: number, content: string): NegotiationEngine => ({
  name: 'fake',
  respond: () => new Promise((r) => setTimeout(() => r(turn(content)), ms)),
});
type Input = Parameters<NegotiationEngine['respond']>[0];
const input = { transcript: [] } as unknown as Input;
const sentMsAgo = (ms: number) =>
  ({
    transcript: [
      { sender_type: 'user', timestamp: new Date(Date.now() - ms - 5000).toISOString() },
      { sender_type: 'ai', timestamp: new Date(Date.now() - ms - 4000).toISOString() },
      { sender_type: 'user', timestamp: new Date(Date.now() - ms).toISOString() },
    ],
  }) as unknown as Input;

async function timed(engine: NegotiationEngine, given = input): Promise<{ ms: number; content: string }> {
  const started = Date.now();
  const reply = await engine.respond(given);
  return { ms: Date.now() - started, content: reply.content };
}

describe('AI replies paced so they read as typed', () => {
  it('takes longer for a longer reply, up to the configured pause', () => {
    expect(typingTimeMs('Fine.', 2500)).toBe(625);
    expect(typingTimeMs('x'.repeat(60), 2500)).toBe(2000);
    expect(typingTimeMs('x'.repeat(500), 2500)).toBe(2500);
    expect(typingTimeMs('x'.repeat(500), 800)).toBe(800);
  });

  it('holds an instant reply back for its typing time, and returns it unchanged', async () => {
    const short = await timed(pacedEngine(engineTaking(0, 'Fine.'), 2500));
    expect(short.content).toBe('Fine.');
    expect(short.ms).toBeGreaterThanOrEqual(600);
    expect(short.ms).toBeLessThan(1500);
    const long = await timed(pacedEngine(engineTaking(0, 'x'.repeat(60)), 2500));
    expect(long.ms).toBeGreaterThanOrEqual(1950);
  });

  it('counts the engine time towards the pause: a slow engine waits no more', async () => {
    const slow = await timed(pacedEngine(engineTaking(900, 'Fine.'), 2500));
    expect(slow.ms).toBeGreaterThanOrEqual(890);
    expect(slow.ms).toBeLessThan(1400);
  });

  it('counts the time since the student wrote (queue wait included): a reply that waited long enough comes at once', async () => {
    const waited = await timed(pacedEngine(engineTaking(0, 'Fine.'), 2500), sentMsAgo(400));
    expect(waited.ms).toBeGreaterThanOrEqual(150);
    expect(waited.ms).toBeLessThan(450);
    const queued = await timed(pacedEngine(engineTaking(0, 'Fine.'), 2500), sentMsAgo(3000));
    expect(queued.ms).toBeLessThan(100);
  });

  it('leaves the engine as it is with a pause of 0 (tests, benchmarks)', () => {
    const engine = engineTaking(0, 'Fine.');
    expect(pacedEngine(engine, 0)).toBe(engine);
  });
});
