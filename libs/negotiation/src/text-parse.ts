import { Terms } from '@parley/contracts';
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
  const src = normalize(text);
  const tokens = findTokens(src, nowMs);
  const candidates: { token: number; issue: string; value: number; score: number }[] = [];
  tokens.forEach((tok, ti) => {
    const before = src.slice(Math.max(ti > 0 ? tokens[ti - 1].end : 0, sentenceStart(src, tok.start)), tok.start);
    const after = src.slice(tok.end, Math.min(ti + 1 < tokens.length ? tokens[ti + 1].start : src.length, sentenceEnd(src, tok.end)));
    const scored = scenario.issues
      .map((issue) => scoreToken(issue, tok, before, after))
      .filter((c): c is { issue: string; value: number; score: number; keyword: number } => c !== null);
    if (!scored.length) return;
    scored.sort((a, b) => b.score - a.score);
    const [best, second] = scored;
    // Ambiguous: equally plausible for two issues and no word says which.
    if (second && Math.abs(best.score - second.score) < 0.05 && best.keyword === 0) return;
    for (const c of scored) candidates.push({ token: ti, issue: c.issue, value: c.value, score: c.score });
  });
  // Greedy assignment: best (token, issue) pairs first; later tokens win ties (people correct themselves).
  candidates.sort((a, b) => b.score - a.score || b.token - a.token);
  const usedTokens = new Set<number>();
  const result: Partial<Terms> = {};
  for (const c of candidates) {
    if (c.score < 1.25 || usedTokens.has(c.token) || c.issue in result) continue;
    result[c.issue] = c.value;
    usedTokens.add(c.token);
  }
  return result;
}

interface Token {
  start: number;
  end: number;
  value: number;
  money: boolean;
  /** "k", "thousand", "grand": a money amount almost surely. */
  thousands: boolean;
  percent: boolean;
  /** The value is already a number of weeks (month names, "next month", "2 months"). */
  weeks: boolean;
}

const WORD_NUMBERS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  hundred: 100,
};
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function normalize(text: string): string {
  let s = text.toLowerCase().replace(/[’‘]/g, "'").replace(/\s+/g, ' ');
  s = s.replace(/\b(a couple of|a couple)\b/g, '2');
  s = s.replace(new RegExp(`\\b(${Object.keys(WORD_NUMBERS).join('|')})\\b`, 'g'), (w) => String(WORD_NUMBERS[w]));
  // "1 hundred" → 100, "9 thousand" stays for the suffix rule below.
  return s.replace(/\b(\d+) 100\b/g, (_m, n) => String(Number(n) * 100));
}

function findTokens(s: string, nowMs: number): Token[] {
  const tokens: Token[] = [];
  const num =
    /(\$|usd ?|eur ?|€)?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)( ?(?:k\b|thousand\b|grand\b|m\b|million\b))?( ?%| ?percent\b)?( ?(?:\$|dollars\b|usd\b|bucks\b))?( ?months?\b)?/g;
  for (const m of s.matchAll(num)) {
    const start = m.index ?? 0;
    const prev = s[start - 1];
    if (prev && /[a-z0-9]/.test(prev)) continue; // part of a word or longer number
    let value = Number(m[2].replace(/,/g, ''));
    if (!Number.isFinite(value)) continue;
    const suffix = (m[3] ?? '').trim();
    if (suffix === 'k' || suffix === 'thousand' || suffix === 'grand') value *= 1000;
    if (suffix === 'm' || suffix === 'million') value *= 1_000_000;
    const months = !!m[6];
    // A year right after a month name ("March 2026") is part of the date, not an offer.
    if (
      /\b(january|february|march|april|may|june|july|august|september|october|november|december) ?$/.test(s.slice(0, start)) &&
      value >= 1900
    )
      continue;
    tokens.push({
      start,
      end: start + m[0].length,
      value: months ? Math.round(value * 4.345) : value,
      money: !!m[1] || !!m[5],
      thousands: suffix !== '',
      percent: !!m[4],
      weeks: months,
    });
  }
  // Dates as weeks from now.
  const month =
    /\b(early |mid-?|middle of |late |end of |the end of )?(january|february|march|april|may|june|july|august|september|october|november|december|sept)\b/g;
  for (const m of s.matchAll(month)) {
    const start = m.index ?? 0;
    const name = m[2] === 'sept' ? 'september' : m[2];
    // "may" is usually the verb: only read it as the month after a preposition or modifier.
    if (name === 'may' && !m[1] && !/\b(in|by|from|on|of|until|till|before|after|start|starting) $/.test(s.slice(0, start))) continue;
    const offsetWeeks = m[1] ? (/early/.test(m[1]) ? 0 : /mid|middle/.test(m[1]) ? 2 : 3) : 0;
    tokens.push({
      start,
      end: start + m[0].length,
      value: weeksUntilMonth(nowMs, MONTHS.indexOf(name)) + offsetWeeks,
      money: false,
      thousands: false,
      percent: false,
      weeks: true,
    });
  }
  const relative: [RegExp, number][] = [
    [/\b(right away|immediately|asap|as soon as possible|straight away|tomorrow)\b/g, 1],
    [/\bnext week\b/g, 1],
    [/\b(next month|in a month|a month from now)\b/g, 4],
  ];
  for (const [re, weeks] of relative) {
    for (const m of s.matchAll(re)) {
      const start = m.index ?? 0;
      tokens.push({ start, end: start + m[0].length, value: weeks, money: false, thousands: false, percent: false, weeks: true });
    }
  }
  tokens.sort((a, b) => a.start - b.start);
  // Drop tokens nested inside an earlier one.
  return tokens.filter(
    (t, i) => !tokens.some((o, j) => j !== i && o.start <= t.start && o.end >= t.end && (o.start < t.start || o.end > t.end)),
  );
}

function weeksUntilMonth(nowMs: number, monthIndex: number): number {
  const now = new Date(nowMs);
  let year = now.getUTCFullYear();
  if (monthIndex < now.getUTCMonth()) year += 1;
  if (monthIndex === now.getUTCMonth()) return 1;
  const target = Date.UTC(year, monthIndex, 1);
  return Math.max(1, Math.round((target - nowMs) / (7 * 24 * 3600 * 1000)));
}

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
  let range: number;
  const width = issue.max - issue.min;
  if (value >= issue.min && value <= issue.max) range = 2;
  else if (isMoneyIssue(issue) && !tok.thousands && value * 1000 >= issue.min && value * 1000 <= issue.max) {
    value *= 1000; // "I'd want 95 base" → 95,000
    range = 1.5;
  } else if (isYear(tok))
    return null; // "a 2017 car"
  else if (value >= issue.min - 2 * width && value <= issue.max + 2 * width)
    range = 0.5; // out of range but plausible
  else return null;
  const reference = REFERENCE.test(before.slice(-30)) ? -3 : 0;
  return { issue: issue.name, value, score: range + keyword + unit + reference, keyword };
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
