import type { ParleyConfig } from '@parley/config';
import { BuiltinEngine } from './builtin-engine';
import { OpenAiEngine } from './openai/openai-engine';
import { LlmRelationshipRubric } from './openai/rubric';
import type { AiTurn, NegotiationEngine, NegotiatorInput } from './types';

/**
 * Answers with `primary`; when it fails or times out, answers this turn with `fallback` instead
 * (AI_FALLBACK=builtin), so a student is never left without a reply because the model is down.
 */
export class FallbackEngine implements NegotiationEngine {
  readonly name: string;

  constructor(
    private readonly primary: NegotiationEngine,
    private readonly fallback: NegotiationEngine,
    private readonly onFallback?: (error: Error) => void,
  ) {
    this.name = `${primary.name}+${fallback.name}`;
  }

  async respond(input: NegotiatorInput): Promise<AiTurn> {
    try {
      return await this.primary.respond(input);
    } catch (e) {
      this.onFallback?.(e as Error);
      return this.fallback.respond(input);
    }
  }
}

export interface NegotiatorOptions {
  /** Called when the fallback engine answers a turn (for logging). */
  onFallback?: (error: Error) => void;
}

type AiConfig = Pick<ParleyConfig, 'aiEngine' | 'aiFallback' | 'aiTimeoutMs' | 'openai'>;

/** The model connection both the engine and the rubric use. */
const modelOptions = (config: AiConfig) => ({
  apiKey: config.openai.apiKey,
  model: config.openai.model,
  baseUrl: config.openai.baseUrl,
  timeoutMs: config.aiTimeoutMs,
});

/** The LLM rubric for the relationship score when the openai engine runs; none (transparent rules) otherwise. */
export function createRelationshipRubric(config: AiConfig): LlmRelationshipRubric | undefined {
  return config.aiEngine === 'openai' ? new LlmRelationshipRubric(modelOptions(config)) : undefined;
}

/** The engine AI_ENGINE asks for, wrapped with the built-in fallback when AI_FALLBACK=builtin. */
export function createNegotiator(config: AiConfig, options: NegotiatorOptions = {}): NegotiationEngine {
  if (config.aiEngine === 'builtin') return new BuiltinEngine();
  const openai = new OpenAiEngine(modelOptions(config));
  return config.aiFallback === 'builtin' ? new FallbackEngine(openai, new BuiltinEngine(), options.onFallback) : openai;
}
