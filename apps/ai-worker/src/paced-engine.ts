import type { NegotiationEngine } from '@parley/negotiation';

/** Milliseconds a reply of this length takes to "type": a moment to think, then 25 ms a character, at most `maxMs`. */
export function typingTimeMs(text: string, maxMs: number): number {
  return Math.min(maxMs, 500 + 25 * [...text].length);
}

/**
 * The engine with its replies held back until they could have been typed, so a student sees the
 * typing indicator (shown from the moment they sent) and then the answer, rather than an answer
 * within a few hundred milliseconds. The engine's own time counts towards the pause; a slow model
 * adds no wait. `maxMs` 0 leaves the engine as it is.
 */
export function pacedEngine(
  engine: NegotiationEngine,
  maxMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): NegotiationEngine {
  if (maxMs <= 0) return engine;
  return {
    name: engine.name,
    async respond(input) {
      const started = Date.now();
      const turn = await engine.respond(input);
      const wait = typingTimeMs(turn.content, maxMs) - (Date.now() - started);
      if (wait > 0) await sleep(wait);
      return turn;
    },
  };
}
