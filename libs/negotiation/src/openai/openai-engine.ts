import OpenAI, { APIConnectionTimeoutError, APIUserAbortError } from 'openai';
import { z } from 'zod';
import { ErrorCode, ParleyError, Terms } from '@parley/contracts';
import { termsOf } from '../agreement-key';
import { dialogueState, guardDialogue } from '../act-guard';
import { enforceLimits } from '../limits';
import { asFullScenario } from '../scenario-schema';
import type { AiTurn, FullScenario, NegotiationEngine, NegotiatorInput } from '../types';
import { DEFAULT_TOKEN_BUDGET, promptMessages, replySchema } from './prompt';

export interface OpenAiEngineOptions {
  apiKey?: string;
  model: string;
  /** Any OpenAI-compatible server (Ollama, vLLM, …); the official API when unset. */
  baseUrl?: string;
  /** The whole call, retries included, must finish within this. */
  timeoutMs: number;
  /** Retries on connection errors, 429 and 5xx inside the time limit (default 1). */
  maxRetries?: number;
  tokenBudget?: number;
}

const MAX_REPLY_CHARS = 2000;

/** What the model must return (validated again here: not every compatible server enforces the schema). */
const modelReply = z.object({
  message: z.string().trim().min(1),
  reasoning: z.string().default(''),
  negotiation_state: z.enum(['opening', 'discussion', 'closing']).catch('discussion'),
  confidence: z.number().catch(0.5),
  offer: z.record(z.string(), z.number().finite()).nullable().default(null),
  accept: z.boolean().default(false),
});

/**
 * The AI counterpart played by a chat model through the Chat Completions API with a strict JSON
 * schema. Whatever the model says, its offer and acceptance pass `enforceLimits`, so no prompt
 * injection can make it accept below its reservation value.
 */
export class OpenAiEngine implements NegotiationEngine {
  readonly name = 'openai';
  private readonly client: OpenAI;

  constructor(private readonly opts: OpenAiEngineOptions) {
    this.client = new OpenAI({
      // local servers ignore the key, but the SDK insists on one
      apiKey: opts.apiKey || 'not-needed',
      baseURL: opts.baseUrl,
      timeout: opts.timeoutMs,
      maxRetries: opts.maxRetries ?? 1,
    });
  }

  async respond(input: NegotiatorInput): Promise<AiTurn> {
    const scenario = asFullScenario(input.scenario);
    const studentTerms = termsOf(input.studentState?.offer);
    if (input.forceAccept && studentTerms) {
      // dev-only: settle on the student's terms without asking the model
      const metadata = {
        model: this.opts.model,
        reasoning: "Dev: accepted the student's terms as asked.",
        negotiation_state: 'closing' as const,
        confidence: 1,
      };
      return enforceLimits(scenario, { content: "Agreed, let's settle on those terms.", metadata, accept: studentTerms }, input);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.opts.timeoutMs);
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = await this.client.chat.completions.create(
        {
          model: this.opts.model,
          messages: promptMessages(scenario, input, this.opts.tokenBudget ?? DEFAULT_TOKEN_BUDGET, dialogueState(scenario, input)),
          response_format: { type: 'json_schema', json_schema: { name: 'negotiation_reply', strict: true, schema: replySchema(scenario) } },
          temperature: 0.7,
        },
        { signal: controller.signal },
      );
    } catch (e) {
      if (controller.signal.aborted || e instanceof APIConnectionTimeoutError || e instanceof APIUserAbortError) {
        throw new ParleyError(ErrorCode.AiTimeout, `the AI did not answer within ${this.opts.timeoutMs} ms`, 504);
      }
      throw new ParleyError(ErrorCode.AiFailed, `the AI service failed: ${(e as Error).message}`, 502);
    } finally {
      clearTimeout(timer);
    }

    const reply = parseReply(completion.choices[0]?.message?.content);
    const turn: AiTurn = {
      content: reply.message.slice(0, MAX_REPLY_CHARS),
      metadata: {
        model: completion.model || this.opts.model,
        reasoning: reply.reasoning,
        negotiation_state: reply.negotiation_state,
        confidence: Math.min(1, Math.max(0, reply.confidence)),
      },
    };
    // The model's "accept" means the terms the student put forward or agreed to; the act guard checks that
    // such terms exist (a "Deal" to a question or a partial offer becomes a counter-offer).
    const state = dialogueState(scenario, input);
    const acceptable = state.agreedTo ?? state.proposed ?? (input.studentState?.status !== 'rejected' ? studentTerms : null);
    if (reply.offer) turn.offer = knownIssues(scenario, reply.offer);
    if (reply.accept && acceptable) {
      turn.accept = acceptable;
    } else if (reply.accept && !turn.offer && state.aiStanding) {
      turn.offer = state.aiStanding;
    }
    if (completion.usage) {
      turn.usage = { prompt_tokens: completion.usage.prompt_tokens, completion_tokens: completion.usage.completion_tokens };
    }
    return enforceLimits(scenario, guardDialogue(scenario, input, turn, state), input);
  }
}

function parseReply(content: string | null | undefined) {
  let json: unknown;
  try {
    json = JSON.parse(content ?? '');
  } catch {
    throw new ParleyError(ErrorCode.AiFailed, 'the AI answered with malformed JSON', 502);
  }
  const parsed = modelReply.safeParse(json);
  if (!parsed.success)
    throw new ParleyError(ErrorCode.AiFailed, `the AI answer does not match the reply schema: ${parsed.error.issues[0]?.message}`, 502);
  return parsed.data;
}

/** Only the scenario's issues; a missing one is filled by enforceLimits from the AI's standing offer. */
function knownIssues(scenario: FullScenario, offer: Record<string, number>): Terms {
  const names = new Set(scenario.issues.map((i) => i.name));
  return Object.fromEntries(Object.entries(offer).filter(([k]) => names.has(k)));
}
