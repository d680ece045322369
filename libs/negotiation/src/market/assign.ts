import { DesignResult, MarketDesign, designToJson, parseDesign } from './design';

/**
 * Seats the class in a design: a design team named by a member's e-mail goes to that member, the slot
 * labels (T01, …) to the other members in order. Slots nobody takes are left out of the market (their
 * schedules would count in the maximum surplus no one could reach), so the rest must still be a market.
 */
export function assignTeams(
  design: MarketDesign,
  members: string[],
): { ok: true; design: MarketDesign; assignment: Record<string, string> } | { ok: false; problems: string[] } {
  const assignment: Record<string, string> = {};
  const named = new Set(design.teams.map((t) => t.team));
  const slots = design.teams.map((t) => t.team).filter((t) => !members.includes(t));
  const unseated = members.filter((m) => !named.has(m));
  for (const m of members) if (named.has(m)) assignment[m] = m;
  if (unseated.length > slots.length)
    return { ok: false, problems: [`the design has ${design.teams.length} teams; ${members.length} members need seats`] };
  unseated.forEach((m, i) => (assignment[m] = slots[i]));
  const taken = new Set(Object.values(assignment));
  const kept = { ...design, teams: design.teams.filter((t) => taken.has(t.team)) };
  const check: DesignResult = parseDesign(designToJson(kept));
  if (!check.ok) return { ok: false, problems: check.problems.map((p) => `with ${members.length} teams seated: ${p.message}`) };
  return { ok: true, design: check.design, assignment };
}
