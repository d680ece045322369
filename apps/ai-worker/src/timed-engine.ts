import type { ParleyMetrics } from '@parley/queues';
import type { NegotiationEngine } from '@parley/negotiation';

/** The engine with its latency and token usage counted in the metrics. */
export function timedEngine(engine: NegotiationEngine, metrics: ParleyMetrics): NegotiationEngine {
  return {
    name: engine.name,
    async respond(input) {
      const started = Date.now();
      try {
        const turn = await engine.respond(input);
        if (turn.usage) {
          metrics.aiTokens.inc({ kind: 'prompt' }, turn.usage.prompt_tokens);
          metrics.aiTokens.inc({ kind: 'completion' }, turn.usage.completion_tokens);
        }
        return turn;
      } finally {
        metrics.aiLatency.observe({ engine: engine.name }, (Date.now() - started) / 1000);
      }
    },
  };
}
