import type { Terms } from '@parley/contracts';
import type { FullScenario, IssueSpec } from './types';
import { formatValue } from './wording';

/**
 * One party's own brief as numbers: what each issue is worth to it and where it walks away. Built for
 * the party itself (its own walk-away is no secret to it) and, after the end, for the debrief. Pure and
 * free of server imports, so the web client bundles it for the guard before a bad agreement.
 */
export interface OwnSide {
  issues: { name: string; label: string; unit?: string; weight: number; best: number; worst: number; walk_away?: number }[];
  /** What walking away is worth, on the same 0..1 scale as a package of terms. */
  alternative: number;
}

export type Party = 'student' | 'ai';

/** How a score explanation starts when the dimension does not apply (the results page shows no number then). */
export const NOT_APPLICABLE = 'Not applicable:';

export function ownSide(scenario: FullScenario, party: Party): OwnSide {
  const side = party === 'student' ? scenario.student_private : scenario.ai_private;
  return {
    issues: scenario.issues.map((i) => {
      const p = side.prefs[i.name];
      return {
        name: i.name,
        label: i.label,
        ...(i.unit !== undefined ? { unit: i.unit } : {}),
        weight: p.weight,
        best: p.best,
        worst: p.worst,
        ...(p.limit !== undefined ? { walk_away: p.limit } : {}),
      };
    }),
    alternative: side.reservation_utility,
  };
}

/** 0..1: how good the terms are for this side (linear per issue, weighted). A missing issue counts as its worst. */
export function valueOf(side: OwnSide, terms: Partial<Terms>): number {
  let total = 0;
  let weights = 0;
  for (const i of side.issues) {
    weights += i.weight;
    const v = terms[i.name];
    if (typeof v === 'number' && Number.isFinite(v)) total += i.weight * Math.min(1, Math.max(0, (v - i.worst) / (i.best - i.worst)));
  }
  return weights > 0 ? total / weights : 0;
}

const wantsHigh = (i: OwnSide['issues'][number]) => i.best >= i.worst;

/**
 * Why the terms are worse than walking away, in plain words, or null when they are not: an issue past
 * its walk-away value ("price $9,800 is above your limit of $9,400"), or a package worth less in total.
 */
export function worseThanWalkAway(side: OwnSide, terms: Partial<Terms>, owner: 'you' | 'they' = 'you'): string | null {
  const your = owner === 'you' ? 'your' : 'their';
  for (const i of side.issues) {
    const v = terms[i.name];
    if (typeof v !== 'number' || i.walk_away === undefined) continue;
    const past = wantsHigh(i) ? v < i.walk_away - 1e-9 : v > i.walk_away + 1e-9;
    if (past) {
      const issue = asIssue(i);
      return `${i.label.toLowerCase()} ${formatValue(issue, v)} is ${wantsHigh(i) ? 'below' : 'above'} ${your} limit of ${formatValue(issue, i.walk_away)}`;
    }
  }
  if (side.issues.every((i) => typeof terms[i.name] === 'number') && valueOf(side, terms) < side.alternative - 1e-9) {
    return `taken together, these terms are worth less to ${owner === 'you' ? 'you' : 'them'} than walking away`;
  }
  return null;
}

/** The walk-away values in plain words: "price at most $9,400". */
export function walkAwayWords(side: OwnSide): string[] {
  return side.issues
    .filter((i) => i.walk_away !== undefined)
    .map((i) => `${i.label.toLowerCase()} ${wantsHigh(i) ? 'at least' : 'at most'} ${formatValue(asIssue(i), i.walk_away!)}`);
}

/** Priorities as points out of 100, highest first. */
export function priorityWords(side: OwnSide): { label: string; points: number }[] {
  const total = side.issues.reduce((t, i) => t + i.weight, 0) || 1;
  return side.issues
    .map((i) => ({ label: i.label, points: Math.round((100 * i.weight) / total) }))
    .sort((a, b) => b.points - a.points || a.label.localeCompare(b.label));
}

function asIssue(i: OwnSide['issues'][number]): IssueSpec {
  return { name: i.name, label: i.label, unit: i.unit, min: Math.min(i.best, i.worst), max: Math.max(i.best, i.worst) };
}
