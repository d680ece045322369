import type { FinalScore, ScoreExplanations, Terms } from '@parley/contracts/browser';
import { NOT_APPLICABLE } from '@parley/negotiation/walk-away';
import { describeTerms, describeTrade, formatValue } from '@parley/negotiation/wording';
import type { Issue, ScenarioInfo } from './types';

const numberFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export const fmtNumber = (n: number | undefined | null): string =>
  typeof n === 'number' && Number.isFinite(n) ? numberFmt.format(n) : '—';

/** Unix seconds or milliseconds → a short local date and time. */
export function fmtTime(t: number | string | undefined | null): string {
  if (t === undefined || t === null || t === '') return '—';
  const ms = typeof t === 'string' ? Date.parse(t) : t < 1e12 ? t * 1000 : t;
  if (!Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export const SCORE_LABELS: Record<keyof FinalScore, string> = {
  claiming_value: 'Claiming value',
  creating_value: 'Creating value',
  managing_relationships: 'Managing relationships',
  overall: 'Overall',
};
export const SCORE_KEYS = Object.keys(SCORE_LABELS) as (keyof FinalScore)[];

/** Scores are 0..100 on each dimension (libs/negotiation scoring). */
export function fmtScore(v: number | undefined): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return `${Math.round(v)}`;
}

/** The scorer marks a dimension that does not apply (creating value in a single-issue deal) in its explanation. */
export function scoreApplies(explanations: Partial<ScoreExplanations> | undefined, key: keyof FinalScore): boolean {
  return !explanations?.[key]?.startsWith(NOT_APPLICABLE);
}

/** One score as it is shown anywhere: "72", "Not applicable" or "—" when there is none. */
export function fmtScoreOf(
  score: FinalScore | undefined,
  explanations: Partial<ScoreExplanations> | undefined,
  key: keyof FinalScore,
): string {
  if (!scoreApplies(explanations, key)) return 'Not applicable';
  return fmtScore(score?.[key]);
}

/** Agreed terms in plain words with units: "price $11,000", "1,500 units of C at $4.25 each". */
export function fmtTerms(terms: Partial<Terms>, scenario: ScenarioInfo | undefined, chemical?: string): string {
  const text = scenario ? describeTerms(scenario, terms) : describeTrade(chemical, terms);
  return text || '—';
}

export const STATUS_LABELS: Record<string, string> = {
  active: 'In progress',
  settling: 'Settling',
  completed: 'Deal',
  rejected: 'Rejected',
  expired: 'Expired',
  failed: 'Failed',
  pending: 'Proposed',
  agreed: 'Agreed',
};

/** "alice@uni.edu" → "alice"; the AI → "AI". Only where the account's name is not known. */
export function shortName(user: string): string {
  if (user === 'ai') return 'AI';
  return user.split('@')[0] ?? user;
}

/** The name people read: the account's name as the server sent it, else the short form of the e-mail. */
export function displayName(user: string, name?: string): string {
  return name || shortName(user);
}

/** A term with its unit, as a student reads it: "$104,000/year", "3 weeks from today", "3 days a week". */
export function fmtTerm(issue: Pick<Issue, 'name' | 'label' | 'unit' | 'min' | 'max'>, value: number | undefined | null): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return formatValue({ ...issue, unit: issue.unit || undefined }, value);
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/**
 * A settlement reason in plain words: "You walked away", "Bob Jones walked away" (a party by its name),
 * "The other side walked away" (the AI), never an e-mail address.
 */
export function plainReason(reason: string, me: string | undefined, parties: { user: string; name?: string }[] = []): string {
  const named = (e: string) => displayName(e, parties.find((p) => p.user.toLowerCase() === e.toLowerCase())?.name);
  const text = reason
    .replace(/\bthe AI\b/g, 'the other side')
    .replace(EMAIL, (e) => (me && e.toLowerCase() === me.toLowerCase() ? 'You' : named(e)));
  return text.charAt(0).toUpperCase() + text.slice(1);
}
