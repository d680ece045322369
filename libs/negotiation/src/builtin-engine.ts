import { ChatMessage, Terms } from '@parley/contracts';
import { termsOf } from './agreement-key';
import { CONCESSION_EXPONENT, CounterpartModel, offerAtUtility } from './concession';
import { classifyMessage } from './dialogue-acts';
import { aiBestTerms, enforceLimits, sameTerms, validateTerms } from './limits';
import { seededRandom } from './rng';
import { asFullScenario } from './scenario-schema';
import { FLEXIBLE, GREETING, LIMIT_QUESTION, PRIORITY, sentencesOf } from './signals';
import { MOVE_EPS, nextTarget } from './tactics';
import { AiTurn, FullScenario, NegotiationEngine, NegotiatorInput } from './types';
import { acceptableTo, direction, isDistributive, issueUtility, snapToStep, utility } from './utility';
import { describeTerms, formatValue, listLabels, personaName, Voice } from './wording';

/** The AI never offers closer than this (in its utility) to its reservation. */
const FLOOR_MARGIN = 0.03;
const MODEL = 'parley-builtin';

/**
 * The offline negotiator: deterministic (wording varies only by a seed made of the negotiation id and
 * turn). Reads each message as dialogue acts, concedes in response to the student's moves (tactics.ts),
 * accepts by AC-next combined with the student's best offer, logrolls, answers as the persona, and
 * never repeats a sentence. Every reply goes through the same limit guard as the OpenAI engine.
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

/** Whether the AI greets and opens when a student joins a new negotiation (the scenario may let the student open). */
export function aiOpens(scenario: FullScenario): boolean {
  return scenario.ai_private.opens !== 'student';
}

/** One student move that named terms, and where it left their position. */
interface StudentMove {
  /** Index of the AI reply this move came before. */
  segment: number;
  terms: Partial<Terms>;
  complete: Terms | null;
  insulting: boolean;
}

const FINAL_SAID = /\b(my final offer|my last proposal|as good as it gets|no further than)\b/i;

