import type { Chemical, DebriefDeal, FinalScore, NegotiationStatus, Terms } from '@parley/contracts';
import { describeTrade } from '../wording';
import { toCsv } from '../csv';
import type { FullScenario, IssueSpec } from '../types';
import { bargainingZone, sideUtility } from '../utility';
import { formatValue } from '../wording';
import { briefFor } from './briefs';

/** One seat of a session negotiation, as the reports read it. */
export interface SeatRecord {
  /** An e-mail, or 'ai'. */
  user: string;
  name: string;
  role: string;
}

/** A session negotiation with what the reports need (pure data, loaded by libs/sessions). */
export interface NegotiationRecord {
  negotiation_id: string;
  scenario_id: string;
  /** A trade (no scenario): its chemical. */
  chemical?: Chemical;
  round: number;
  seats: SeatRecord[];
  status: NegotiationStatus;
  reason?: string;
  terms: Terms | null;
  /** Each human seat's score, by e-mail. */
  scores: Record<string, FinalScore>;
}

export const SCORE_KEYS = ['claiming_value', 'creating_value', 'managing_relationships', 'overall'] as const;
export type ScoreKey = (typeof SCORE_KEYS)[number];

export interface Histogram {
  values: number[];
  bins: { from: number; to: number; count: number }[];
}

export interface RoleDistribution {
  role: string;
  main_issue: Histogram;
  scores: Record<ScoreKey, Histogram>;
}

export interface ClassDebrief {
  scenario_id: string;
  title: string;
  /** [the scenario's first role (x axis), the other role (y axis)] */
  roles: [string, string];
  main_issue: { name: string; label: string; unit?: string; min: number; max: number };
  per_role: RoleDistribution[];
  /** Every closed negotiation; x, y are the utilities (0..100) of the two roles, null without a deal. */
  deals: DebriefDeal[];
  /** The Pareto frontier of deals both sides accept, as (x, y) points sorted by x. */
  frontier: { x: number; y: number }[];
  walk_away: { x: number; y: number };
  deal_rate: { deals: number; closed: number; rate: number };
  briefs: { role: string; text: string }[];
}

/** Equal-width bins over [min, max]; the last bin holds max. */
export function histogram(values: number[], min: number, max: number, bins = 5): Histogram {
  const width = (max - min) / bins;
  const out = Array.from({ length: bins }, (_, i) => ({ from: round1(min + i * width), to: round1(min + (i + 1) * width), count: 0 }));
  for (const v of values) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor((v - min) / width)));
    out[i].count++;
  }
  return { values: [...values].sort((a, b) => a - b), bins: out };
}

/** Points no other point beats on both axes (ties kept once), sorted by x. */
export function paretoFrontier(points: { x: number; y: number }[]): { x: number; y: number }[] {
  const sorted = [...points].sort((a, b) => b.x - a.x || b.y - a.y);
  const out: { x: number; y: number }[] = [];
  let bestY = -Infinity;
  for (const p of sorted) {
    if (p.y > bestY) {
      out.push(p);
      bestY = p.y;
    }
  }
  return out.reverse();
}

/** The issue that matters most to both sides together (the first on a tie). */
export function mainIssue(sc: FullScenario): IssueSpec {
  const weight = (i: IssueSpec) => (sc.student_private.prefs[i.name]?.weight ?? 0) + (sc.ai_private.prefs[i.name]?.weight ?? 0);
  return sc.issues.reduce((best, i) => (weight(i) > weight(best) + 1e-12 ? i : best), sc.issues[0]);
}

