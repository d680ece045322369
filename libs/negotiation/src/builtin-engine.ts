import { ChatMessage, Terms } from '@parley/contracts';
import { termsOf } from './agreement-key';
import { CONCESSION_EXPONENT, CounterpartModel, offerAtUtility, targetUtility } from './concession';
import { aiBestTerms, enforceLimits, sameTerms, validateTerms } from './limits';
import { seededRandom } from './rng';
import { asFullScenario } from './scenario-schema';
import { ABUSE, acceptsInText, FLEXIBLE, GREETING, INJECTION, isQuestion, LIMIT_QUESTION, PRIORITY, sentencesOf } from './signals';
import { parseOfferFromText } from './text-parse';
import { AiTurn, FullScenario, NegotiationEngine, NegotiatorInput } from './types';
import { acceptableTo, direction, isDistributive, utility } from './utility';
import { describeTerms, listLabels, personaName, phrase } from './wording';

/** The AI never offers closer than this (in its utility) to its reservation. */
const FLOOR_MARGIN = 0.03;
const MODEL = 'parley-builtin';

/**
 * The offline negotiator: deterministic (wording varies only by a seed made of the negotiation id and
 * turn), time-dependent concession with reciprocity, AC-next acceptance, logrolling offers, free-text
 * offer reading. Every reply goes through the same limit guard as the OpenAI engine.
 */
export class BuiltinEngine implements NegotiationEngine {
  readonly name = 'builtin';

  async respond(input: NegotiatorInput): Promise<AiTurn> {
    return this.reply(input);
  }

  /** The same as respond(), synchronously (the evaluation harness plays thousands of turns). */
  reply(input: NegotiatorInput): AiTurn {
    const scenario = asFullScenario(input.scenario);
    return enforceLimits(scenario, decide(scenario, input), input);
  }
}

interface StudentOfferRecord {
  terms: Partial<Terms>;
  /** Index of the AI reply this offer came before. */
  segment: number;
  injection: boolean;
}

