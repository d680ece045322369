import type { FullScenario } from '../types';
import { ownSide, priorityWords, walkAwayWords } from '../walk-away';

/**
 * The brief a role reads in peer role-play: the scenario's student brief for its first role; for the
 * other role the scenario's `ai_brief`, or one written from that side's private part (persona, facts,
 * priorities, walk-away) — the same facts the AI counterpart plays from.
 */
export function briefFor(sc: FullScenario, role: string): string | null {
  if (role === sc.student_role) return sc.student_brief;
  if (role !== sc.ai_role) return null;
  if (sc.ai_brief) return sc.ai_brief;
  const side = ownSide(sc, 'ai');
  const priorities = priorityWords(side)
    .map((p) => `${p.label.toLowerCase()} ${p.points}`)
    .join(', ');
  const walkAway = walkAwayWords(side);
  return [
    `You are the ${sc.ai_role}. ${sc.ai_private.persona}`,
    sc.ai_private.private_facts.length ? `What you know:\n${sc.ai_private.private_facts.map((f) => `- ${f}`).join('\n')}` : '',
    `Your side, privately: ${walkAway.length ? `you walk away unless ${walkAway.join(' and ')}. ` : ''}Rough priorities (of 100 points): ${priorities}. Keep in mind the other side may value things differently.`,
  ]
    .filter(Boolean)
    .join('\n\n');
}
