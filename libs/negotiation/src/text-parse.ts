import { Terms } from '@parley/contracts';
import { findNumberTokens, normalizeNumbers, NumberToken } from './numbers';
import { FullScenario, IssueSpec, ScenarioPublic } from './types';

/**
 * Reads an offer out of free chat text: "how about 92k with a 5k bonus, starting in March",
 * "I'd take 95,000 and 3 remote days", "$8,500 for the car", "500 units at $42 each".
 *
 * Every number (with $, k, thousand, %, month names, "next month"...) is scored against every issue:
 * keywords near it (the issue's name, label, unit and `keywords`), whether it carries money signs,
 * and whether it fits the issue's range. Each issue takes its best-scoring number; a number that
 * fits two issues equally well and has no keyword is left out rather than guessed.
 */
export function parseOfferFromText(scenario: ScenarioPublic | FullScenario, text: string, nowMs: number = Date.now()): Partial<Terms> {
  return parseOfferDetails(scenario, text, nowMs).terms;
}

export interface ParsedOffer {
  /** One value per issue the text names; for a range, the end that favours the AI (the low end without private data). */
  terms: Partial<Terms>;
  /** Issues the text gave as a range ("90-95k"), low and high. */
  ranges: Record<string, [number, number]>;
}

/** parseOfferFromText with the ranges the text gave. */
export function parseOfferDetails(scenario: ScenarioPublic | FullScenario, text: string, nowMs: number = Date.now()): ParsedOffer {
  const src = normalize(text);
  const tokens = findTokens(src, nowMs);
  const candidates: { token: number; issue: string; value: number; score: number; high?: number }[] = [];
  tokens.forEach((tok, ti) => {
    const before = src.slice(Math.max(ti > 0 ? tokens[ti - 1].end : 0, sentenceStart(src, tok.start)), tok.start);
    const after = src.slice(tok.end, Math.min(ti + 1 < tokens.length ? tokens[ti + 1].start : src.length, sentenceEnd(src, tok.end)));
    const scored = scenario.issues
      .map((issue) => scoreToken(issue, tok, before, after))
      .filter((c): c is NonNullable<ReturnType<typeof scoreToken>> => c !== null);
    if (!scored.length) return;
    scored.sort((a, b) => b.score - a.score);
    const [best, second] = scored;
    // Ambiguous: equally plausible for two issues and no word says which.
    if (second && Math.abs(best.score - second.score) < 0.05 && best.keyword === 0) return;
    for (const c of scored) candidates.push({ token: ti, issue: c.issue, value: c.value, score: c.score, high: c.high });
  });
  // Phrases that name a value ("fully remote"), from the scenario file.
  for (const issue of scenario.issues) {
    for (const p of issue.phrases ?? []) {
      const at = p.words.map((w) => src.search(new RegExp(`\\b${escape(w.toLowerCase())}\\b`))).filter((i) => i >= 0);
      if (at.length) candidates.push({ token: -1 - Math.min(...at), issue: issue.name, value: p.value, score: 4 });
    }
  }
  // Greedy assignment: best (token, issue) pairs first; later tokens win ties (people correct themselves).
  candidates.sort((a, b) => b.score - a.score || b.token - a.token);
  const usedTokens = new Set<number>();
  const terms: Partial<Terms> = {};
  const ranges: Record<string, [number, number]> = {};
  const aiPrefs = (scenario as Partial<FullScenario>).ai_private?.prefs;
  for (const c of candidates) {
    if (c.score < 1.25 || usedTokens.has(c.token) || c.issue in terms) continue;
    terms[c.issue] = c.value;
    if (c.high !== undefined) {
      ranges[c.issue] = [c.value, c.high];
      const pref = aiPrefs?.[c.issue];
      if (pref && pref.best > pref.worst) terms[c.issue] = c.high;
    }
    usedTokens.add(c.token);
  }
  return { terms, ranges };
}

type Token = NumberToken;
const normalize = normalizeNumbers;
const findTokens = findNumberTokens;

function sentenceStart(s: string, pos: number): number {
  const i = Math.max(
    s.lastIndexOf('.', pos - 1),
    s.lastIndexOf('?', pos - 1),
    s.lastIndexOf('!', pos - 1),
    s.lastIndexOf(';', pos - 1),
    s.lastIndexOf('\n', pos - 1),
  );
  // A decimal point inside a number is not a sentence end.
  return i >= 0 && /\d/.test(s[i - 1] ?? '') && /\d/.test(s[i + 1] ?? '') ? sentenceStart(s, i) : i + 1;
}