function decide(sc: FullScenario, input: NegotiatorInput): AiTurn {
  const ai = sc.ai_private;
  const prefs = ai.prefs;
  const T = ai.deadline_turns;
  const t = input.aiTurns;
  const negotiationId = input.transcript[0]?.negotiation_id ?? sc.id;
  const rng = seededRandom(`${negotiationId}:${t}`);
  const name = personaName(ai.persona);

  const lastAiIndex = findLastIndex(input.transcript, (m) => m.sender_type === 'ai');
  const latestText = input.transcript
    .slice(lastAiIndex + 1)
    .filter((m) => m.sender_type === 'user')
    .map((m) => m.content)
    .join('\n');
  const lastAiTime = lastAiIndex >= 0 ? Date.parse(input.transcript[lastAiIndex].timestamp) : -Infinity;

  const aiLastRaw = termsOf(input.aiState?.offer ?? null);
  const aiLast = aiLastRaw && !validateTerms(sc, aiLastRaw) ? aiLastRaw : null;
  const structured = termsOf(input.studentState?.offer ?? null);
  const structuredNew = !!structured && (input.studentState?.offer?.timestamp ?? 0) > lastAiTime;

  // The student's current proposal: the latest text (missing issues filled from what it answers), or a new structured offer.
  const parsed = parseOfferFromText(sc, latestText, input.nowMs);
  let current: Terms | null = null;
  if (Object.keys(parsed).length)
    current = { ...(structuredNew && structured ? structured : (aiLast ?? aiBestTerms(sc))), ...parsed } as Terms;
  else if (structuredNew && structured) current = structured;

  const history = studentOffers(sc, input.transcript);
  const injection = INJECTION.test(latestText);

  const turn = (
    content: string,
    reasoning: string,
    extra: Partial<AiTurn>,
    state: AiTurn['metadata']['negotiation_state'],
    confidence: number,
  ): AiTurn => ({
    content,
    metadata: { model: MODEL, reasoning, negotiation_state: state, confidence: round2(confidence) },
    ...extra,
  });

  // Dev-only: accept the student's agreed terms unconditionally.
  if (input.forceAccept && structured) {
    return turn(phrase(rng, 'acceptTheirAgreement'), 'Forced acceptance (development shortcut).', { accept: structured }, 'closing', 1);
  }

  if (ABUSE.test(latestText)) {
    const content = phrase(rng, 'walkAbuse');
    return turn(
      content,
      'The student used abusive language, so I ended the negotiation.',
      { walk_away: { reason: 'abusive language' } },
      'closing',
      0.9,
    );
  }

  // Time, slowed by half a turn for each round in which the student did not move (reciprocity).
  const stubborn = stubbornRounds(sc, history);
  const tEff = Math.max(0, t - 0.5 * Math.min(stubborn, Math.floor(T / 3)));
  const floor = ai.reservation_utility + FLOOR_MARGIN;
  const target = targetUtility(tEff, Math.max(1, T - 1), floor, CONCESSION_EXPONENT[ai.strategy]);
  // AC-next: accept what is at least as good as the offer I would make now; at the deadline, anything above reservation.
  const threshold = t >= T - 1 ? ai.reservation_utility : target;
  const worthIt = (terms: Terms) => !validateTerms(sc, terms) && acceptableTo(sc, 'ai', terms) && utility(prefs, terms) >= threshold - 1e-9;

  let preface = '';
  if (input.studentState?.status === 'agreed' && structured) {
    if ((aiLast && sameTerms(structured, aiLast)) || worthIt(structured)) {
      return turn(
        phrase(rng, 'acceptTheirAgreement'),
        `The student agreed to ${describeTerms(sc, structured)}; that works for us, so I confirm.`,
        { accept: structured },
        'closing',
        0.95,
      );
    }
    preface = phrase(rng, 'cannotAgree');
  }

  if (!Object.keys(parsed).length && aiLast && acceptsInText(latestText)) {
    return turn(
      phrase(rng, 'accept'),
      `The student accepted my standing proposal (${describeTerms(sc, aiLast)}) in the chat, so I confirm it.`,
      { accept: aiLast },
      'closing',
      0.9,
    );
  }

  if (current && !injection) {
    if (isInsulting(sc, current)) {
      const earlier = history.filter((h) => h.segment < countAi(input.transcript) && !h.injection && isInsulting(sc, h.terms)).length;
      if (earlier > 0 || outOfRangeAgainstAi(sc, current)) {
        return turn(
          phrase(rng, 'walkInsult'),
          'The student proposed terms far outside any realistic range, repeatedly or beyond the issue ranges, so I walked away.',
          { walk_away: { reason: 'insulting offer' } },
          'closing',
          0.85,
        );
      }
      const standing = aiLast ?? aiBestTerms(sc);
      return turn(
        `${phrase(rng, 'warnInsult')} ${phrase(rng, 'restate', { terms: describeTerms(sc, standing) })}`,
        'The proposal was far outside a realistic range; I warned once and kept my standing offer.',
        { offer: standing },
        'discussion',
        0.7,
      );
    }
    if (worthIt(current)) {
      return turn(
        phrase(rng, 'accept'),
        `The student's proposal (${describeTerms(sc, current)}) is at least as good for us as what I would offer next, so I accept it.`,
        { accept: current },
        'closing',
        0.9,
      );
    }
  }

  if (t >= T) {
    return turn(
      phrase(rng, 'walkDeadline'),
      'We reached my deadline without terms that work for us, so I ended the negotiation.',
      { walk_away: { reason: 'deadline reached without agreement' } },
      'closing',
      0.8,
    );
  }

  // The next proposal: logrolled toward what the student seems to want, never backwards from my last offer.
  const model = counterpartModel(sc, input.transcript, history, current);
  let offer = offerAtUtility(sc.issues, prefs, target, model);
  if (aiLast && utility(prefs, offer) > utility(prefs, aiLast) + 1e-9) offer = aiLast;
  const newOffer = !!current || !aiLast || t >= T - 1;
  if (!newOffer && aiLast) offer = aiLast; // no proposal from them: no unilateral concession
  const terms = describeTerms(sc, offer);
  const userTexts = input.transcript.filter((m) => m.sender_type === 'user');
  const state: AiTurn['metadata']['negotiation_state'] = t === 0 ? 'opening' : t >= T - 2 ? 'closing' : 'discussion';

  const parts: string[] = [];
  if (preface) parts.push(preface);
  const reasons: string[] = [];
  if (lastAiIndex < 0) {
    parts.push(name ? phrase(rng, 'greeting', { name }) : phrase(rng, 'greetingNoName'));
  }
  if (injection) {
    parts.push(phrase(rng, 'injection'));
    reasons.push('The message tried to change my instructions; I ignored that part.');
  }
  const sharesPriorities = (text: string) =>
    sentencesOf(text).some((s) => !s.trim().endsWith('?') && (PRIORITY.test(s) || FLEXIBLE.test(s)));
  const statedPriorities = sharesPriorities(latestText);
  const statedBefore = input.transcript.slice(0, lastAiIndex + 1).some((m) => m.sender_type === 'user' && sharesPriorities(m.content));
  if (statedPriorities && !statedBefore && lastAiIndex >= 0) parts.push(phrase(rng, 'studentPriorities'));
  if (isQuestion(latestText) && !Object.keys(parsed).length) {
    if (LIMIT_QUESTION.test(latestText)) {
      parts.push(phrase(rng, 'limitQuestion'));
      reasons.push('They asked for my limits; I do not disclose them.');
    } else if (!GREETING.test(latestText) || latestText.length > 40) {
      const fact = answerFrom(ai.private_facts, latestText);
      parts.push(fact ?? phrase(rng, 'noFact'));
    }
  }
  if (t === 0 || lastAiIndex < 0) {
    parts.push(phrase(rng, 'openingOffer', { terms }));
    parts.push(phrase(rng, 'askPriorities'));
    reasons.push('Opening with an ambitious anchor and asking about their priorities.');
  } else if (t >= T - 1) {
    parts.push(phrase(rng, 'finalOffer', { terms }));
    reasons.push('Near my deadline: final proposal.');
  } else if (!newOffer) {
    parts.push(phrase(rng, 'restate', { terms }));
    if (!isQuestion(latestText)) parts.push(phrase(rng, 'askForNumbers'));
    reasons.push('No new proposal from the student, so my offer stands.');
  } else {
    const moved = history.length >= 2 && !lastRoundStubborn(sc, history);
    parts.push(phrase(rng, stubborn > 0 && !moved && history.length >= 2 ? 'counterNoMove' : 'counter', { terms }));
    const { cheap, dear } = concededIssues(sc, offer);
    if (cheap.length && dear.length) parts.push(phrase(rng, 'logroll', { cheap: listLabels(sc, cheap), dear: listLabels(sc, dear) }));
    if (current) reasons.push(`Their proposal (${describeTerms(sc, current)}) is not yet good enough for us at this stage; countering.`);
    if (cheap.length)
      reasons.push(
        `Conceding mostly on ${listLabels(sc, cheap)}, (less important to us)${dear.length ? `, holding firm on ${listLabels(sc, dear)}` : ''}.`,
      );
    if (stubborn > 0) reasons.push(`They held firm in ${stubborn} round(s), so I concede more slowly.`);
    if (userTexts.length > 2 && !statedPriorities && rng() < 0.3) parts.push(phrase(rng, 'askPriorities'));
  }
  const gap = current ? Math.max(0, utility(prefs, offer) - utility(prefs, current)) : 0.5;
  return turn(parts.join(' '), reasons.join(' ') || 'Continuing the negotiation.', { offer }, state, 0.45 + 0.5 * (1 - Math.min(1, gap)));
}

