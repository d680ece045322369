import { loadConfig } from './config';

const base = { JWT_SECRET: 'config-spec-secret-config-spec-secret' };
const problem = (env: Record<string, string>) => {
  try {
    loadConfig({ ...base, ...env });
    return 'accepted';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('loadConfig: one line an operator can act on', () => {
  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT="abc" must be a whole number (default 3000)'],
    [{ PORT: '70000' }, 'Invalid configuration: PORT="70000" must be a port number from 0 to 65535 (default 3000)'],
    [
      { MESSAGES_PER_MINUTE: '0' },
      expect.stringMatching(/^Invalid configuration: MESSAGES_PER_MINUTE="0" must be at least 1 \(default \d+\)$/),
    ],
    [{ AI_ENGINE: 'gpt' }, 'Invalid configuration: AI_ENGINE="gpt" must be one of "builtin"|"openai" (default builtin)'],
    [{ LOG_FORMAT: 'xml' }, 'Invalid configuration: LOG_FORMAT="xml" must be one of "auto"|"json"|"pretty" (default auto)'],
  ])('%j', (env, message) => {
    expect(problem(env)).toEqual(message);
  });

  it('never repeats a secret it refuses', () => {
    const message = problem({ OPENAI_BASE_URL: 'not a url', OPENAI_API_KEY: 'sk-very-secret' });
    expect(message).toMatch(/^Invalid configuration: OPENAI_BASE_URL="not a url" /);
    expect(problem({ JWT_SECRET: 'short-secret' })).not.toContain('short-secret');
  });

  it('reads LOG_FORMAT (auto unless set)', () => {
    expect(loadConfig(base).logFormat).toBe('auto');
    expect(loadConfig({ ...base, LOG_FORMAT: 'json' }).logFormat).toBe('json');
  });
});
