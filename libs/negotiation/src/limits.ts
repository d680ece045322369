import { Terms } from '@parley/contracts';
import { termsOf } from './agreement-key';
import { AiTurn, FullScenario, NegotiatorInput, ScenarioPublic } from './types';
import { numbersInText } from './text-parse';
import { describeTerms } from './wording';
import { acceptableTo, crossesLimit, direction, issueUtility, snapToStep, utility } from './utility';

/**
 * Why structured terms are not acceptable as an offer for this scenario (unknown or missing issue,
 * not a number, out of range), or null when they are fine. The gateway refuses such offers.
 */
export function validateTerms(scenario: ScenarioPublic, terms: unknown): string | null {
  if (!terms || typeof terms !== 'object' || Array.isArray(terms)) return 'terms must be an object of issue → number';
  const names = scenario.issues.map((i) => i.name);
  for (const key of Object.keys(terms)) {
    if (key === 'timestamp') continue;
    if (!names.includes(key)) return `unknown issue "${key}" (this scenario's issues: ${names.join(', ')})`;
  }
  for (const issue of scenario.issues) {
    const v = (terms as Record<string, unknown>)[issue.name];
    if (v === undefined) return `missing issue "${issue.name}" (${issue.label})`;
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${issue.label} must be a number`;
    if (v < issue.min || v > issue.max) return `${issue.label} must be between ${issue.min} and ${issue.max} (got ${v})`;
  }
  return null;
}

/**
 * Numbers the AI must never say: its hard limits, the value where a dominant issue alone reaches its
 * reservation utility (the reservation price of a single-issue scenario), and the reservation utility.
 */
export function secretNumbers(scenario: FullScenario): { values: number[]; fractions: number[] } {
  const values: number[] = [];
  for (const issue of scenario.issues) {
    const pref = scenario.ai_private.prefs[issue.name];
    if (!pref) continue;
    if (pref.limit !== undefined) values.push(pref.limit);
    const total = Object.values(scenario.ai_private.prefs).reduce((t, p) => t + p.weight, 0);
    if (pref.weight / total >= 0.999) {
      const res = scenario.ai_private.reservation_utility;
      values.push(Number((pref.worst + res * (pref.best - pref.worst)).toFixed(6)));
    }
  }
  return { values, fractions: [scenario.ai_private.reservation_utility] };
}

const LIMIT_TALK =
  /\b(limit|lowest|highest|minimum|maximum|bottom line|walk ?away|reservation|budget|ceiling|floor|can'?t go|cannot go|won'?t go|no (lower|higher|more|less) than|at (the )?(most|least)|absolute)\b/i;

const sameNumber = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

/**
 * Replaces every sentence that states a secret number. A secret value is allowed only as the value
 * of the turn's own offer/accept on that issue, and never next to words that call it a limit.
 */
export function scrubSecrets(scenario: FullScenario, text: string, allowed: Terms[], replacement: string): string {
  const { values, fractions } = secretNumbers(scenario);
  const allowedValues = allowed.flatMap((t) => Object.values(t));
  const sentences = text.split(/(?<=[.!?])\s+/);
  let replaced = false;
  const kept = sentences.map((sentence) => {
    const leaks = numbersInText(sentence).some((n) => {
      if (n.percent) return fractions.some((f) => sameNumber(n.value, f * 100));
      if (n.value < 1 && fractions.some((f) => sameNumber(n.value, f))) return true;
      if (!values.some((v) => sameNumber(n.value, v))) return false;
      return LIMIT_TALK.test(sentence) || !allowedValues.some((v) => sameNumber(n.value, v));
    });
    if (!leaks) return sentence;
    if (replaced) return '';
    replaced = true;
    return replacement;
  });
  return kept.filter((s) => s !== '').join(' ');
}

/**
 * The AI's side of terms made safe: every issue present and in range, no hard limit crossed or touched
 * (one step inside it), and worth more than the AI's reservation utility — moving the AI's most
 * important issues back toward its best first. Returns the same object when nothing had to change.
 */
export function safeAiTerms(scenario: FullScenario, terms: Partial<Terms>, fallback: Terms): Terms {
  const prefs = scenario.ai_private.prefs;
  const out: Terms = {};
  for (const issue of scenario.issues) {
    const pref = prefs[issue.name];
    const dir = direction(pref);
    let v = terms[issue.name];
    if (typeof v !== 'number' || !Number.isFinite(v)) v = fallback[issue.name];
    v = snapToStep(issue, v, dir === 1 ? 'up' : 'down');
    if (pref.limit !== undefined && (crossesLimit(pref, v) || Math.abs(v - pref.limit) < 1e-9)) {
      v = snapToStep(issue, pref.limit + dir * (issue.step ?? (issue.max - issue.min) / 100), dir === 1 ? 'up' : 'down');
    }
    out[issue.name] = v;
  }
  const floor = scenario.ai_private.reservation_utility;
  if (utility(prefs, out) <= floor + 1e-6) {
    const byImportance = [...scenario.issues].sort((a, b) => prefs[b.name].weight - prefs[a.name].weight);
    for (const issue of byImportance) {
      const pref = prefs[issue.name];
      const missing = floor + 0.02 - utility(prefs, out);
      if (missing <= 0) break;
      const uNow = issueUtility(pref, out[issue.name]);
      const uNew = Math.min(1, uNow + missing / pref.weight);
      out[issue.name] = snapToStep(issue, pref.worst + uNew * (pref.best - pref.worst), direction(pref) === 1 ? 'up' : 'down');
    }
  }
  // Never state the reservation price of a dominant issue either.
  const { values } = secretNumbers(scenario);
  for (const issue of scenario.issues) {
    if (values.some((v) => sameNumber(out[issue.name], v))) {
      const dir = direction(prefs[issue.name]);
      out[issue.name] = snapToStep(issue, out[issue.name] + dir * (issue.step ?? (issue.max - issue.min) / 100), dir === 1 ? 'up' : 'down');
    }
  }
  return out;
}

export function sameTerms(a: Terms | null | undefined, b: Terms | null | undefined): boolean {
  if (!a || !b) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (typeof a[k] !== 'number' || typeof b[k] !== 'number' || !sameNumber(a[k], b[k])) return false;
  return true;
}

/** The AI's best terms on every issue (its opening anchor). */
export function aiBestTerms(scenario: FullScenario): Terms {
  const out: Terms = {};
  for (const issue of scenario.issues) out[issue.name] = snapToStep(issue, scenario.ai_private.prefs[issue.name].best);
  return out;
}

const WITHHELD_CONTENT = [
  "I'd rather not get into our internal numbers.",
  "I'll keep our internal figures to myself.",
  "Our internal numbers aren't something I share.",
  "Let's leave internal figures out of this.",
  "I won't go into internal figures.",
];
const WITHHELD_REASONING = '(internal figure withheld)';

/**
 * The limit guard every engine reply passes through (the OpenAI engine too, so no prompt injection
 * can make the AI agree below its reservation):
 * - an `accept` of terms that are invalid, cross a hard limit or are worth less than the reservation
 *   utility is dropped and replaced by a safe counter-offer;
 * - an `offer` is completed, put in range, kept off the limits and above the reservation;
 * - sentences in `content`/`reasoning` that state a limit or reservation number are replaced.
 * `input.forceAccept` (dev only) lets an accept of the student's agreed terms through unchanged.
 */
export function enforceLimits(scenario: FullScenario, turn: AiTurn, input: NegotiatorInput): AiTurn {
  const out: AiTurn = { ...turn, metadata: { ...turn.metadata } };
  const previous = termsOf(input.aiState?.offer ?? null);
  const fallback =
    previous && !validateTerms(scenario, previous) && acceptableTo(scenario, 'ai', previous) ? previous : aiBestTerms(scenario);

  if (out.accept) {
    const studentTerms = termsOf(input.studentState?.offer ?? null);
    const forced = input.forceAccept === true && sameTerms(out.accept, studentTerms);
    if (!forced && (validateTerms(scenario, out.accept) || !acceptableTo(scenario, 'ai', out.accept))) {
      delete out.accept;
      delete out.walk_away;
      out.offer = safeAiTerms(scenario, fallback, fallback);
      out.content = `I can't agree to those terms. My proposal is ${describeTerms(scenario, out.offer)}.`;
      out.metadata.reasoning =
        'The proposed acceptance did not meet our requirements, so it was withdrawn and the standing proposal repeated.';
      out.metadata.negotiation_state = 'discussion';
    } else {
      delete out.offer;
    }
  }

  if (out.offer) {
    const original = out.offer;
    const safe = safeAiTerms(scenario, original, fallback);
    if (!sameTerms(safe, original)) {
      const changed = Object.keys(safe).filter((k) => typeof original[k] !== 'number' || !sameNumber(original[k], safe[k]));
      const stale = changed.map((k) => original[k]).filter((v): v is number => typeof v === 'number');
      const kept = out.content
        .split(/(?<=[.!?])\s+/)
        .filter((s) => !numbersInText(s).some((n) => stale.some((v) => sameNumber(n.value, v))))
        .join(' ');
      out.content = `${kept}${kept ? ' ' : ''}To be precise, my proposal is ${describeTerms(scenario, safe)}.`;
      out.offer = safe;
    }
  }

  const allowed = [out.offer, out.accept].filter((t): t is Terms => !!t);
  const said = new Set(input.transcript.filter((m) => m.sender_type === 'ai').map((m) => m.content));
  const withheld = WITHHELD_CONTENT.find((w) => ![...said].some((c) => c.includes(w))) ?? WITHHELD_CONTENT[0];
  out.content = scrubSecrets(scenario, out.content, allowed, withheld);
  out.metadata.reasoning = scrubSecrets(scenario, out.metadata.reasoning ?? '', allowed, WITHHELD_REASONING);
  return out;
}