function decide(sc: FullScenario, input: NegotiatorInput): AiTurn {
  const ai = sc.ai_private;
  const prefs = ai.prefs;
  const T = ai.deadline_turns;
  const t = input.aiTurns;
  const negotiationId = input.transcript[0]?.negotiation_id ?? sc.id;
  const rng = seededRandom(`${negotiationId}:${t}`);
  const chatLines = input.transcript.filter((m) => m.kind !== 'offer');
  const aiSaid = chatLines.filter((m) => m.sender_type === 'ai').map((m) => m.content);
  const voice = new Voice(rng, aiSaid);
  const name = personaName(ai.persona);

  const lastAiIndex = findLastIndex(input.transcript, (m) => m.sender_type === 'ai' && m.kind !== 'offer');
  const latestText = input.transcript
    .slice(lastAiIndex + 1)
    .filter((m) => m.sender_type === 'user' && m.kind !== 'offer')
    .map((m) => m.content)
    .join('\n');
  const lastAiTime = lastAiIndex >= 0 ? Date.parse(input.transcript[lastAiIndex].timestamp) : -Infinity;
  const acts = classifyMessage(sc, latestText, input.nowMs);

  const aiLastRaw = termsOf(input.aiState?.offer ?? null);
  const aiLast = aiLastRaw && !validateTerms(sc, aiLastRaw) ? aiLastRaw : null;
  const structured = termsOf(input.studentState?.offer ?? null);
  // new since my last line: its offer line follows mine in the transcript, or its time does (state files keep
  // seed 000's seconds, the evaluation milliseconds)
  const offerTs = input.studentState?.offer?.timestamp ?? 0;
  const structuredNew =
    !!structured &&
    ((offerTs < 1e11 ? offerTs * 1000 : offerTs) > lastAiTime ||
      input.transcript.slice(lastAiIndex + 1).some((m) => m.sender_type === 'user' && m.kind === 'offer'));
  const injection = acts.acts.has('injection');

  // The student's proposal this turn: complete terms, or the issues they named.
  const named = injection ? {} : acts.proposal;
  let current: Terms | null = null;
  if (structuredNew && structured) current = { ...structured, ...named } as Terms;
  else if (acts.complete && !injection) current = { ...(acts.buildsOnAiOffer && aiLast ? aiLast : {}), ...named } as Terms;
  if (current && validateTerms(sc, current)) current = null;
  const partial: Partial<Terms> = !current && Object.keys(named).length ? named : {};

  const moves = studentMoves(sc, input, structuredNew ? structured : null);
  const levels = studentLevels(sc, moves);
  const bestComplete = Math.max(-1, ...moves.filter((m) => m.complete).map((m) => utility(prefs, m.complete!)));
  const previous = aiLast ? utility(prefs, aiLast) : 1;
  const floor = ai.reservation_utility + FLOOR_MARGIN;
  const repliesToMoves = new Set(moves.map((m) => m.segment)).size;
  const bluffs = contradictedAlternatives(sc, input.transcript);
  const tactic = nextTarget({
    t,
    T,
    floor,
    e: CONCESSION_EXPONENT[ai.strategy],
    previous,
    reciprocity: RECIPROCITY[ai.strategy],
    // A repeated, unverifiable alternative that is better than what the student asks of me is not credible:
    // I answer it as information and concede less, rather than paying for it every round.
    credibility: bluffs >= 2 ? BLUFF_DISCOUNT : 1,
    studentLevels: levels,
    courtesyRounds: repliesToMoves - 1,
  });
  const finalSaid = aiSaid.some((c) => FINAL_SAID.test(c));

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
  const stateNow: AiTurn['metadata']['negotiation_state'] = moves.length === 0 && !structured ? 'opening' : 'discussion';

  // Dev-only: accept the student's agreed terms unconditionally.
  if (input.forceAccept && structured) {
    return turn(
      voice.say('acceptTheirAgreement', { terms: describeTerms(sc, structured) }),
      'Forced acceptance (development shortcut).',
      { accept: structured },
      'closing',
      1,
    );
  }

  if (acts.acts.has('abuse')) {
    return turn(
      voice.say('walkAbuse'),
      'The student insulted me, so I ended the negotiation.',
      { walk_away: { reason: 'abusive language' } },
      'closing',
      0.9,
    );
  }

  // AC-next combined with the best offer seen: accept terms at least as good as my next proposal, never
  // below what the student already offered (a retraction is held to their best), and late in a
  // negotiation in which the student keeps moving, their best offer once it clears a late floor.
  const lateFloor = floor + LATE_SHARE[ai.strategy] * (1 - floor);
  const goodFaith = levels.length >= 3 && bluffs < 2 && Math.max(...levels) - levels[0] >= GOOD_FAITH_SHARE * (previous - levels[0]);
  const worthIt = (terms: Terms) => {
    if (validateTerms(sc, terms) || !acceptableTo(sc, 'ai', terms) || touchesLimit(sc, terms)) return false;
    const u = utility(prefs, terms);
    if (u < bestComplete - 1e-9) return false;
    if (u >= Math.min(tactic.target, tactic.concession) - 1e-9) return true;
    if (t >= T - 2 && tactic.stalledRounds === 0 && u >= lateFloor && bluffs < 2) return true;
    // At my deadline a deal above my floor beats walking away, for a student who came a fair part of the way
    // (waiting alone never gets there: a stonewaller or a token staller has not moved enough).
    return t >= T && goodFaith && u > ai.reservation_utility;
  };

  const parts: string[] = [];
  const reasons: string[] = [];
  if (input.studentState?.status === 'agreed' && structured) {
    if ((aiLast && sameTerms(structured, aiLast)) || worthIt(structured)) {
      return turn(
        voice.say('acceptTheirAgreement', { terms: describeTerms(sc, structured) }),
        `The student agreed to ${describeTerms(sc, structured)}, which works for us, so I confirm.`,
        { accept: structured },
        'closing',
        0.95,
      );
    }
    parts.push(voice.say('cannotAgree'));
  }

  if (acts.acts.has('acceptance') && aiLast && !current && !Object.keys(partial).length) {
    return turn(
      voice.say('accept', { terms: describeTerms(sc, aiLast) }),
      `The student accepted my standing proposal (${describeTerms(sc, aiLast)}) in the chat, so I confirm it.`,
      { accept: aiLast },
      'closing',
      0.9,
    );
  }

  const proposed = current ?? (Object.keys(partial).length ? partial : null);
  if (proposed && !injection && isInsulting(sc, proposed)) {
    const earlier = moves.some((m) => m.segment < countAi(input.transcript) && m.insulting);
    if (earlier) {
      return turn(
        voice.say('walkInsult'),
        'The student proposed terms far outside any realistic range again after a warning, so I walked away.',
        { walk_away: { reason: 'insulting offer' } },
        'closing',
        0.85,
      );
    }
    const standing = aiLast ?? aiBestTerms(sc);
    if (lastAiIndex < 0) parts.push(name ? voice.say('greeting', { name }) : voice.say('greetingNoName'));
    parts.push(voice.say('warnInsult'), voice.say('holdFirm', { terms: describeTerms(sc, standing) }));
    return turn(
      parts.filter((x) => x).join(' '),
      'The proposal was far outside a realistic range; I pushed back and kept my standing offer.',
      { offer: standing },
      'discussion',
      0.7,
    );
  }

  if (current && !injection && worthIt(current)) {
    return turn(
      voice.say('accept', { terms: describeTerms(sc, current) }),
      `The student's proposal (${describeTerms(sc, current)}) works for us, so I accept it.`,
      { accept: current },
      'closing',
      0.9,
    );
  }

  if (t >= T) {
    return turn(
      voice.say('walkDeadline'),
      'We could not close the gap, so I ended the negotiation.',
      { walk_away: { reason: 'no agreement in sight' } },
      'closing',
      0.8,
    );
  }
  const movedNow = moves.length > 0 && moves[moves.length - 1].segment === countAi(input.transcript);
  if (movedNow && ((finalSaid && tactic.studentMove < MOVE_EPS) || tactic.stalledRounds >= STALL_WALK)) {
    return turn(
      voice.say('walkStall'),
      'I made a final offer and the student did not move, so I ended the negotiation.',
      { walk_away: { reason: 'no movement after a final offer' } },
      'closing',
      0.8,
    );
  }

  // The next proposal: logrolled toward what the student seems to want, never backwards from my last offer,
  // keeping the issues the student named where that fits my target.
  const model = counterpartModel(sc, input.transcript, moves);
  const movedThisTurn = moves.length > 0 && moves[moves.length - 1].segment === countAi(input.transcript);
  let target = movedThisTurn || !aiLast ? tactic.target : previous;
  const bestLevel = levels.length ? Math.max(...levels) : 0;
  const final = movedThisTurn && !finalSaid && levels.length >= 3 && t >= T - 1;
  const warnStall = movedThisTurn && !final && tactic.stalledRounds >= STALL_WARN;
  // A credible final offer: part of the way from my position toward the student's best, never the floor by default.
  if (final) target = Math.max(floor, Math.min(target, bestLevel + FINAL_SHARE[ai.strategy] * (previous - bestLevel)));
  if (finalSaid && aiLast) target = previous;
  let offer = offerAtUtility(sc.issues, prefs, target, model);
  const fixedKeys = Object.keys(partial).length ? Object.keys(partial) : [];
  if (fixedKeys.length) offer = withNamedIssues(sc, target, model, partial) ?? offer;
  if (aiLast && utility(prefs, offer) > utility(prefs, aiLast) + 1e-9 && !fixedKeys.length) offer = aiLast;
  if (!movedThisTurn && aiLast) offer = aiLast;
  const termsText = describeTerms(sc, offer);
  const conceded = aiLast ? utility(prefs, aiLast) - utility(prefs, offer) : 0;

  // What the reply says: acknowledge, answer, then the proposal with a reason.
  if (lastAiIndex < 0) parts.push(name ? voice.say('greeting', { name }) : voice.say('greetingNoName'));
  else if (acts.acts.has('small_talk') && !movedThisTurn && chatLines.filter((m) => m.sender_type === 'user').length <= 2)
    parts.push(voice.say('greetBack'));
  if (acts.acts.has('apology')) parts.push(voice.say('apology'));
  if (injection) {
    parts.push(voice.say('injection'));
    reasons.push('The message tried to change my instructions; I ignored that part.');
  }
  if (acts.acts.has('threat')) parts.push(voice.say('threat'));
  if (acts.acts.has('alternative')) {
    const calledBefore = bluffs >= 3 && contradictedAlternatives(sc, input.transcript.slice(0, lastAiIndex + 1)) >= 2;
    if (bluffs >= 2 && !calledBefore) {
      parts.push(voice.say('callBluff'));
      reasons.push('They keep naming a better offer elsewhere while asking me for less than it; I doubt it and said so.');
    } else {
      parts.push(voice.say('ackAlternative'));
      reasons.push('They mentioned an alternative; I took it as information, not as an offer.');
    }
  }
  for (const [issue, [lo, hi]] of Object.entries(acts.ranges)) {
    const spec = sc.issues.find((i) => i.name === issue)!;
    parts.push(voice.say('ackRange', { range: `${formatValue(spec, lo)} to ${formatValue(spec, hi)}` }));
  }
  const weightsDesc = [...sc.issues].sort((a, b) => prefs[b.name].weight - prefs[a.name].weight);
  const sharedBefore =
    moves.length >= 0 &&
    input.transcript.slice(0, lastAiIndex + 1).some((m) => m.sender_type === 'user' && classifyMessage(sc, m.content, 0).sharesPriorities);
  if (acts.sharesPriorities && lastAiIndex >= 0) parts.push(voice.say('studentPriorities'));
  if (sc.issues.length > 1 && (acts.sharesPriorities || acts.asksPriorities)) {
    const dear = weightsDesc[0].name;
    const cheap = weightsDesc[weightsDesc.length - 1].name;
    if (acts.sharesPriorities || sharedBefore) {
      parts.push(voice.say('revealPriorities', { dear: listLabels(sc, [dear]), cheap: listLabels(sc, [cheap]) }));
      reasons.push('They shared their priorities, so I shared some of mine.');
    } else {
      parts.push(voice.say('revealOne', { dear: listLabels(sc, [dear]) }));
    }
  }
  for (const q of acts.questions.slice(0, 2)) {
    if (LIMIT_QUESTION.test(q)) {
      parts.push(voice.say('limitQuestion'));
      reasons.push('They asked for my limits; I do not disclose them.');
      continue;
    }
    if (acts.asksPriorities && !acts.askedIssues.length) continue;
    const issueQ = sc.issues.filter((i) => acts.askedIssues.includes(i.name));
    if (issueQ.length && ISSUE_VALUE_QUESTION.test(q)) {
      if (!movedThisTurn && !fixedKeys.length)
        for (const i of issueQ.slice(0, 2)) {
          parts.push(voice.say('askedIssue', { issue: i.label.toLowerCase(), value: formatValue(i, offer[i.name]) }));
          const r = reasonFor(sc, i.name, rng);
          if (r) parts.push(voice.say('reason', { reason: r }));
        }
      continue;
    }
    if (!GREETING.test(q) || q.length > 40) {
      const answer = answerFromPersona(sc, q);
      const fresh = answer ? voice.once(answer) : null;
      if (fresh) parts.push(fresh);
      else if (!movedThisTurn) parts.push(voice.say(answer ? 'alreadySaid' : 'noFact'));
    }
  }

  const dearIssue = weightsDesc[0].name;
  const reason = reasonFor(sc, concededIssues(sc, offer).dear[0] ?? dearIssue, rng);
  if (lastAiIndex < 0 && !movedThisTurn) {
    parts.push(voice.say('openingOffer', { terms: termsText }));
    if (reason) parts.push(voice.say('reason', { reason }));
    parts.push(voice.say('askPriorities'));
    reasons.push('Opening with an ambitious first proposal, explaining it, and asking about their priorities.');
  } else if (!movedThisTurn) {
    parts.push(voice.say('holdFirm', { terms: termsText }));
    if (!acts.questions.length) parts.push(voice.say('askForMove'));
    reasons.push('No new proposal from the student, so my offer stands.');
  } else {
    // After "you haven't moved", a concession (still owed to their earlier moves) must not read as rewarding the stall.
    let saidStall = false;
    if (current || Object.keys(partial).length) {
      const theirs = describeTerms(sc, current ?? partial);
      if (Object.keys(partial).length) {
        const honoured = Object.entries(partial).every(([k, v]) => offer[k] === v);
        parts.push(voice.say(Object.keys(acts.ranges).length ? 'ackProposal' : honoured ? 'ackPartial' : 'partialTooFar', { theirs }));
      } else if (tactic.studentMove < -MOVE_EPS && bestComplete > 0) {
        const best = moves
          .filter((m) => m.complete)
          .reduce((b, m) => (utility(prefs, m.complete!) > utility(prefs, b) ? m.complete! : b), moves.find((m) => m.complete)!.complete!);
        parts.push(voice.say('ackRetract', { best: describeTerms(sc, best) }));
        reasons.push('They went back on an earlier offer; I hold them to their best one.');
      } else if (levels.length >= 2 && tactic.stalledRounds > 0) {
        saidStall = tactic.studentMove <= 0.001;
        parts.push(voice.say(saidStall ? 'ackStall' : 'ackSmallMove'));
      } else if (levels.length >= 2) parts.push(voice.say('ackMove'));
      else parts.push(voice.say('ackProposal', { theirs }));
      if (acts.acts.has('conditional')) parts.push(voice.say('conditional'));
    }
    if (final) {
      parts.push(voice.say('finalOffer', { terms: termsText }));
      parts.push(voice.say('finalWarning'));
      reasons.push('The gap is not closing, so I made a final offer.');
    } else {
      parts.push(
        voice.say(
          conceded <= 0 && aiLast
            ? 'holdFirm'
            : saidStall
              ? 'counterAfterStall'
              : conceded < 0.02 && conceded > 0
                ? 'counterSmall'
                : 'counter',
          { terms: termsText },
        ),
      );
      reasons.push(conceded > 0 ? 'I moved in response to their movement.' : 'I kept my position because they did not move enough.');
      if (warnStall) parts.push(voice.say('finalWarning'));
    }
    const { cheap, dear } = concededIssues(sc, offer);
    if (cheap.length && dear.length) parts.push(voice.say('logroll', { cheap: listLabels(sc, cheap), dear: listLabels(sc, dear) }));
    else if (reason) parts.push(voice.say('reason', { reason }));
    const missing = sc.issues.filter((i) => typeof (current ?? partial)[i.name] !== 'number');
    if (!current && missing.length && Object.keys(partial).length && !fixedKeys.length)
      parts.push(
        voice.say('askMissing', {
          missing: listLabels(
            sc,
            missing.map((i) => i.name),
          ),
        }),
      );
  }
  const gap = current ? Math.max(0, utility(prefs, offer) - utility(prefs, current)) : 0.5;
  return turn(
    parts.filter((x) => x).join(' '),
    reasons.join(' ') || 'Continuing the negotiation.',
    { offer },
    final ? 'closing' : stateNow,
    0.45 + 0.5 * (1 - Math.min(1, gap)),
  );
}

