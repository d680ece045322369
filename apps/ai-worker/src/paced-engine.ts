import type { NegotiationEngine } from '@parley/negotiation';

/** Milliseconds a reply of this length takes to "type": a moment to think, then 25 ms a character, at most `maxMs`. */
export function typingTimeMs(text: string, maxMs: number): number {
  return Math.min(maxMs, 500 + 25 * [...text].length);
}

/**
 * The engine with its replies held back until they could have been typed, so a student sees the
 * typing indicator (shown from the moment they sent) and then the answer, rather than an answer
 * within a few hundred milliseconds. The pause counts from the student's latest line, so time in
 * the queue and the engine's own time count towards it: a slow model or a busy worker adds no wait,
 * and under load the pause holds no job slot. `maxMs` 0 leaves the engine as it is.
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
      const started = sentAt(input.transcript) ?? Date.now();
      const turn = await engine.respond(input);
      const wait = typingTimeMs(turn.content, maxMs) - (Date.now() - started);
      if (wait > 0) await sleep(wait);
      return turn;
    },
  };
}

/** When the student's latest line was written (server time), or undefined when unknown or in this host's future. */
function sentAt(transcript: Array<{ sender_type: string; timestamp: string }>): number | undefined {
  const last = transcript.filter((m) => m.sender_type !== 'ai').at(-1);
  const at = last ? Date.parse(last.timestamp) : NaN;
  return Number.isFinite(at) && at <= Date.now() ? at : undefined;
}
