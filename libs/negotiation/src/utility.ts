import { Terms } from '@parley/contracts';
import { FullScenario, IssuePreference, IssueSpec } from './types';

export type Prefs = Record<string, IssuePreference>;
export type Side = 'ai' | 'student';

/** Utility of one issue value for one side, 0..1: linear from `worst` (0) to `best` (1), clamped. */
export function issueUtility(pref: IssuePreference, value: number): number {
  if (pref.best === pref.worst) return 1;
  const u = (value - pref.worst) / (pref.best - pref.worst);
  return Math.min(1, Math.max(0, u));
}

/** Weighted additive utility of terms for one side, 0..1. A missing issue counts as that side's worst. */
export function utility(prefs: Prefs, terms: Partial<Terms>): number {
  let total = 0;
  let weights = 0;
  for (const [issue, pref] of Object.entries(prefs)) {
    weights += pref.weight;
    const v = terms[issue];
    if (typeof v === 'number' && Number.isFinite(v)) total += pref.weight * issueUtility(pref, v);
  }
  return weights > 0 ? total / weights : 0;
}

export function prefsOf(scenario: FullScenario, side: Side): Prefs {
  return side === 'ai' ? scenario.ai_private.prefs : scenario.student_private.prefs;
}

export function reservationOf(scenario: FullScenario, side: Side): number {
  return side === 'ai' ? scenario.ai_private.reservation_utility : scenario.student_private.reservation_utility;
}

export function sideUtility(scenario: FullScenario, side: Side, terms: Partial<Terms>): number {
  return utility(prefsOf(scenario, side), terms);
}

/** +1 when the side wants the issue high, -1 when it wants it low. */
export function direction(pref: IssuePreference): 1 | -1 {
  return pref.best >= pref.worst ? 1 : -1;
}

/** An issue is distributive when the two sides want it to move in opposite directions. */
export function isDistributive(scenario: FullScenario, issue: string): boolean {
  const a = scenario.ai_private.prefs[issue];
  const s = scenario.student_private.prefs[issue];
  return !!a && !!s && direction(a) !== direction(s);
}

/** True when the value is on the wrong side of the side's hard limit on that issue. */
export function crossesLimit(pref: IssuePreference, value: number): boolean {
  if (pref.limit === undefined) return false;
  return direction(pref) === 1 ? value < pref.limit - 1e-9 : value > pref.limit + 1e-9;
}

export function crossesAnyLimit(prefs: Prefs, terms: Partial<Terms>): string | null {
  for (const [issue, pref] of Object.entries(prefs)) {
    const v = terms[issue];
    if (typeof v === 'number' && crossesLimit(pref, v)) return issue;
  }
  return null;
}

/** Terms a side could live with: every issue present, no limit crossed, utility at least its reservation. */
export function acceptableTo(scenario: FullScenario, side: Side, terms: Terms): boolean {
  const prefs = prefsOf(scenario, side);
  for (const issue of scenario.issues) if (typeof terms[issue.name] !== 'number') return false;
  if (crossesAnyLimit(prefs, terms)) return false;
  return utility(prefs, terms) >= reservationOf(scenario, side) - 1e-9;
}

/** The issue's grid of legal values (min..max by step; at most `maxPoints` evenly spaced values). */
export function issueGrid(issue: IssueSpec, maxPoints = 41): number[] {
  const step = issue.step && issue.step > 0 ? issue.step : (issue.max - issue.min) / 20;
  const count = Math.floor((issue.max - issue.min) / step + 1e-9) + 1;
  const values: number[] = [];
  if (count <= maxPoints) {
    for (let i = 0; i < count; i++) values.push(roundTo(issue.min + i * step, step));
  } else {
    for (let i = 0; i < maxPoints; i++) {
      values.push(snapToStep(issue, issue.min + ((issue.max - issue.min) * i) / (maxPoints - 1)));
    }
  }
  if (values[values.length - 1] !== issue.max) values.push(issue.max);
  return [...new Set(values)];
}