/** How far above its floor the AI still asks late (late acceptance) and in its final offer, by persona strategy. */
const LATE_SHARE = { boulware: 0.3, linear: 0.1, conceder: 0.1 } as const;
/** Relative tit-for-tat: how much of the student's concession the AI gives back, by persona strategy. */
const RECIPROCITY = { boulware: 0.45, linear: 0.7, conceder: 0.8 } as const;
const FINAL_SHARE = { boulware: 0.6, linear: 0.45, conceder: 0.4 } as const;
/** Share of the way from their first position to my standing offer that a student must have come for a deadline deal. */
const GOOD_FAITH_SHARE = 1 / 3;
/** Share of its usual reciprocity the AI keeps once a student's claimed alternative has proved not credible. */
const BLUFF_DISCOUNT = 0.5;
/** Rounds without movement before the AI warns, and before it walks away. */
const STALL_WARN = 3;
const STALL_WALK = 5;
const ISSUE_VALUE_QUESTION =
  /\b(what|how much|which|how many|how soon|when)\b.*\b(in mind|offer|do|pay|give|thinking|propose|looking|range|number|can|could|would)\b/i;

/**
 * Student lines naming an alternative elsewhere that would give them more than the terms they propose to me in
 * the same line (worse for me than their own proposal): if the alternative were real, they would take it.
 */
