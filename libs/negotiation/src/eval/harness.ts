import { performance } from 'node:perf_hooks';
import { ChatMessage, PartyState, Terms } from '@parley/contracts';
import { BuiltinEngine } from '../builtin-engine';
import { sameTerms, secretNumbers } from '../limits';
import { seededRandom } from '../rng';
import { scoreNegotiation } from '../scoring';
import { numbersInText } from '../text-parse';
import { AiTurn, FullScenario, NegotiatorInput } from '../types';
import { acceptableTo, bargainingZone, bestDominatingJoint, sideUtility } from '../utility';
import { classifyMessage } from '../dialogue-acts';
import { describeTerms, sentenceKey, splitSentences } from '../wording';
import { StudentMove, StudentStrategy } from './strategies';

export interface Episode {
  scenario: string;
  strategy: string;
  seed: number;
  deal: Terms | null;
  status: 'completed' | 'rejected';
  /** Student messages sent. */
  turns: number;
  transcript: ChatMessage[];
  aiTurns: AiTurn[];
  claiming: number;
  creating: number;
  relationships: number;
  overall: number;
  /** Joint utility of the deal / the highest joint utility on the Pareto frontier (0 without deal). */
  efficiency: number;
  /**
   * Value left on the table: how much more joint utility the best package at least as good for both sides would
   * have given (without a deal: the whole gain over both walk-aways). It does not move with how a deal is split.
   */
  valueLeft: number;
  studentUtility: number;
  aiUtility: number;
  /** The AI accepted terms below its reservation or across a limit (must never happen). */
  acceptBelowReservation: boolean;
  /** AI replies whose content or reasoning states a secret number. */
  leaks: string[];
  /** Share of the bargaining zone the student claimed (0..1; 0 without a deal). */
  zoneShare: number;
  /** The AI accepted after a student message that neither accepted nor proposed complete terms. */
  dealOnQuestionOrStatement: boolean;
  /** AI sentences said more than once in this negotiation. */
  repeatedSentences: string[];
  /**
   * Without a deal: the student's last proposal was one the AI may not take (below its reservation, or
   * at or past one of its hard limits), so no acceptance rule could have closed the episode on it.
   */
  endedOnAskOutsideAiLimits: boolean;
  /** Milliseconds each engine reply took (act classification, tactics, wording and the limit guard). */
  replyMs: number[];
}

const START = Date.UTC(2026, 0, 5, 9);

