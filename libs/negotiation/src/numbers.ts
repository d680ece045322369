/**
 * Numbers as people write them in chat: digits with thousands separators or a decimal comma
 * ("95,000", "7,5k"), "k"/"K"/"grand"/"thousand"/"million", currency signs and words, spelled-out
 * numbers ("sixty-one thousand", "a hundred and five"), ranges ("90-95k", "between 8 and 9 thousand")
 * and durations in months.
 */

export interface NumberToken {
  start: number;
  end: number;
  value: number;
  /** The upper end when the text gives a range ("90-95k": value 90000, high 95000). */
  high?: number;
  money: boolean;
  /** "k", "thousand", "grand": a money amount almost surely. */
  thousands: boolean;
  percent: boolean;
  /** The value is already a number of weeks (month names, "next month", "2 months"). */
  weeks: boolean;
}

const UNITS: Record<string, number> = {
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
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
const SCALES: Record<string, number> = { hundred: 100, thousand: 1000, million: 1_000_000 };

/** The value of a run of number words ("ninety two thousand five hundred"), or null when it is not one. */
export function wordsToNumber(words: string[]): number | null {
  let total = 0;
  let current = 0;
  let seen = false;
  for (const w of words) {
    if (w === 'and' || w === 'a') continue;
    if (w in UNITS) current += UNITS[w];
    else if (w in TENS) current += TENS[w];
    else if (w === 'hundred') current = (current || 1) * 100;
    else if (w in SCALES) {
      total += (current || 1) * SCALES[w];
      current = 0;
    } else return null;
    seen = true;
  }
  return seen ? total + current : null;
}

const WORD = `(?:${[...Object.keys(UNITS), ...Object.keys(TENS), ...Object.keys(SCALES)].join('|')})`;
const WORD_RUN = new RegExp(`\\b(?:a (?=hundred|thousand|million))?${WORD}(?:(?:[ -]| and )${WORD})*\\b`, 'g');

/** Lower-case, straight quotes, spelled-out numbers as digits, decimal commas as points. */
export function normalizeNumbers(text: string): string {
  let s = text.toLowerCase().replace(/[’‘]/g, "'").replace(/[–—]/g, '-').replace(/\s+/g, ' ');
  s = s.replace(/\ba couple( of)?\b/g, '2');
  // Runs of number words: "sixty-one thousand", "a hundred and five", "eight thousand five hundred".
  s = s.replace(WORD_RUN, (run) => {
    // "and" joins parts of one number only after a scale word ("a hundred and five", not "two and three").
    const pieces: string[][] = [];
    for (const piece of run.split(' and ')) {
      const words = piece.split(/[ -]+/);
      const prev = pieces[pieces.length - 1];
      if (prev && prev.some((w) => w in SCALES)) prev.push(...words);
      else pieces.push(words);
    }
    return pieces.map((words) => String(wordsToNumber(words) ?? words.join(' '))).join(' and ');
  });
  // "1 hundred" after digits; "9 thousand" stays for the suffix rule.
  s = s.replace(/\b(\d+) hundred\b/g, (_m, n) => String(Number(n) * 100));
  // A decimal comma: one or two digits after the comma ("7,5k", "38,50"); thousands have three.
  s = s.replace(/(\d),(\d{1,2})(?!\d)/g, '$1.$2');
  return s;
}

const NUM = String.raw`(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)`;
const SUFFIX = String.raw`( ?(?:k\b|thousand\b|grand\b|m\b|million\b))?`;
const CURRENCY_BEFORE = String.raw`(\$|usd ?|eur ?|€|£)?`;
const CURRENCY_AFTER = String.raw`( ?(?:\$|€|dollars\b|usd\b|eur\b|euros?\b|bucks\b))?`;
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function scale(value: number, suffix: string): number {
  const s = suffix.trim();
  if (s === 'k' || s === 'thousand' || s === 'grand') return value * 1000;
  if (s === 'm' || s === 'million') return value * 1_000_000;
  return value;
}

/** Every number-like token of a normalized text, ranges as one token, nested matches dropped. */
export function findNumberTokens(s: string, nowMs: number): NumberToken[] {
  const tokens: NumberToken[] = [];
  const single = new RegExp(`${CURRENCY_BEFORE}${NUM}${SUFFIX}( ?%| ?percent\\b)?${CURRENCY_AFTER}( ?months?\\b)?`, 'g');
  for (const m of s.matchAll(single)) {
    const start = m.index ?? 0;
    const prev = s[start - 1];
    if (prev && /[a-z0-9]/.test(prev)) continue; // part of a word or longer number
    let value = Number(m[2].replace(/,/g, ''));
    if (!Number.isFinite(value)) continue;
    const suffix = m[3] ?? '';
    value = scale(value, suffix);
    const months = !!m[6];
    // A year right after a month name ("March 2026") is part of the date, not an offer.
    if (new RegExp(`\\b(${MONTHS.join('|')}) ?$`).test(s.slice(0, start)) && value >= 1900) continue;
    tokens.push({
      start,
      end: start + m[0].length,
      value: months ? Math.round(value * 4.345) : value,
      money: !!m[1] || !!m[5],
      thousands: suffix.trim() !== '',
      percent: !!m[4],
      weeks: months,
    });
  }
  // Ranges: "90-95k", "$9,000 to $9,500", "between 8 and 9 thousand".
  const range = new RegExp(
    `(between )?${CURRENCY_BEFORE}${NUM}${SUFFIX}${CURRENCY_AFTER} ?(?:-|to|and) ?${CURRENCY_BEFORE}${NUM}${SUFFIX}${CURRENCY_AFTER}`,
    'g',
  );
  for (const m of s.matchAll(range)) {
    const start = m.index ?? 0;
    const prev = s[start - 1];
    if (prev && /[a-z0-9]/.test(prev)) continue;
    // "and" joins a range only after "between"; "to"/"-" always.
    const joiner = m[0].slice(m[0].indexOf(m[3]) + m[3].length).match(/(-|to|and)/)?.[1];
    if (joiner === 'and' && !m[1]) continue;
    const hiSuffix = m[8] ?? '';
    const loSuffix = m[4] ?? '';
    let lo = scale(Number(m[3].replace(/,/g, '')), loSuffix);
    const hi = scale(Number(m[7].replace(/,/g, '')), hiSuffix);
    // "90-95k": the suffix of the upper end applies to the lower end too.
    if (!loSuffix.trim() && hiSuffix.trim() && scale(lo, hiSuffix) <= hi) lo = scale(lo, hiSuffix);
    if (!(lo < hi) || hi > lo * 3) continue;
    tokens.push({
      start: start + (m[1]?.length ?? 0),
      end: start + m[0].length,
      value: lo,
      high: hi,
      money: !!(m[2] || m[5] || m[6] || m[9]),
      thousands: !!(loSuffix.trim() || hiSuffix.trim()),
      percent: false,
      weeks: false,
    });
  }
  // Dates as weeks from now.
  const month = new RegExp(`\\b(early |mid-?|middle of |late |end of |the end of )?(${MONTHS.join('|')}|sept)\\b`, 'g');
  for (const m of s.matchAll(month)) {
    const start = m.index ?? 0;
    const name = m[2] === 'sept' ? 'september' : m[2];
    // "may" is usually the verb: only read it as the month after a preposition or modifier.
    if (name === 'may' && !m[1] && !/\b(in|by|from|on|of|until|till|before|after|start|starting) $/.test(s.slice(0, start))) continue;
    const offsetWeeks = m[1] ? (/early/.test(m[1]) ? 0 : /mid|middle/.test(m[1]) ? 2 : 3) : 0;
    tokens.push(weeksToken(start, start + m[0].length, weeksUntilMonth(nowMs, MONTHS.indexOf(name)) + offsetWeeks));
  }
  const relative: [RegExp, number][] = [
    [/\b(right away|immediately|asap|as soon as possible|straight away|tomorrow)\b/g, 1],
    [/\bnext week\b/g, 1],
    [/\b(next month|in a month|a month from now)\b/g, 4],
  ];
  for (const [re, weeks] of relative) {
    for (const m of s.matchAll(re)) tokens.push(weeksToken(m.index ?? 0, (m.index ?? 0) + m[0].length, weeks));
  }
  tokens.sort((a, b) => a.start - b.start || b.end - a.end);
  // Drop tokens nested inside (or overlapping the start of) a longer one.
  return tokens.filter(
    (t, i) => !tokens.some((o, j) => j !== i && o.start <= t.start && o.end >= t.end && o.end - o.start > t.end - t.start),
  );
}

const weeksToken = (start: number, end: number, value: number): NumberToken => ({
  start,
  end,
  value,
  money: false,
  thousands: false,
  percent: false,
  weeks: true,
});

function weeksUntilMonth(nowMs: number, monthIndex: number): number {
  const now = new Date(nowMs);
  let year = now.getUTCFullYear();
  if (monthIndex < now.getUTCMonth()) year += 1;
  if (monthIndex === now.getUTCMonth()) return 1;
  const target = Date.UTC(year, monthIndex, 1);
  return Math.max(1, Math.round((target - nowMs) / (7 * 24 * 3600 * 1000)));
}