function contradictedAlternatives(sc: FullScenario, transcript: ChatMessage[]): number {
  let count = 0;
  for (const m of transcript) {
    if (m.sender_type !== 'user' || m.kind === 'offer') continue;
    const acts = classifyMessage(sc, m.content, Date.parse(m.timestamp) || 0);
    const named = Object.keys(acts.alternative);
    if (!named.length || !Object.keys(acts.proposal).length) continue;
    const mine = (terms: Partial<Terms>) =>
      named.reduce((u, k) => u + sc.ai_private.prefs[k].weight * issueUtility(sc.ai_private.prefs[k], terms[k] ?? NaN), 0);
    if (named.every((k) => typeof acts.proposal[k] === 'number') && mine(acts.alternative) < mine(acts.proposal) - 1e-9) count++;
  }
  return count;
}

/** Terms exactly at one of my hard limits: accepting them would confirm where the limit is. */
function touchesLimit(sc: FullScenario, terms: Terms): boolean {
  return sc.issues.some((i) => {
    const limit = sc.ai_private.prefs[i.name].limit;
    return limit !== undefined && Math.abs(terms[i.name] - limit) < 1e-9;
  });
}

/** One of the persona's public reasons for its position on an issue. */
function reasonFor(sc: FullScenario, issue: string, rng: () => number): string | null {
  const list = sc.ai_private.reasons?.[issue];
  return list?.length ? list[Math.floor(rng() * list.length)] : null;
}

