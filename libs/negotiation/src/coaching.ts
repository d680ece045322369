import type { ChatMessage, Terms } from '@parley/contracts';
import { concessionsOf, lineKey, Proposal, proposalsOf, quoteOf } from './moves';
import { isAlternativeStatement, isThreat } from './relationships';
import { ABUSE, INTEREST_QUESTION, LIMIT_QUESTION, WARM_CLOSE } from './signals';
import { numbersInText } from './text-parse';
import { FullScenario } from './types';
import { ownSide, walkAwayWords } from './walk-away';
import { describeTerms } from './wording';
import type { Verdict } from './scoring';

export type FeedbackTopic =
  'walk-away' | 'first-offer' | 'counter-offers' | 'concessions' | 'rationale' | 'questions' | 'information' | 'close';

/** One named move or mistake, with the line it happened in (ACE-style feedback). */
export interface FeedbackItem {
  topic: FeedbackTopic;
  kind: 'good' | 'mistake' | 'note';
  text: string;
  line?: { seq: number; quote: string };
}

export interface Coaching {
  items: FeedbackItem[];
  /** One concrete thing to try next time. */
  next_time: string;
}

interface CoachOutcome {
  deal: Terms | null;
  verdict: Verdict;
  /** Why the deal is worse than the walk-away, in plain words (null when it is not). */
  worse: string | null;
  /** A package existed that both sides preferred to the deal. */
  dominated: boolean;
}

