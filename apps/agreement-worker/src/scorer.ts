import { LlmRelationshipRubric, ScenarioCatalog, scoreNegotiation, withRelationshipAssessment } from '@parley/negotiation';
import type { Scorer } from '@parley/settlement';

/**
 * Scores AI practice negotiations against their scenario (built-in or the instructor's own). With a
 * rubric (the openai engine), the relationship dimension comes from the LLM; if that call fails, the
 * transparent rules stand.
 */
export function scenarioScorer(dataDir: string, rubric?: LlmRelationshipRubric): Scorer {
  const catalog = new ScenarioCatalog(dataDir);
  return {
    async score({ meta, terms, status, transcript }) {
      const scenario = meta.scenario_id ? await catalog.get(meta.scenario_id) : null;
      if (!scenario) return null;
      const rules = scoreNegotiation({ scenario, terms, transcript, status });
      const assessed = rubric ? await rubric.assess(scenario, transcript) : null;
      return assessed ? withRelationshipAssessment(scenario, rules, assessed) : rules;
    },
  };
}