/**
 * An offer worth `target` built around the issues the student named: their values where my target allows,
 * otherwise moved part of the way back toward my side (my least important issues stay closest to theirs).
 */
function withNamedIssues(sc: FullScenario, target: number, model: Record<string, CounterpartModel>, named: Partial<Terms>): Terms | null {
  const prefs = sc.ai_private.prefs;
  const rest = sc.issues.filter((i) => typeof named[i.name] !== 'number');
  if (!rest.length) return null;
  const namedIssues = sc.issues
    .filter((i) => typeof named[i.name] === 'number')
    .sort((a, b) => prefs[b.name].weight - prefs[a.name].weight);
  const fixed: Terms = {};
  for (const issue of namedIssues) fixed[issue.name] = named[issue.name] as number;
  const restMax = rest.reduce((t, i) => t + prefs[i.name].weight, 0);
  // Move the named issues back toward my side together, in tenths, until my target is reachable.
  for (let share = 0; share <= 1.0001; share += 0.1) {
    for (const issue of namedIssues) {
      const pref = prefs[issue.name];
      const from = named[issue.name] as number;
      fixed[issue.name] = snapToStep(issue, from + share * (pref.best - from), direction(pref) === 1 ? 'down' : 'up');
    }
    if (utility(prefs, fixed) + restMax >= target) break;
  }
  if (utility(prefs, fixed) + restMax < target) return null;
  const restOffer = offerAtUtility(rest, prefs, target - utility(prefs, fixed), model);
  const offer = { ...restOffer, ...fixed };
  return utility(prefs, offer) >= target - 0.02 ? offer : null;
}

