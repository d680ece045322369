import { ScenarioCatalog } from '../../../libs/negotiation/src/scenarios';
import { scoreNegotiation } from '../../../libs/negotiation/src/scoring';
import type { Scorer } from '../../../libs/negotiation/src/settlement';

/** Scores AI practice negotiations against their scenario (built-in or the instructor's own). */
export function scenarioScorer(dataDir: string, catalog = new ScenarioCatalog(dataDir)): Scorer {
  return {
    async score({ meta, terms, status, transcript }) {
      const scenario = meta.scenario_id ? await catalog.get(meta.scenario_id) : null;
      if (!scenario) return null;
      return scoreNegotiation({ scenario, terms, transcript, status });
    },
  };
}
