import { Terms } from '@parley/contracts';
import { IssueSpec } from './types';
import { direction, issueUtility, Prefs, snapToStep, utility } from './utility';

export type ConcessionStrategy = 'boulware' | 'conceder' | 'linear';

/**
 * Concession exponents e of the time-dependent family (Faratin, Sierra & Jennings 1998):
 * e < 1 Boulware (holds firm, concedes late), e = 1 linear, e > 1 Conceder (concedes early).
 */
export const CONCESSION_EXPONENT: Record<ConcessionStrategy, number> = { boulware: 0.4, linear: 1, conceder: 2 };

/**
 * Target utility at time t of T: u(t) = 1 − (1 − floor)·(t/T)^(1/e), where floor is the reservation
 * utility plus a small margin (so the last offer stays strictly above the reservation).
 */
export function targetUtility(t: number, T: number, floor: number, e: number): number {
  const tau = T <= 0 ? 1 : Math.min(1, Math.max(0, t / T));
  return 1 - (1 - Math.min(1, floor)) * Math.pow(tau, 1 / e);
}

/** What the other side is believed to want on one issue, and how much they are believed to care. */
export interface CounterpartModel {
  weight: number;
  wanted: number;
}

/**
 * The package worth at least `target` to `own` that gives the counterpart the most, by greedy
 * logrolling: start from our best on every issue, then concede whole issues in the order of
 * (their believed weight / our weight) — cheap for us, valuable for them first — moving each issue
 * toward what they want, until the utility we may give up is spent. Values are snapped to the step
 * grid in our favour, never cross our hard limits, and stay one step away from a limit so an offer
 * never reveals it.
 */
export function offerAtUtility(issues: IssueSpec[], own: Prefs, target: number, counterpart: Record<string, CounterpartModel>): Terms {
  const offer: Terms = {};
  const edge: Record<string, number> = {};
  for (const issue of issues) {
    const pref = own[issue.name];
    const dir = direction(pref);
    offer[issue.name] = snapToStep(issue, pref.best, dir === 1 ? 'down' : 'up');
    // The furthest we would ever go on this issue: what they want, capped at our worst and our limit.
    let far = counterpart[issue.name]?.wanted ?? pref.worst;
    if (dir === 1) far = Math.max(far, pref.worst);
    else far = Math.min(far, pref.worst);
    if (pref.limit !== undefined) {
      const step = issue.step ?? 0;
      const safe = pref.limit + dir * step;
      far = dir === 1 ? Math.max(far, safe) : Math.min(far, safe);
    }
    far = snapToStep(issue, far, dir === 1 ? 'up' : 'down');
    // Never "concede" past our own best (a counterpart asking for more than we want is free).
    edge[issue.name] = dir === 1 ? Math.min(far, offer[issue.name]) : Math.max(far, offer[issue.name]);
  }
  let budget = Math.max(0, utility(own, offer) - target);
  const order = [...issues].sort((a, b) => ratio(b.name) - ratio(a.name) || issues.indexOf(a) - issues.indexOf(b));
  for (const issue of order) {
    if (budget <= 1e-9) break;
    const pref = own[issue.name];
    const from = offer[issue.name];
    const to = edge[issue.name];
    const cost = pref.weight * (issueUtility(pref, from) - issueUtility(pref, to));
    if (cost <= budget + 1e-12) {
      offer[issue.name] = to;
      budget -= Math.max(0, cost);
      continue;
    }
    // Partial concession: the value worth exactly the remaining budget, rounded in our favour.
    const uNeeded = issueUtility(pref, from) - budget / pref.weight;
    const value = pref.worst + uNeeded * (pref.best - pref.worst);
    offer[issue.name] = snapToStep(issue, value, direction(pref) === 1 ? 'up' : 'down');
    budget = 0;
  }
  return offer;

  function ratio(name: string): number {
    const w = own[name]?.weight ?? 0;
    const theirs = counterpart[name]?.weight ?? 1 / issues.length;
    return w <= 0 ? Infinity : theirs / w;
  }
}