/** Every move of the student that named terms (chat or offer panel), with the AI reply it preceded. */
function studentMoves(sc: FullScenario, input: NegotiatorInput, structuredNew: Terms | null): StudentMove[] {
  const out: StudentMove[] = [];
  let segment = 0;
  let aiOffer: Terms | null = null;
  for (const m of input.transcript) {
    if (m.sender_type === 'ai') {
      if (m.terms) aiOffer = m.terms;
      if (m.kind !== 'offer') segment++;
      continue;
    }
    let terms: Partial<Terms>;
    let complete: Terms | null = null;
    if (m.kind === 'offer') {
      if (!m.terms || m.status === 'rejected') continue;
      terms = m.terms;
      complete = m.terms;
    } else {
      const acts = classifyMessage(sc, m.content, Date.parse(m.timestamp) || 0);
      if (acts.acts.has('injection') || !Object.keys(acts.proposal).length) continue;
      terms = acts.proposal;
      if (acts.complete) {
        const full = { ...(acts.buildsOnAiOffer && aiOffer ? aiOffer : {}), ...terms } as Terms;
        if (!validateTerms(sc, full)) complete = full;
      }
    }
    out.push({ segment, terms, complete, insulting: isInsulting(sc, terms) });
  }
  if (structuredNew) out.push({ segment, terms: structuredNew, complete: structuredNew, insulting: isInsulting(sc, structuredNew) });
  // One move per round: the last one before each AI reply.
  return out.filter((m, i) => i === out.length - 1 || out[i + 1].segment !== m.segment);
}