const RATIONALE =
  /\b(because|since|given|due to|so that|that'?s why|the reason|as i|as we|considering|compared to|market|other offer|alternative)\b/i;
const LIMIT_WORDS =
  /\b(max(imum)?|most|limit|budget|bottom line|walk[- ]?away|at least|can'?t go|cannot go|lowest|highest|no more than|no less than)\b/i;
const TIPS: Record<string, string> = {
  worse:
    'Before agreeing, compare the offer with your walk-away ({walk}); if it is worse, say no or ask for more — no deal is better than a bad deal.',
  walkedOut:
    'Keep the pressure on the terms, not the person: disagree with numbers and reasons instead of insults, ultimatums or extreme offers.',
  leftZone:
    'When their offer beats your walk-away, keep talking or take it: walking away from a deal above your alternative gives up a sure gain.',
  noNumbers: 'Put a concrete first proposal on the table early, close to your best case, with a reason for it.',
  modest:
    'Open with an ambitious but defensible first offer near your best case, and give a reason for it, so concessions come from your side of the range.',
  questions: 'Ask at least two questions about what matters to them ("What makes the timing important for you?") before you start trading.',
  unanswered: 'Make each concession conditional: "I can move on this if you can move on that" — never give twice in a row for nothing.',
  growing: 'Make each concession smaller than the one before, so your moves signal you are getting close to your limit.',
  revealed: 'Keep your walk-away to yourself: share priorities and reasons, not the number you would settle for.',
  rationale: 'Give a reason with each number — your alternative, the market, what you need — so the other side can justify moving.',
  trade: 'Trade across issues: give on what matters less to you in exchange for what matters more to you.',
  default: 'Set yourself a specific target before you start, open a little above it, and hold your ground a step longer before conceding.',
};

/**
 * Named moves and mistakes with the line they happened in, and one thing to try next time, from the
 * scored party's side (transcript oriented: that party's lines are `sender_type: 'user'`).
 */
export function coach(sc: FullScenario, transcript: ChatMessage[], outcome: CoachOutcome): Coaching {
  const items: FeedbackItem[] = [];
  const mistakes: string[] = [];
  const side = ownSide(sc, 'student');
  const proposals = proposalsOf(sc, transcript);
  const { concessions, own } = concessionsOf(proposals);
  const theirs = proposals.filter((p) => p.by === 'ai');
  const mine = transcript.filter((m) => m.sender_type === 'user' && m.kind !== 'offer');
  const item = (topic: FeedbackTopic, kind: FeedbackItem['kind'], text: string, line?: ChatMessage) =>
    items.push({ topic, kind, text, ...(line ? { line: quoteOf(line, 80, sc) } : {}) });
  const terms = (p: Proposal) => describeTerms(sc, p.terms);

  // walk-away
  const agreedLine = [...transcript].reverse().find((m) => m.sender_type === 'user' && m.kind === 'offer' && m.status === 'agreed');
  switch (outcome.verdict) {
    case 'deal_worse_than_walk_away':
      item('walk-away', 'mistake', `You agreed to terms worse than your walk-away: ${outcome.worse}.`, agreedLine);
      mistakes.push('worse');
      break;
    case 'deal':
      item('walk-away', 'good', 'Your deal is better for you than walking away.', agreedLine);
      break;
    case 'refused_worse_offer':
      item('walk-away', 'good', 'You refused terms that were worse than your alternative.', theirs[theirs.length - 1]?.line);
      break;
    case 'left_zone_on_table':
      item(
        'walk-away',
        'mistake',
        `You ended without a deal although their last offer (${terms(theirs[theirs.length - 1])}) beat your walk-away.`,
        theirs[theirs.length - 1]?.line,
      );
      mistakes.push('leftZone');
      break;
    case 'walked_out_on':
      item('walk-away', 'mistake', 'The other side walked out over how the negotiation was conducted.', mine[mine.length - 1]);
      mistakes.push('walkedOut');
      break;
    default:
      item('walk-away', 'note', 'No deal was reached.');
  }

  // first offer and its ambition (the target)
  const first = proposals[0];
  const myFirst = own[0];
  if (!myFirst) {
    item('first-offer', 'mistake', 'You never put numbers of your own on the table.');
    mistakes.push('noNumbers');
  } else {
    const who = first.by === 'user' ? 'You made the first offer' : `They made the first offer (${terms(first)}); you answered`;
    const ambition = Math.round(myFirst.value * 100);
    if (myFirst.value >= 0.75)
      item('first-offer', 'good', `${who} with an ambitious proposal (${terms(myFirst)}): ${ambition} of 100 for you.`, myFirst.line);
    else if (myFirst.value >= 0.5)
      item('first-offer', 'note', `${who} with a middling proposal (${terms(myFirst)}): ${ambition} of 100 for you.`, myFirst.line);
    else {
      item(
        'first-offer',
        'mistake',
        `${who} with a modest proposal (${terms(myFirst)}): only ${ambition} of 100 for you, leaving little room to concede.`,
        myFirst.line,
      );
      mistakes.push('modest');
    }
  }

  // counter-offers: did the student answer their offers with proposals of their own?
  if (theirs.length) {
    const countered = own.filter((p) => p.seq > theirs[0].seq && p.value > theirs[0].value + 0.05);
    if (countered.length)
      item('counter-offers', 'good', `You answered their offers with counter-offers (${countered.length}).`, countered[0].line);
    else if (outcome.deal && own.length <= 1)
      item('counter-offers', 'mistake', 'You took their terms without a counter-offer of your own.', agreedLine ?? theirs[0].line);
  }

  // concessions: sizes and reciprocity
  if (concessions.length) {
    const sizes = concessions.map((c) => c.size);
    const growing = sizes.length >= 2 && sizes[sizes.length - 1] > sizes[0];
    const answered = concessions.filter((c) => c.reciprocal).length;
    // giving twice for nothing, or one big jump for nothing, teaches the other side to wait
    const unanswered = concessions.length - answered >= 2 || concessions.some((c) => !c.reciprocal && c.size >= 30);
    item(
      'concessions',
      growing || unanswered ? 'mistake' : 'good',
      `You made ${concessions.length} concession(s) of ${sizes.join(', ')} points (of 100)${growing ? ', getting bigger — that invites more pushing' : sizes.length >= 2 ? ', getting smaller' : ''}; ${answered} answered a move of theirs.`,
      concessions[concessions.length - 1].to.line,
    );
    if (unanswered) mistakes.push('unanswered');
    if (growing) mistakes.push('growing');
  }

  // rationale
  const reasoned = mine.filter((m) => RATIONALE.test(m.content) && proposals.some((p) => p.seq === m.seq));
  if (reasoned.length) item('rationale', 'good', 'You gave reasons for your numbers.', reasoned[0]);
  else if (own.length) {
    item('rationale', 'mistake', 'Your proposals came without reasons.', own[0].line);
    mistakes.push('rationale');
  }

  // questions about interests (distinct lines)
  const asked = distinct(mine.filter((m) => INTEREST_QUESTION.test(m.content) && !LIMIT_QUESTION.test(m.content)));
  if (asked.length) item('questions', 'good', `You asked ${asked.length} question(s) about what matters to them.`, asked[0]);
  else {
    item('questions', 'mistake', 'You asked no questions about their interests.');
    mistakes.push('questions');
  }

  // information: the walk-away number given away, the alternative named politely
  const limits = side.issues.filter((i) => i.walk_away !== undefined).map((i) => i.walk_away!);
  const revealed = mine.find((m) => LIMIT_WORDS.test(m.content) && numbersInText(m.content).some((n) => limits.includes(n.value)));
  if (revealed) {
    item('information', 'mistake', 'You told them your walk-away number.', revealed);
    mistakes.push('revealed');
  }
  const named = mine.find((m) => isAlternativeStatement(m.content));
  if (named) item('information', 'good', 'You named your alternative without turning it into a threat.', named);

  // how it closed
  const last = mine[mine.length - 1];
  if (last && (ABUSE.test(last.content) || isThreat(last.content))) item('close', 'mistake', 'You closed on a hostile note.', last);
  else if (outcome.deal && last && WARM_CLOSE.test(last.content)) item('close', 'good', 'You closed the deal on a warm note.', last);
  if (outcome.deal && outcome.dominated && !outcome.worse) {
    item('close', 'note', 'A different package would have been better for both of you.');
    mistakes.push('trade');
  }

  const order = [
    'worse',
    'walkedOut',
    'leftZone',
    'noNumbers',
    'revealed',
    'modest',
    'unanswered',
    'questions',
    'growing',
    'trade',
    'rationale',
  ];
  const pick = order.find((k) => mistakes.includes(k)) ?? 'default';
  return { items, next_time: TIPS[pick].replace('{walk}', walkAwayWords(side).join(', ') || 'what walking away is worth to you') };
}

function distinct(lines: ChatMessage[]): ChatMessage[] {
  const seen = new Set<string>();
  return lines.filter((m) => {
    const k = lineKey(m.content);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