function sentenceEnd(s: string, pos: number): number {
  const m = /[.?!;\n](?!\d)/.exec(s.slice(pos));
  return m ? pos + m.index : s.length;
}

const isMoneyIssue = (i: IssueSpec) => /usd|\$|eur|€|dollar|price|cost|salary|bonus|pay/.test(`${i.unit ?? ''} ${i.name}`.toLowerCase());
const isWeeksIssue = (i: IssueSpec) => /week/.test(`${i.unit ?? ''} ${i.name}`.toLowerCase());
const isPercentIssue = (i: IssueSpec) => /%|percent/.test((i.unit ?? '').toLowerCase());

function issueKeywords(issue: IssueSpec): string[] {
  const words = new Set<string>(issue.keywords?.map((k) => k.toLowerCase()) ?? []);
  for (const w of issue.name.split('_')) if (w.length > 2) words.add(w);
  for (const w of issue.label.toLowerCase().split(/[^a-z]+/)) if (w.length > 3) words.add(w);
  return [...words];
}

const REFERENCE =
  /\b(you offered|your offer|you said|you proposed|you mentioned|instead of|rather than|not|currently|current|last year|now make|now earn)\b[^,]*$/;

function scoreToken(issue: IssueSpec, tok: Token, before: string, after: string) {
  // Keyword evidence: closer is stronger; words right after a number ("5k bonus") a little more so.
  let keyword = 0;
  for (const k of issueKeywords(issue)) {
    const re = /^[a-z]/.test(k) ? new RegExp(`\\b${escape(k)}\\b`, 'g') : new RegExp(escape(k), 'g');
    for (const m of after.matchAll(re)) keyword = Math.max(keyword, weightAt(after.slice(0, m.index), 1.2));
    for (const m of before.matchAll(re)) keyword = Math.max(keyword, weightAt(before.slice((m.index ?? 0) + m[0].length), 1));
  }
  if (tok.weeks && !isWeeksIssue(issue)) return null;
  if (tok.percent !== isPercentIssue(issue)) return null;
  let unit = 0;
  if (tok.money || tok.thousands) unit = isMoneyIssue(issue) ? 0.75 : -1;
  if (tok.weeks) unit = 0.75;
  let value = tok.value;
  let high = tok.high;
  // "2 days in the office" on a remote-days issue: counted from the other end.
  const complement = issue.complement;
  if (complement && complement.words.some((w) => new RegExp(`^[^,.;]{0,20}\\b${escape(w.toLowerCase())}\\b`).test(after))) {
    value = complement.total - value;
    high = high === undefined ? undefined : complement.total - high;
    if (high !== undefined) [value, high] = [Math.min(value, high), Math.max(value, high)];
    keyword = Math.max(keyword, 2.4);
  }
  let range: number;
  const width = issue.max - issue.min;
  if (value >= issue.min && value <= issue.max) range = 2;
  else if (isMoneyIssue(issue) && !tok.thousands && value * 1000 >= issue.min && value * 1000 <= issue.max) {
    value *= 1000; // "I'd want 95 base" → 95,000
    if (high !== undefined) high *= 1000;
    range = 1.5;
  } else if (isYear(tok))
    return null; // "a 2017 car"
  else if (value >= issue.min - 2 * width && value <= issue.max + 2 * width)
    range = 0.5; // out of range but plausible
  else return null;
  const reference = REFERENCE.test(before.slice(-30)) ? -3 : 0;
  return { issue: issue.name, value, high, score: range + keyword + unit + reference, keyword };
}

/** 2 for a keyword touching the number, fading with the characters between; crossing a comma halves it. */
function weightAt(between: string, factor: number): number {
  const gap = between.trim().length;
  const commas = (between.match(/,/g) ?? []).length;
  return (factor * 2) / (1 + gap / 10) / (commas ? 2 : 1);
}

function isYear(tok: Token): boolean {
  return !tok.money && !tok.thousands && !tok.weeks && Number.isInteger(tok.value) && tok.value >= 1950 && tok.value <= 2050;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every plain number written in a text ("$7,800", "112k", "35%"), for the limit guard's scrubbing. */
export function numbersInText(text: string): { value: number; percent: boolean }[] {
  return findTokens(normalize(text), 0)
    .filter((t) => !t.weeks)
    .map((t) => ({ value: t.value, percent: t.percent }));
}