/** "Student 1", "Student 2", … in order of first appearance; the AI stays "AI". */
export function anonymiser(records: NegotiationRecord[]): (seat: SeatRecord) => string {
  const numbers = new Map<string, number>();
  for (const r of records) for (const s of r.seats) if (s.user !== 'ai' && !numbers.has(s.user)) numbers.set(s.user, numbers.size + 1);
  return (seat) => (seat.user === 'ai' ? 'AI' : `Student ${numbers.get(seat.user) ?? '?'}`);
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const pts = (u: number) => round1(u * 100);
const isClosed = (s: NegotiationStatus) => s !== 'active';

/**
 * The class debrief of one scenario: per role the distribution of the main issue over the deals and of
 * every score; every closed negotiation as a point on the two roles' utility plane beside the Pareto
 * frontier and both walk-aways; the deal rate; both briefs revealed. Names are replaced with
 * "Student n" when anonymised (for the projector).
 */
export function classDebrief(sc: FullScenario, records: NegotiationRecord[], anonymise = false): ClassDebrief {
  const mine = records.filter((r) => r.scenario_id === sc.id);
  const closed = mine.filter((r) => isClosed(r.status));
  const nameOf = anonymise ? anonymiser(mine) : (s: SeatRecord) => s.name;
  const roles: [string, string] = [sc.student_role, sc.ai_role];
  const issue = mainIssue(sc);
  const dealOf = (r: NegotiationRecord) =>
    r.status === 'completed' && r.terms && sc.issues.every((i) => typeof r.terms?.[i.name] === 'number') ? r.terms : null;
  const per_role = roles.map((role): RoleDistribution => {
    const seated = closed.filter((r) => r.seats.some((s) => s.role === role && s.user !== 'ai'));
    const issueValues = seated.map(dealOf).flatMap((t) => (t ? [t[issue.name]] : []));
    const scoreOf = (key: ScoreKey) =>
      seated.flatMap((r) => r.seats.filter((s) => s.role === role && r.scores[s.user]).map((s) => r.scores[s.user][key]));
    return {
      role,
      main_issue: histogram(issueValues, issue.min, issue.max),
      scores: Object.fromEntries(SCORE_KEYS.map((k) => [k, histogram(scoreOf(k), 0, 100)])) as Record<ScoreKey, Histogram>,
    };
  });
  const deals = closed.map((r) => {
    const t = dealOf(r);
    const a = r.seats.find((s) => s.role === roles[0]) ?? r.seats[0];
    const b = r.seats.find((s) => s !== a) ?? r.seats[1];
    return {
      negotiation_id: r.negotiation_id,
      a: nameOf(a),
      b: nameOf(b),
      status: r.status,
      terms: t,
      x: t ? pts(sideUtility(sc, 'student', t)) : null,
      y: t ? pts(sideUtility(sc, 'ai', t)) : null,
    };
  });
  const frontier = paretoFrontier(bargainingZone(sc).frontier.map((p) => ({ x: pts(p.student), y: pts(p.ai) })));
  const made = deals.filter((d) => d.terms).length;
  return {
    scenario_id: sc.id,
    title: sc.title,
    roles,
    main_issue: {
      name: issue.name,
      label: issue.label,
      ...(issue.unit !== undefined ? { unit: issue.unit } : {}),
      min: issue.min,
      max: issue.max,
    },
    per_role,
    deals,
    frontier,
    walk_away: { x: pts(sc.student_private.reservation_utility), y: pts(sc.ai_private.reservation_utility) },
    deal_rate: { deals: made, closed: closed.length, rate: closed.length ? Math.round((1000 * made) / closed.length) / 1000 : 0 },
    briefs: roles.map((role) => ({ role, text: briefFor(sc, role) ?? '' })),
  };
}

export const GRADE_COLUMNS = [
  'name',
  'email',
  'role',
  'scenario',
  'round',
  'partner',
  'outcome',
  'terms',
  'claiming_value',
  'creating_value',
  'managing_relationships',
  'overall',
  'negotiation_id',
] as const;

/** The outcome in words for a grade sheet: "deal", "no deal (time)", "no deal (walked away)". */
export function outcomeWords(r: Pick<NegotiationRecord, 'status' | 'reason'>): string {
  switch (r.status) {
    case 'completed':
      return 'deal';
    case 'expired':
      return 'no deal (time)';
    case 'rejected':
      return 'no deal (walked away)';
    case 'failed':
      return 'no deal (could not settle)';
    default:
      return 'open';
  }
}

/** One row per student per negotiation: name, e-mail, role, scenario, outcome, terms in words, each score. */
export function gradesCsv(records: NegotiationRecord[], scenarios: Map<string, FullScenario>): string {
  const rows = records.flatMap((r) => {
    const sc = scenarios.get(r.scenario_id);
    return r.seats
      .filter((s) => s.user !== 'ai')
      .map((s) => {
        const partner = r.seats.find((o) => o !== s);
        const score = r.scores[s.user];
        return {
          name: s.name,
          email: s.user,
          role: s.role,
          scenario: sc?.title ?? r.scenario_id,
          round: r.round,
          partner: partner ? (partner.user === 'ai' ? 'AI' : partner.name) : '',
          outcome: outcomeWords(r),
          terms: r.status === 'completed' && r.terms ? (r.chemical ? describeTrade(r.chemical, r.terms) : termsWords(sc, r.terms)) : '',
          ...(score ? Object.fromEntries(SCORE_KEYS.map((k) => [k, score[k]])) : {}),
          negotiation_id: r.negotiation_id,
        };
      });
  });
  return toCsv(GRADE_COLUMNS, rows);
}

function termsWords(sc: FullScenario | undefined, terms: Terms): string {
  if (!sc)
    return Object.entries(terms)
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
  return sc.issues
    .filter((i) => typeof terms[i.name] === 'number')
    .map((i) => `${i.label}: ${formatValue(i, terms[i.name])}`)
    .join('; ');
}