/** Every offer the student wrote in the chat, with the AI reply it preceded. */
function studentOffers(sc: FullScenario, transcript: ChatMessage[]): StudentOfferRecord[] {
  const out: StudentOfferRecord[] = [];
  let segment = 0;
  for (const m of transcript) {
    if (m.sender_type === 'ai') {
      segment++;
      continue;
    }
    const terms = parseOfferFromText(sc, m.content, Date.parse(m.timestamp) || 0);
    if (Object.keys(terms).length) out.push({ terms, segment, injection: INJECTION.test(m.content) });
  }
  return out;
}

/** The AI-side utility change between two partial offers, on the issues both mention. */
function concessionBetween(sc: FullScenario, before: Partial<Terms>, after: Partial<Terms>): number | null {
  let delta = 0;
  let common = 0;
  for (const [issue, pref] of Object.entries(sc.ai_private.prefs)) {
    const a = before[issue];
    const b = after[issue];
    if (typeof a !== 'number' || typeof b !== 'number') continue;
    common++;
    delta += pref.weight * (clamp01((b - pref.worst) / (pref.best - pref.worst)) - clamp01((a - pref.worst) / (pref.best - pref.worst)));
  }
  return common ? delta : null;
}

/** Rounds in which the student restated an offer without moving toward us. */
function stubbornRounds(sc: FullScenario, history: StudentOfferRecord[]): number {
  let count = 0;
  for (let i = 1; i < history.length; i++) {
    if (history[i].segment === history[i - 1].segment) continue;
    const d = concessionBetween(sc, history[i - 1].terms, history[i].terms);
    if (d !== null && d <= 0.005) count++;
  }
  return count;
}

function lastRoundStubborn(sc: FullScenario, history: StudentOfferRecord[]): boolean {
  const n = history.length;
  if (n < 2) return false;
  const d = concessionBetween(sc, history[n - 2].terms, history[n - 1].terms);
  return d !== null && d <= 0.005;
}

/**
 * What the student seems to want and how much they care: their latest stated value per issue, and
 * weights from what they say (an issue named next to "important", "need", "matters" counts double,
 * next to "flexible", "don't mind" half).
 */
