import { Terms } from '@parley/contracts';
import { ABUSE, ACCEPT_TEXT, FLEXIBLE, GREETING, INJECTION, LIMIT_QUESTION, PRIORITY, THREAT, sentencesOf } from './signals';
import { parseOfferDetails } from './text-parse';
import { IssueSpec, ScenarioPublic } from './types';

/**
 * What a student message does, by sentence: cue lexicons plus sentence structure (question form,
 * conditionals, who a remark is aimed at). One message can carry several acts. Only a proposal or an
 * acceptance may move terms.
 */
export type DialogueAct =
  | 'question'
  | 'information'
  | 'proposal'
  | 'conditional'
  | 'acceptance'
  | 'rejection'
  | 'alternative'
  | 'small_talk'
  | 'threat'
  | 'abuse'
  | 'injection'
  | 'apology';

export interface MessageActs {
  acts: Set<DialogueAct>;
  /** Issue values the student proposes (from proposal, conditional and question-with-number sentences). */
  proposal: Partial<Terms>;
  /** Issues given as a range ("90-95k"). */
  ranges: Record<string, [number, number]>;
  /** Every issue is named, or the message modifies the AI's standing offer ("that works if you add …"). */
  complete: boolean;
  /** The proposal builds on the AI's standing offer ("your offer, but with …"). */
  buildsOnAiOffer: boolean;
  /** Issues a question asks about ("what base salary did you have in mind?"). */
  askedIssues: string[];
  /** The question asks what matters to the AI. */
  asksPriorities: boolean;
  /** The question asks for the AI's limits. */
  asksLimits: boolean;
  /** The question sentences, for answering from persona facts. */
  questions: string[];
  /** Numbers in sentences about an alternative ("another seller offers …"): information, not an offer. */
  alternative: Partial<Terms>;
  /** The student says what matters to them, or where they are flexible. */
  sharesPriorities: boolean;
}

const QUESTION_START =
  /^\s*(what|why|how|when|where|which|who|whose|is|are|was|were|do|does|did|can|could|would|will|have|has|should|may|might|any)\b/i;
/** Question forms that put terms on the table ("how about …", "would you take …", "could we do …"). */
const PROPOSAL_QUESTION =
  /\b(how about|what about|would you (take|accept|do|consider|go for|agree to|be (ok|okay|happy|willing))|could (we|you) (do|go|agree|meet|settle)|can (we|you) (do|agree|meet|settle|go)|will you (take|accept|do)|(would|could|does|do|will) .{0,60}\b(work|be ok|be okay|be acceptable|be fine|do it)|are you (ok|okay|fine) with|is .{0,40}\b(ok|okay|acceptable|fine))\b/i;