/** Round to the issue's step (from min) and clamp into range. */
export function snapToStep(issue: IssueSpec, value: number, mode: 'nearest' | 'up' | 'down' = 'nearest'): number {
  const clamped = Math.min(issue.max, Math.max(issue.min, value));
  if (!issue.step || issue.step <= 0) return clamped;
  const k = (clamped - issue.min) / issue.step;
  const n = mode === 'up' ? Math.ceil(k - 1e-9) : mode === 'down' ? Math.floor(k + 1e-9) : Math.round(k);
  return Math.min(issue.max, Math.max(issue.min, roundTo(issue.min + n * issue.step, issue.step)));
}

function roundTo(v: number, step: number): number {
  const decimals = Math.min(6, Math.max(0, -Math.floor(Math.log10(step)) + 1));
  return Number(v.toFixed(decimals));
}

export interface FrontierPoint {
  terms: Terms;
  student: number;
  ai: number;
}

export interface BargainingZone {
  /** At least one deal on the grid is acceptable to both sides. */
  exists: boolean;
  /** Non-dominated acceptable deals, sorted by the student's utility (ascending). */
  frontier: FrontierPoint[];
  /** The acceptable deal with the highest joint utility (student + AI), or null without a zone. */
  maxJoint: FrontierPoint | null;
  /** Best utility each side can get in a deal the other side still accepts. */
  bestForStudent: FrontierPoint | null;
  bestForAi: FrontierPoint | null;
}

const zoneCache = new Map<string, BargainingZone>();

/**
 * The zone of possible agreement on a grid over every issue (at most ~200k points), keeping only deals
 * both sides accept (reservations and limits). Cached per scenario content.
 */
export function bargainingZone(scenario: FullScenario): BargainingZone {
  const key = JSON.stringify([
    scenario.issues,
    scenario.ai_private.prefs,
    scenario.student_private.prefs,
    scenario.ai_private.reservation_utility,
    scenario.student_private.reservation_utility,
  ]);
  const cached = zoneCache.get(key);
  if (cached) return cached;
  const perIssue = Math.max(5, Math.floor(Math.pow(200_000, 1 / Math.max(1, scenario.issues.length))));
  const grids = scenario.issues.map((i) => issueGrid(i, Math.min(61, perIssue)));
  const acceptable: FrontierPoint[] = [];
  const current: Terms = {};
  const walk = (idx: number) => {
    if (idx === scenario.issues.length) {
      const terms = { ...current };
      if (acceptableTo(scenario, 'ai', terms) && acceptableTo(scenario, 'student', terms)) {
        acceptable.push({ terms, student: sideUtility(scenario, 'student', terms), ai: sideUtility(scenario, 'ai', terms) });
      }
      return;
    }
    for (const v of grids[idx]) {
      current[scenario.issues[idx].name] = v;
      walk(idx + 1);
    }
  };
  walk(0);
  // Pareto frontier: sort by student utility descending, keep points whose AI utility beats all before.
  const sorted = [...acceptable].sort((a, b) => b.student - a.student || b.ai - a.ai);
  const frontier: FrontierPoint[] = [];
  let bestAi = -Infinity;
  for (const p of sorted) {
    if (p.ai > bestAi + 1e-12) {
      frontier.push(p);
      bestAi = p.ai;
    }
  }
  frontier.reverse();
  const maxJoint = acceptable.reduce<FrontierPoint | null>((m, p) => (!m || p.student + p.ai > m.student + m.ai ? p : m), null);
  const zone: BargainingZone = {
    exists: acceptable.length > 0,
    frontier,
    maxJoint,
    bestForStudent: frontier.length ? frontier[frontier.length - 1] : null,
    bestForAi: frontier.length ? frontier[0] : null,
  };
  zoneCache.set(key, zone);
  return zone;
}

/** The highest joint utility reachable by a deal that is at least as good as `terms` for both sides. */
export function bestDominatingJoint(scenario: FullScenario, terms: Terms): number {
  const s = sideUtility(scenario, 'student', terms);
  const a = sideUtility(scenario, 'ai', terms);
  let best = s + a;
  for (const p of bargainingZone(scenario).frontier) {
    if (p.student >= s - 1e-9 && p.ai >= a - 1e-9) best = Math.max(best, p.student + p.ai);
  }
  return best;
}
