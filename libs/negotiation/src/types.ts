import { AiMetadata, ChatMessage, FinalScore, PartyState, ScoreExplanations, Terms } from '@parley/contracts';

/** One negotiable issue of a scenario. */
export interface IssueSpec {
  name: string;
  label: string;
  unit?: string;
  min: number;
  max: number;
  step?: number;
  /** Words students use for this issue in chat ("bonus", "remote"); helps the free-text offer parser. */
  keywords?: string[];
  /** Phrases that name a value of this issue ("fully remote" → 5). */
  phrases?: { words: string[]; value: number }[];
  /** Words after a number that count it from the other end ("2 days in office" → 5 − 2 remote days). */
  complement?: { words: string[]; total: number };
}

/** What any student may see of a scenario (GET /api/scenarios). Never holds private values. */
export interface ScenarioPublic {
  id: string;
  title: string;
  summary: string;
  student_role: string;
  ai_role: string;
  student_brief: string;
  issues: IssueSpec[];
}

/**
 * A full scenario, including the AI's private side. The private fields are defined by the
 * scenario schema in scenarios.ts; only libs/negotiation reads them.
 */
export interface Scenario extends ScenarioPublic {
  [privateField: string]: unknown;
}

export interface NegotiatorInput {
  /** A FullScenario from ScenarioCatalog.get(), or any Scenario (engines validate it with asFullScenario). */
  scenario: Scenario | FullScenario;
  /** Every message so far, in sequence order. */
  transcript: ChatMessage[];
  studentState: PartyState | null;
  aiState: PartyState | null;
  /** How many replies the AI has already given in this negotiation. */
  aiTurns: number;
  nowMs: number;
  /** Dev-only (`dev-complete-negotiation`): accept the student's agreed terms unconditionally. */
  forceAccept?: boolean;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** One AI reply. `offer`, `accept` and `walk_away` have already passed the limit checks. */
export interface AiTurn {
  content: string;
  metadata: AiMetadata;
  /** A new proposal from the AI (all issues). */
  offer?: Terms;
  /** The AI agrees to these terms (the student's current offer). */
  accept?: Terms;
  walk_away?: { reason: string };
  usage?: TokenUsage;
}

export interface NegotiationEngine {
  readonly name: string;
  respond(input: NegotiatorInput): Promise<AiTurn>;
}

export interface ScoreResult {
  final_score: FinalScore;
  score_explanations: ScoreExplanations;
}

/**
 * A side's preference on one issue: utility rises linearly from `worst` to `best` (either may be the
 * larger number) and is multiplied by `weight` (weights of a side sum to 1). `limit` is a hard
 * reservation value on that issue that the side never crosses.
 */
export interface IssuePreference {
  weight: number;
  best: number;
  worst: number;
  limit?: number;
}

/** The private fields every scenario file has (validated by the scenario schema). */
export interface ScenarioPrivate {
  /** The other side's brief for a second student in peer role-play (derived from ai_private when absent). */
  ai_brief?: string;
  ai_private: {
    persona: string;
    private_facts: string[];
    strategy: 'boulware' | 'conceder' | 'linear';
    /** The AI walks away after this many of its own replies without a deal. */
    deadline_turns: number;
    prefs: Record<string, IssuePreference>;
    /** The AI never accepts terms worth less than this to it (0..1). */
    reservation_utility: number;
    /** Who speaks first in a new negotiation (default: the AI greets and opens). */
    opens?: 'ai' | 'student';
    /** What the persona says when asked about a topic (matched on the topic words). */
    answers?: { topics: string[]; text: string }[];
    /** Public reasons the persona gives for its position on an issue. */
    reasons?: Record<string, string[]>;
  };
  student_private: {
    prefs: Record<string, IssuePreference>;
    reservation_utility: number;
  };
  score_weights: { claiming_value: number; creating_value: number; managing_relationships: number };
}

export type FullScenario = ScenarioPublic & ScenarioPrivate;