const PROPOSAL_STATEMENT =
  /\b(i (can|could|would|will|'?d|'?ll) (do|offer|pay|take|accept|go|give|propose|manage|start|agree)|we (can|could|would|will|'?d|'?ll) (do|offer|pay|take|accept|go|give|propose|buy|order|manage|agree)|i (propose|offer|suggest|want|need|ask for|'?m asking|am asking)|we (propose|offer|suggest|want|need)|my (offer|proposal|counter|position|price|number) (is|would be|:)|let'?s (say|do|go with|settle)|(offer|proposal|counter)\s*:|meet (you )?(in the middle|halfway))\b/i;
const CONDITIONAL =
  /\b(if|provided( that)?|as long as|so long as|on (the )?condition|assuming|only if|in exchange for|in return for|as soon as you)\b/i;
const ALTERNATIVE =
  /\b(dealer|dealership|another (offer|seller|supplier|vendor|company|employer|buyer|car|job|one)|other (offers?|sellers?|suppliers?|vendors?|companies|employers?|buyers?|cars)|competitors?|elsewhere|somewhere else|(i|we)('ve| have) (been offered|got an offer|an offer|another)|(has|have|offers?|offering|selling|sells|listed) (one|a similar|a comparable|the same)|comparable|across town|down the road|(i|we) could (get|buy|find) .{0,30}\b(from|elsewhere|for)|quoted (us|me)|(market|going) rate)\b/i;
const REJECTION =
  /\b(no deal|(can'?t|cannot|won'?t|couldn'?t) (accept|do|agree|go|afford|pay)|too (high|low|much|expensive|little|far|steep)|not acceptable|unacceptable|(doesn'?t|does not|won'?t|will not) work|no way|not (going to|gonna) (work|happen)|(i|we) (have to|must) (decline|refuse|pass)|that'?s not (enough|good enough)|not interested)\b/i;
const NEGATED_ACCEPT = /\b(no|not|don'?t|can'?t|cannot|won'?t|never|isn'?t|wouldn'?t|unless)\b/i;
const SMALL_TALK =
  /^\s*(hi|hello|hey|good (morning|afternoon|evening)|greetings|nice to meet you|thanks?( you)?|thank you|cheers|how are you|pleasure)\b/i;
const APOLOGY = /\b(sorry|apologi[sz]e|apologies|my (bad|mistake)|excuse me|forgive me)\b/i;
const SECOND_PERSON = /\b(you|your|you'?re|yours|u|ur)\b/i;
const FIRST_PERSON = /\b(i|i'?m|i am|me|my|mine|myself|we|our|ours|us)\b/i;
/** Refers to what the AI proposed ("that works if…", "your offer, but…", "same as yours with…"). */
const BUILDS_ON_AI =
  /\b(that|this|your (offer|proposal|terms|package|number)|same (terms|package|as yours)|those terms)\b.{0,40}\b(if|but|with|plus|provided|as long as)\b/i;
const ASKS_PRIORITIES =
  /\b(what (matters|is important|'?s important|do you care|are your priorities)|which .{0,30}(matters|important|priority)|what do you (need|value|care about)|most important (to|for) you|your priorit)/i;
const INFO_CUE = /\b(because|since|for me|for us|the reason|to be honest|frankly|i (need|have|am|'?m)|we (need|have|are|'?re))\b/i;

const memo = new Map<string, MessageActs>();
const MEMO_SIZE = 2000;

/** Classifies one student message against a scenario's issues (memoized: engines re-read the transcript every turn). */
export function classifyMessage(scenario: ScenarioPublic, text: string, nowMs: number): MessageActs {
  // Dates are read relative to now, so the day is part of the key.
  const key = `${scenario.id}\u0000${Math.floor(nowMs / 86_400_000)}\u0000${text}`;
  const hit = memo.get(key);
  if (hit && memoScenario.get(scenario.id) === scenario.issues) return hit;
  memoScenario.set(scenario.id, scenario.issues);
  const acts = classify(scenario, text, nowMs);
  if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value as string);
  memo.set(key, acts);
  return acts;
}
const memoScenario = new Map<string, unknown>();

function classify(scenario: ScenarioPublic, text: string, nowMs: number): MessageActs {
  const acts = new Set<DialogueAct>();
  const proposalParts: string[] = [];
  const alternativeParts: string[] = [];
  const questions: string[] = [];
  const askedIssues = new Set<string>();
  let asksPriorities = false;
  let asksLimits = false;
  let sharesPriorities = false;
  let buildsOnAiOffer = false;
  let accepting = false;

  for (const raw of sentencesOf(text)) {
    const s = raw.trim();
    if (!s) continue;
    const numbers = Object.keys(parseOfferDetails(scenario, s, nowMs).terms).length > 0;
    const isQuestion = s.endsWith('?') || (QUESTION_START.test(s) && !/[.!]$/.test(s) && s.split(/\s+/).length < 20);
    if (INJECTION.test(s)) acts.add('injection');
    if (isAbuse(s)) acts.add('abuse');
    if (APOLOGY.test(s)) acts.add('apology');
    if (THREAT.test(s)) acts.add('threat');
    if (SMALL_TALK.test(s) || (GREETING.test(s) && !numbers)) acts.add('small_talk');
    if (ALTERNATIVE.test(s)) {
      acts.add('alternative');
      if (numbers) alternativeParts.push(s);
      continue;
    }
    if (REJECTION.test(s)) acts.add('rejection');
    const conditional = CONDITIONAL.test(s);
    if (BUILDS_ON_AI.test(s) && conditional) buildsOnAiOffer = true;
    if (isQuestion) {
      acts.add('question');
      questions.push(s);
      if (LIMIT_QUESTION.test(s)) asksLimits = true;
      if (ASKS_PRIORITIES.test(s)) asksPriorities = true;
      for (const issue of scenario.issues) if (mentions(issue, s)) askedIssues.add(issue.name);
      if (numbers) {
        // "Would you take 9,000?" proposes; "How much would 800 units cost?" proposes the part it names.
        acts.add(PROPOSAL_QUESTION.test(s) && !conditional ? 'proposal' : 'conditional');
        proposalParts.push(s);
        for (const issue of Object.keys(parseOfferDetails(scenario, s, nowMs).terms)) askedIssues.delete(issue);
      }
      continue;
    }
    if (PRIORITY.test(s) || FLEXIBLE.test(s)) {
      const names = scenario.issues.some((i) => mentions(i, s));
      if (names) sharesPriorities = true;
    }
    if (numbers) {
      acts.add(conditional ? 'conditional' : 'proposal');
      proposalParts.push(s);
      if (!conditional && !PROPOSAL_STATEMENT.test(s) && INFO_CUE.test(s) && !/\b(for|at|with)\b/.test(s)) acts.add('information');
    } else if (ACCEPT_TEXT.test(s) && !NEGATED_ACCEPT.test(s) && !conditional) {
      accepting = true;
    } else if (conditional && ACCEPT_TEXT.test(s)) {
      acts.add('conditional');
    } else if (!acts.has('small_talk') && (INFO_CUE.test(s) || PRIORITY.test(s) || FLEXIBLE.test(s))) {
      acts.add('information');
    }
  }
  if (sharesPriorities) acts.add('information');
  const parsed = parseOfferDetails(scenario, proposalParts.join(' '), nowMs);
  const proposal = parsed.terms;
  const hasProposal = Object.keys(proposal).length > 0;
  // "Deal" only when nothing else in the message changes or questions the terms.
  if (accepting && !hasProposal && !acts.has('conditional') && !acts.has('question') && !acts.has('rejection')) acts.add('acceptance');
  const complete = hasProposal && (scenario.issues.every((i) => typeof proposal[i.name] === 'number') || buildsOnAiOffer);
  return {
    acts,
    proposal,
    ranges: parsed.ranges,
    complete,
    buildsOnAiOffer: buildsOnAiOffer && hasProposal,
    askedIssues: [...askedIssues],
    asksPriorities,
    asksLimits,
    questions,
    alternative: parseOfferDetails(scenario, alternativeParts.join(' '), nowMs).terms,
    sharesPriorities,
  };
}

/** An insult aimed at the other side; a self-deprecating word ("sorry, I'm an idiot with numbers") is not one. */
function isAbuse(sentence: string): boolean {
  if (!ABUSE.test(sentence)) return false;
  if (/\b(shut up|f+u+c+k+ (you|off)|screw you)\b/i.test(sentence)) return true;
  const aimedAtYou = SECOND_PERSON.test(sentence);
  // an apology that uses a harsh word is about the speaker ("sorry, that was a silly thing to ask")
  const aboutMe = FIRST_PERSON.test(sentence) || APOLOGY.test(sentence);
  return aimedAtYou || !aboutMe;
}

function mentions(issue: IssueSpec, sentence: string): boolean {
  const s = sentence.toLowerCase();
  const words = [...(issue.keywords ?? []), ...issue.name.split('_'), ...issue.label.toLowerCase().split(/\s+/)].filter(
    (w) => w.length > 3 && !['weeks', 'week', 'days', 'dollars', 'each'].includes(w.toLowerCase()),
  );
  return words.some((w) => new RegExp(`\\b${w.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(s));
}