/** Plays one negotiation: the scripted student against the builtin engine, bounded in turns. */
export function playEpisode(scenario: FullScenario, strategy: StudentStrategy, seed: number, engine = new BuiltinEngine()): Episode {
  const id = `eval-${scenario.id}-${strategy.name}-${seed}`;
  const rng = seededRandom(`${id}:student`);
  const transcript: ChatMessage[] = [];
  const aiTurns: AiTurn[] = [];
  let studentState: PartyState | null = null;
  let aiState: PartyState | null = null;
  let seq = 0;
  let clock = START;
  const pushOffer = (terms: Terms, status: 'pending' | 'agreed') => {
    clock += 1000;
    transcript.push({
      id: `${id}-${seq}`,
      seq: ++seq,
      negotiation_id: id,
      sender_type: 'user',
      sender: 'student@example.edu',
      content: `${status === 'agreed' ? 'Agreed to' : 'Proposed'} ${describeTerms(scenario, terms)}`,
      timestamp: new Date(clock).toISOString(),
      kind: 'offer',
      terms,
      status,
    });
  };
  const push = (sender_type: 'user' | 'ai', content: string, turn?: AiTurn) => {
    clock += 30_000;
    transcript.push({
      id: `${id}-${seq}`,
      seq: ++seq,
      negotiation_id: id,
      sender_type,
      sender: sender_type === 'ai' ? 'ai' : 'student@example.edu',
      content,
      timestamp: new Date(clock).toISOString(),
      ...(turn ? { ai_metadata: turn.metadata } : {}),
    });
  };
  const aiOffers: Terms[] = [];
  const myOffers: Terms[] = [];
  let deal: Terms | null = null;
  let ended = false;
  let acceptBelowReservation = false;
  const leaks: string[] = [];
  const secrets = secretNumbers(scenario).values;

  let dealOnQuestionOrStatement = false;
  const replyMs: number[] = [];
  let lastMove: StudentMove | null = null;
  const aiMove = () => {
    const input: NegotiatorInput = { scenario, transcript: [...transcript], studentState, aiState, aiTurns: aiTurns.length, nowMs: clock };
    const started = performance.now();
    const turn = engine.reply(input);
    replyMs.push(performance.now() - started);
    aiTurns.push(turn);
    push('ai', turn.content, turn);
    for (const text of [turn.content, turn.metadata.reasoning]) {
      if (numbersInText(text).some((n) => secrets.some((s) => Math.abs(n.value - s) < 1e-6))) leaks.push(text);
    }
    if (turn.accept) {
      if (!acceptableTo(scenario, 'ai', turn.accept)) acceptBelowReservation = true;
      if (lastMove && !lastMove.agree && !lastMove.offer) {
        const acts = classifyMessage(scenario, lastMove.text, clock);
        if (!acts.acts.has('acceptance') && !acts.complete) dealOnQuestionOrStatement = true;
      }
      deal = turn.accept;
      ended = true;
    } else if (turn.walk_away) {
      ended = true;
    } else if (turn.offer) {
      aiState = { user: 'ai', role: scenario.ai_role, offer: { ...turn.offer, timestamp: clock }, status: 'pending', last_updated: clock };
      if (!aiOffers.length || !sameTerms(aiOffers[aiOffers.length - 1], turn.offer)) aiOffers.push(turn.offer);
    }
  };

  aiMove(); // the AI opens
  const maxRounds = scenario.ai_private.deadline_turns + 3;
  let round = 0;
  for (; round < maxRounds && !ended; round++) {
    const standing = aiState ? (aiState as PartyState).offer : null;
    const aiOffer = standing ? termsWithout(standing) : null;
    const move = strategy.next({ scenario, round, aiOffer, aiOffers: [...aiOffers], myOffers: [...myOffers], rng });
    clock += 1000;
    lastMove = move;
    if (move.agree && aiOffer) {
      studentState = {
        user: 'student@example.edu',
        role: scenario.student_role,
        offer: { ...aiOffer, timestamp: clock },
        status: 'agreed',
        last_updated: clock,
      };
    } else if (move.offer) {
      studentState = {
        user: 'student@example.edu',
        role: scenario.student_role,
        offer: { ...move.offer, timestamp: clock },
        status: 'pending',
        last_updated: clock,
      };
      myOffers.push(move.offer);
    }
    if (move.offer) pushOffer(move.offer, 'pending');
    if (move.agree && aiOffer) pushOffer(aiOffer, 'agreed');
    push('user', move.text);
    if (!move.offer && !move.agree) {
      const parsed = lastParsedStudentOffer(transcript, aiOffer, scenario);
      if (parsed) myOffers.push(parsed);
    }
    aiMove();
  }
  const status = deal ? 'completed' : 'rejected';
  const score = scoreNegotiation({ scenario, terms: deal, transcript, status });
  const zone = bargainingZone(scenario);
  const maxJoint = zone.maxJoint ? zone.maxJoint.student + zone.maxJoint.ai : 1;
  const su = deal ? sideUtility(scenario, 'student', deal) : 0;
  const au = deal ? sideUtility(scenario, 'ai', deal) : 0;
  return {
    scenario: scenario.id,
    strategy: strategy.name,
    seed,
    deal,
    status,
    turns: transcript.filter((m) => m.sender_type === 'user' && m.kind !== 'offer').length,
    transcript,
    aiTurns,
    claiming: score.final_score.claiming_value,
    creating: score.final_score.creating_value,
    relationships: score.final_score.managing_relationships,
    overall: score.final_score.overall,
    efficiency: deal ? (su + au) / maxJoint : 0,
    valueLeft: deal
      ? Math.max(0, bestDominatingJoint(scenario, deal) - su - au)
      : Math.max(0, maxJoint - scenario.student_private.reservation_utility - scenario.ai_private.reservation_utility),
    studentUtility: su,
    aiUtility: au,
    acceptBelowReservation,
    leaks,
    zoneShare: deal ? zoneShareOf(scenario, deal) : 0,
    dealOnQuestionOrStatement,
    repeatedSentences: repeatedIn(aiTurns.map((t) => t.content)),
    endedOnAskOutsideAiLimits: !deal && myOffers.length > 0 && !takeableByAi(scenario, myOffers[myOffers.length - 1]),
    replyMs,
  };
}

