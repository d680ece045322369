import { ErrorCode } from '@parley/contracts';
import { FakeOpenAi } from '../../../test/support/fake-openai';
import { createNegotiator, FallbackEngine } from './negotiator';
import { loadBuiltin } from './test-helpers';
import type { NegotiatorInput } from './types';

const scenario = loadBuiltin('salary');
const input = (): NegotiatorInput => ({
  scenario,
  transcript: [
    {
      id: 'm1',
      seq: 1,
      negotiation_id: '11111111-2222-4333-8444-555555555555',
      sender_type: 'user',
      sender: 'a@b.edu',
      content: 'Hi! What can you offer?',
      timestamp: new Date().toISOString(),
    },
  ],
  studentState: null,
  aiState: null,
  aiTurns: 0,
  nowMs: Date.now(),
});

describe('createNegotiator', () => {
  const server = new FakeOpenAi();
  let baseUrl: string;
  beforeAll(async () => {
    baseUrl = await server.start();
  });
  afterAll(() => server.stop());

  const config = (aiFallback: 'none' | 'builtin') => ({
    aiEngine: 'openai' as const,
    aiFallback,
    aiTimeoutMs: 300,
    openai: { apiKey: 'sk-test', model: 'test-model', baseUrl },
  });

  it('AI_ENGINE=builtin answers offline', async () => {
    const engine = createNegotiator({ ...config('none'), aiEngine: 'builtin' });
    expect(engine.name).toBe('builtin');
    const turn = await engine.respond(input());
    expect(turn.content.length).toBeGreaterThan(0);
    expect(turn.metadata.model).toBe('parley-builtin');
  });

  it('without a fallback, a model that times out is AI_TIMEOUT', async () => {
    server.script({ kind: 'delay', ms: 2000, then: { kind: 'raw', content: '{}' } });
    const engine = createNegotiator(config('none'));
    expect(engine.name).toBe('openai');
    await expect(engine.respond(input())).rejects.toMatchObject({ code: ErrorCode.AiTimeout });
  });

  it('AI_FALLBACK=builtin answers the turn with the built-in engine when the model times out or talks nonsense', async () => {
    const failures: string[] = [];
    const engine = createNegotiator(config('builtin'), { onFallback: (e) => failures.push(e.message) });
    expect(engine).toBeInstanceOf(FallbackEngine);

    server.script({ kind: 'delay', ms: 2000, then: { kind: 'raw', content: '{}' } });
    const started = Date.now();
    const slow = await engine.respond(input());
    expect(Date.now() - started).toBeLessThan(1500);
    expect(slow.metadata.model).toBe('parley-builtin');

    server.script({ kind: 'raw', content: 'not json at all' });
    const garbage = await engine.respond(input());
    expect(garbage.metadata.model).toBe('parley-builtin');
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatch(/300 ms/);
  });

  it('with a working model the fallback stays unused', async () => {
    server.script({
      kind: 'json',
      content: {
        message: 'Welcome! Let us find a package.',
        reasoning: '',
        negotiation_state: 'opening',
        confidence: 0.6,
        offer: null,
        accept: false,
      },
    });
    const turn = await createNegotiator(config('builtin')).respond(input());
    expect(turn.metadata.model).toBe('test-model');
    expect(turn.content).toBe('Welcome! Let us find a package.');
  });
});
