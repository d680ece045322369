import {
  LlmRelationshipRubric,
  partyForRole,
  ScenarioCatalog,
  scoreNegotiation,
  scoreParties,
  withRelationshipAssessment,
} from '@parley/negotiation';
import type { PartyScore } from '@parley/contracts';
import type { Scorer } from '@parley/settlement';

/**
 * Scores AI practice negotiations against their scenario (built-in or the instructor's own), from the
 * student's own brief (the brief their role plays). With a rubric (the openai engine), the relationship
 * dimension comes from the LLM, checked against the rules; if that call fails, the transparent rules stand.
 */
export function scenarioScorer(dataDir: string, rubric?: LlmRelationshipRubric): Scorer {
  const catalog = new ScenarioCatalog(dataDir);
  return {
    async score({ meta, terms, status, transcript }) {
      const scenario = meta.scenario_id ? await catalog.get(meta.scenario_id) : null;
      if (!scenario) return null;
      const student = meta.parties.find((p) => p.user !== 'ai');
      const party = (student && partyForRole(scenario, student.role)) || 'student';
      const rules = scoreNegotiation({ scenario, terms, transcript, status, party, isOwnLine: (m) => m.sender_type === 'user' });
      const assessed = rubric ? await rubric.assess(scenario, transcript) : null;
      return assessed ? withRelationshipAssessment(scenario, rules, assessed) : rules;
    },
    /** Peer role-play: each student from their own brief, their own lines by sender (the rules; no LLM rubric). */
    async scoreEach({ meta, terms, status, transcript }) {
      const scenario = meta.scenario_id ? await catalog.get(meta.scenario_id) : null;
      if (!scenario) return null;
      const each = scoreParties({ scenario, terms, transcript, status }, meta.parties);
      const out: Record<string, PartyScore> = {};
      for (const p of meta.parties) {
        const s = each[p.user];
        if (s) out[p.user] = { role: p.role, final_score: s.final_score, score_explanations: s.score_explanations };
      }
      return out;
    },
  };
}