/** Acceptable to the AI and strictly inside each of its hard limits (the engine never settles on a limit). */
function takeableByAi(scenario: FullScenario, terms: Terms): boolean {
  const atLimit = scenario.issues.some((i) => {
    const limit = scenario.ai_private.prefs[i.name].limit;
    return limit !== undefined && Math.abs(terms[i.name] - limit) < 1e-9;
  });
  return !atLimit && acceptableTo(scenario, 'ai', terms);
}

/** Where a deal sits between the zone's best deal for the AI (0) and its best deal for the student (1). */
export function zoneShareOf(scenario: FullScenario, deal: Terms): number {
  const zone = bargainingZone(scenario);
  if (!zone.bestForAi || !zone.bestForStudent) return 0;
  const lo = zone.bestForAi.student;
  const hi = zone.bestForStudent.student;
  if (hi - lo < 1e-9) return 0;
  return Math.min(1, Math.max(0, (sideUtility(scenario, 'student', deal) - lo) / (hi - lo)));
}

/** Sentences that occur more than once across the given replies. */
export function repeatedIn(replies: string[]): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const s of replies.flatMap(splitSentences).map(sentenceKey)) {
    if (seen.has(s)) repeated.push(s);
    seen.add(s);
  }
  return repeated;
}

/** Distinct sentences (numbers masked, so only the wording counts) per window of 100 consecutive replies, averaged. */
export function distinctSentencesPer100(replies: string[]): number {
  const windows: number[] = [];
  for (let i = 0; i + 100 <= replies.length || (i === 0 && replies.length); i += 100) {
    const window = replies.slice(i, i + 100);
    const distinct = new Set(window.flatMap(splitSentences).map((s) => sentenceKey(s).replace(/[\d$,.]+/g, '#')));
    windows.push((distinct.size * 100) / window.length);
  }
  return windows.length ? windows.reduce((a, b) => a + b, 0) / windows.length : 0;
}

function termsWithout(offer: Terms & { timestamp?: number }): Terms {
  const { timestamp: _t, ...rest } = offer;
  return rest as Terms;
}

import { parseOfferFromText } from '../text-parse';
function lastParsedStudentOffer(transcript: ChatMessage[], aiOffer: Terms | null, scenario: FullScenario): Terms | null {
  const m = transcript[transcript.length - 1];
  const parsed = parseOfferFromText(scenario, m.content, Date.parse(m.timestamp));
  if (!Object.keys(parsed).length) return null;
  return { ...(aiOffer ?? {}), ...parsed } as Terms;
}

export interface Summary {
  scenario: string;
  strategy: string;
  episodes: number;
  dealRate: number;
  claiming: number;
  creating: number;
  relationships: number;
  efficiency: number;
  valueLeft: number;
  turns: number;
  acceptsBelowReservation: number;
  leaks: number;
  zoneShare: number;
  overall: number;
  dealsOnQuestionOrStatement: number;
  repeatedSentences: number;
  /** Episodes without a deal whose last student proposal the AI could not take (see Episode). */
  noDealsOnAskOutsideAiLimits: number;
}

export function summarize(episodes: Episode[]): Summary {
  const n = episodes.length || 1;
  const deals = episodes.filter((e) => e.deal);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    scenario: episodes[0]?.scenario ?? '',
    strategy: episodes[0]?.strategy ?? '',
    episodes: episodes.length,
    dealRate: deals.length / n,
    claiming: mean(episodes.map((e) => e.claiming)),
    creating: mean(episodes.map((e) => e.creating)),
    relationships: mean(episodes.map((e) => e.relationships)),
    efficiency: mean(deals.map((e) => e.efficiency)),
    valueLeft: mean(episodes.map((e) => e.valueLeft)),
    turns: mean(episodes.map((e) => e.turns)),
    acceptsBelowReservation: episodes.filter((e) => e.acceptBelowReservation).length,
    leaks: episodes.reduce((t, e) => t + e.leaks.length, 0),
    zoneShare: mean(episodes.map((e) => e.zoneShare)),
    overall: mean(episodes.map((e) => e.overall)),
    dealsOnQuestionOrStatement: episodes.filter((e) => e.dealOnQuestionOrStatement).length,
    repeatedSentences: episodes.reduce((t, e) => t + e.repeatedSentences.length, 0),
    noDealsOnAskOutsideAiLimits: episodes.filter((e) => e.endedOnAskOutsideAiLimits).length,
  };
}