/** The student's position after each move, in the AI's utility: issues not named yet count at the AI's worst. */
function studentLevels(sc: FullScenario, moves: StudentMove[]): number[] {
  const position: Partial<Terms> = {};
  return moves.map((m) => {
    Object.assign(position, m.complete ?? m.terms);
    return utility(sc.ai_private.prefs, position);
  });
}

/**
 * What the student seems to want and how much they care: their latest stated value per issue, and
 * weights from what they say (an issue named next to "important", "need", "matters" counts double,
 * next to "flexible", "don't mind" half) and from how little they move on it.
 */
function counterpartModel(sc: FullScenario, transcript: ChatMessage[], moves: StudentMove[]): Record<string, CounterpartModel> {
  const weights: Record<string, number> = {};
  for (const issue of sc.issues) weights[issue.name] = 1;
  for (const m of transcript) {
    if (m.sender_type !== 'user' || m.kind === 'offer') continue;
    for (const sentence of sentencesOf(m.content.toLowerCase())) {
      if (sentence.trim().endsWith('?')) continue;
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
  // Issues the student concedes on readily matter less to them (frequency/concession analysis of their offers).
  const first = moves.find((m) => m.complete)?.complete;
  const last = [...moves].reverse().find((m) => m.complete)?.complete;
  if (first && last && first !== last) {
    for (const issue of sc.issues) {
      const p = sc.ai_private.prefs[issue.name];
      const movedShare = Math.abs(last[issue.name] - first[issue.name]) / Math.abs(p.best - p.worst);
      weights[issue.name] *= 1 / (1 + 2 * movedShare);
    }
  }
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const wanted: Record<string, number> = {};
  for (const m of moves) Object.assign(wanted, m.complete ?? m.terms);
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
    return { cheap: [], dear: held.map((i) => i.name) };
  return { cheap: moved.map((i) => i.name), dear: held.map((i) => i.name) };
}

/** The persona's answer whose topic words best match the question (then the raw private facts), if any. */
function answerFromPersona(sc: FullScenario, question: string): string | null {
  const words = question
    .toLowerCase()
    .split(/[^a-z-]+/)
    .filter((w) => w.length >= 3 && !STOP.has(w));
  const hits = (topics: string[]) =>
    topics.filter((topic) => {
      const tw = topic.toLowerCase();
      if (tw.includes(' ')) return question.toLowerCase().includes(tw);
      return words.some((w) => w === tw || (tw.length >= 4 && w.length >= 4 && (w.startsWith(tw) || tw.startsWith(w))));
    }).length;
  let best: { text: string; score: number } | null = null;
  for (const a of sc.ai_private.answers ?? []) {
    const score = hits(a.topics);
    if (score > 0 && (!best || score > best.score)) best = { text: a.text, score };
  }
  return best?.text ?? answerFrom(sc.ai_private.private_facts, question);
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
  return transcript.filter((m) => m.sender_type === 'ai' && m.kind !== 'offer').length;
}

function findLastIndex<T>(items: T[], pred: (x: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i])) return i;
  return -1;
}

const round2 = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;
