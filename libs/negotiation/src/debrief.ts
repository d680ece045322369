import type { ChatMessage, NegotiationMeta, Outcome, Terms } from '@parley/contracts';
import { Coaching } from './coaching';
import { RelationshipDimension } from './relationships';
import { orient, scoreNegotiation } from './scoring';
import { FullScenario, IssueSpec } from './types';
import { bargainingZone, sideUtility } from './utility';
import { OwnSide, ownSide, Party, priorityWords, walkAwayWords } from './walk-away';
import { formatValue, personaName } from './wording';

/** A side's brief in plain words, for the debrief. */
export interface BriefView {
  role: string;
  name: string | null;
  /** "price at most $9,400" */
  walk_away: string[];
  priorities: { label: string; points: number }[];
  /** What the side knew (the other side's private facts, revealed after the end). */
  facts: string[];
  about: string | null;
}

/** One issue: the two walk-away values, the zone between them (if any) and the deal. */
export interface ZoneChart {
  kind: 'zone';
  issue: { label: string; unit?: string; min: number; max: number };
  you_accept: [number, number];
  they_accept: [number, number];
  zone: [number, number] | null;
  deal: number | null;
  labels: { your_walk_away: string; their_walk_away: string; deal: string | null };
}

/** Several issues: value to each side (0..100) of the best possible packages, the walk-aways and the deal. */
export interface FrontierChart {
  kind: 'frontier';
  frontier: { you: number; them: number }[];
  your_walk_away: number;
  their_walk_away: number;
  deal: { you: number; them: number } | null;
}

export interface Debrief {
  negotiation_id: string;
  status: Outcome['status'];
  ended: string;
  deal: { label: string; value: string }[] | null;
  you: BriefView;
  them: BriefView;
  chart: ZoneChart | FrontierChart | null;
  feedback: Coaching;
  relationships: RelationshipDimension[];
  not_applicable: string[];
}

export interface DebriefInput {
  scenario: FullScenario;
  meta: NegotiationMeta;
  outcome: Outcome;
  transcript: ChatMessage[];
  /** The viewing party ('student' in AI practice; an instructor sees the student's side). */
  party?: Party;
  /** Peer role-play: the viewing student's e-mail (their lines are the ones they sent). */
  user?: string;
}

/**
 * What a party learns after the end: both briefs (the other side's walk-away and priorities revealed),
 * the deal on a chart, and feedback with evidence. Built only from a closed negotiation's outcome —
 * the caller must not call it while the negotiation is open.
 */
export function buildDebrief(input: DebriefInput): Debrief {
  const party = input.party ?? 'student';
  const sc = orient(input.scenario, party);
  const { outcome } = input;
  const terms = outcome.deal_terms?.agreed ? outcome.deal_terms.terms : null;
  const status = outcome.status === 'failed' ? 'rejected' : outcome.status;
  const isOwnLine = input.user ? (m: ChatMessage) => m.sender === input.user : undefined;
  const score = scoreNegotiation({ scenario: input.scenario, party, terms, transcript: input.transcript, status, isOwnLine });
  const mine = ownSide(sc, 'student');
  const theirs = ownSide(sc, 'ai');
  const fullDeal = terms && sc.issues.every((i) => typeof terms[i.name] === 'number') ? terms : null;
  return {
    negotiation_id: outcome.negotiation_id,
    status: outcome.status,
    ended: endedWords(input, party),
    deal: fullDeal ? sc.issues.map((i) => ({ label: i.label, value: formatValue(i, fullDeal[i.name]) })) : null,
    you: briefOf(sc.student_role, null, mine, [], null),
    them: briefOf(
      sc.ai_role,
      party === 'student' ? personaName(sc.ai_private.persona) : null,
      theirs,
      party === 'student' ? sc.ai_private.private_facts : [],
      party === 'student' ? sc.ai_private.persona : null,
    ),
    chart: sc.issues.length === 1 ? zoneChart(sc, mine, theirs, fullDeal) : frontierChart(sc, fullDeal),
    feedback: score.feedback,
    relationships: score.relationships,
    not_applicable: score.not_applicable,
  };
}

function briefOf(role: string, name: string | null, side: OwnSide, facts: string[], about: string | null): BriefView {
  const words = walkAwayWords(side);
  return {
    role,
    name,
    walk_away: words.length ? words : ['any package worth less than walking away'],
    priorities: priorityWords(side),
    facts,
    about,
  };
}

function endedWords(input: DebriefInput, party: Party): string {
  const { outcome, transcript, meta } = input;
  if (outcome.status === 'completed') return 'You reached a deal.';
  if (outcome.status === 'expired') return 'Time ran out without a deal.';
  if (outcome.status === 'failed') return 'The deal could not be settled.';
  const me = input.user ?? (party === 'student' ? meta.parties.find((p) => p.user !== 'ai')?.user : 'ai');
  const iWalked = transcript.some((m) => m.kind === 'offer' && m.status === 'rejected' && m.sender === me);
  return iWalked ? 'You walked away.' : 'The other side walked away.';
}

/** The value of an issue where a side's walk-away sits: its limit, else the point its alternative is worth. */
function walkAwayValue(side: OwnSide, issue: IssueSpec): number {
  const i = side.issues.find((x) => x.name === issue.name)!;
  if (i.walk_away !== undefined) return i.walk_away;
  return i.worst + side.alternative * (i.best - i.worst);
}

function zoneChart(sc: FullScenario, mine: OwnSide, theirs: OwnSide, deal: Terms | null): ZoneChart {
  const issue = sc.issues[0];
  const range = (side: OwnSide): [number, number] => {
    const w = walkAwayValue(side, issue);
    const i = side.issues[0];
    return i.best >= i.worst ? [w, issue.max] : [issue.min, w];
  };
  const you = range(mine);
  const they = range(theirs);
  const lo = Math.max(you[0], they[0]);
  const hi = Math.min(you[1], they[1]);
  const d = deal ? deal[issue.name] : null;
  return {
    kind: 'zone',
    issue: { label: issue.label, ...(issue.unit !== undefined ? { unit: issue.unit } : {}), min: issue.min, max: issue.max },
    you_accept: you,
    they_accept: they,
    zone: lo <= hi ? [lo, hi] : null,
    deal: d,
    labels: {
      your_walk_away: formatValue(issue, walkAwayValue(mine, issue)),
      their_walk_away: formatValue(issue, walkAwayValue(theirs, issue)),
      deal: d === null ? null : formatValue(issue, d),
    },
  };
}

function frontierChart(sc: FullScenario, deal: Terms | null): FrontierChart | null {
  const zone = bargainingZone(sc);
  const pts = (u: number) => Math.round(u * 1000) / 10;
  // at most ~40 points: enough for a smooth line, small enough for a phone
  const step = Math.max(1, Math.ceil(zone.frontier.length / 40));
  const frontier = zone.frontier.filter((_, i) => i % step === 0 || i === zone.frontier.length - 1);
  return {
    kind: 'frontier',
    frontier: frontier.map((p) => ({ you: pts(p.student), them: pts(p.ai) })),
    your_walk_away: pts(sc.student_private.reservation_utility),
    their_walk_away: pts(sc.ai_private.reservation_utility),
    deal: deal ? { you: pts(sideUtility(sc, 'student', deal)), them: pts(sideUtility(sc, 'ai', deal)) } : null,
  };
}