function counterpartModel(
  sc: FullScenario,
  transcript: ChatMessage[],
  history: StudentOfferRecord[],
  current: Terms | null,
): Record<string, CounterpartModel> {
  const weights: Record<string, number> = {};
  for (const issue of sc.issues) weights[issue.name] = 1;
  for (const m of transcript) {
    if (m.sender_type !== 'user') continue;
    for (const sentence of sentencesOf(m.content.toLowerCase())) {
      const priority = PRIORITY.test(sentence);
      const flexible = FLEXIBLE.test(sentence);
      if (!priority && !flexible) continue;
      for (const issue of sc.issues) {
        const words = [...(issue.keywords ?? []), ...issue.name.split('_'), issue.label.toLowerCase()].filter((w) => w.length > 2);
        if (!words.some((w) => sentence.includes(w.toLowerCase()))) continue;
        weights[issue.name] *= flexible ? 0.5 : 2;
      }
    }
  }
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const wanted: Record<string, number> = {};
  for (const h of history) Object.assign(wanted, h.terms);
  if (current) Object.assign(wanted, current);
  const model: Record<string, CounterpartModel> = {};
  for (const issue of sc.issues) {
    const pref = sc.ai_private.prefs[issue.name];
    const w = wanted[issue.name];
    // Not stated yet: assume they want the opposite of us (the AI does not know their preferences).
    model[issue.name] = { weight: weights[issue.name] / total, wanted: typeof w === 'number' ? w : pref.worst };
  }
  return model;
}

/** Issues I moved far from my best (cheap for me) and my most important issue I kept close to it. */
function concededIssues(sc: FullScenario, offer: Terms): { cheap: string[]; dear: string[] } {
  const prefs = sc.ai_private.prefs;
  const moved = sc.issues.filter((i) => {
    const p = prefs[i.name];
    return Math.abs(offer[i.name] - p.best) / Math.abs(p.best - p.worst) >= 0.3;
  });
  const held = [...sc.issues]
    .filter((i) => !moved.includes(i))
    .sort((a, b) => prefs[b.name].weight - prefs[a.name].weight)
    .slice(0, 1);
  if (!moved.length || !held.length || prefs[held[0].name].weight <= Math.max(...moved.map((i) => prefs[i.name].weight)))
    return { cheap: [], dear: [] };
  return { cheap: moved.map((i) => i.name), dear: held.map((i) => i.name) };
}

/**
 * Far outside any workable range: on an issue that matters to the AI (weight ≥ 0.25) and is
 * distributive, beyond the AI's worst value by half of its best–worst span, or past the issue's range.
 */
export function isInsulting(sc: FullScenario, terms: Partial<Terms>): boolean {
  for (const issue of sc.issues) {
    const v = terms[issue.name];
    const pref = sc.ai_private.prefs[issue.name];
    if (typeof v !== 'number' || pref.weight < 0.25 || !isDistributive(sc, issue.name)) continue;
    const overreach = (direction(pref) * (pref.worst - v)) / Math.abs(pref.best - pref.worst);
    if (overreach >= 0.5 || outOfRangeAgainst(issue.min, issue.max, v, direction(pref))) return true;
  }
  return false;
}

function outOfRangeAgainstAi(sc: FullScenario, terms: Partial<Terms>): boolean {
  return sc.issues.some((i) => {
    const v = terms[i.name];
    return (
      typeof v === 'number' &&
      outOfRangeAgainst(i.min, i.max, v, direction(sc.ai_private.prefs[i.name])) &&
      sc.ai_private.prefs[i.name].weight >= 0.25
    );
  });
}

function outOfRangeAgainst(min: number, max: number, v: number, dir: 1 | -1): boolean {
  return dir === 1 ? v < min : v > max;
}

const STOP = new Set([
  'the',
  'a',
  'an',
  'is',
  'are',
  'do',
  'does',
  'you',
  'your',
  'what',
  'how',
  'about',
  'can',
  'tell',
  'me',
  'of',
  'to',
  'in',
  'for',
  'and',
  'or',
  'it',
  'this',
  'that',
  'there',
  'any',
  'i',
  'we',
  'us',
  'our',
  'with',
  'on',
  'at',
  'be',
  'so',
  'like',
  'would',
  'could',
]);

/** The persona fact sharing the most words with the question (word stems of 4+ letters), if any. */
function answerFrom(facts: string[], question: string): string | null {
  const stem = (w: string) =>
    w
      .toLowerCase()
      .replace(/[^a-z]/g, '')
      .slice(0, 5);
  const words = new Set(
    question
      .split(/\s+/)
      .map(stem)
      .filter((w) => w.length >= 3 && !STOP.has(w)),
  );
  let best: { fact: string; score: number } | null = null;
  for (const fact of facts) {
    const score = new Set(
      fact
        .split(/\s+/)
        .map(stem)
        .filter((w) => words.has(w)),
    ).size;
    if (score > 0 && (!best || score > best.score)) best = { fact, score };
  }
  return best?.fact ?? null;
}

function countAi(transcript: ChatMessage[]): number {
  return transcript.filter((m) => m.sender_type === 'ai').length;
}

function findLastIndex<T>(items: T[], pred: (x: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i])) return i;
  return -1;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const round2 = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;
