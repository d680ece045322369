import { ChatMessage, FinalScore, Terms } from '@parley/contracts';
import { coach, Coaching } from './coaching';
import { concessionsOf, proposalsOf, quoteOf } from './moves';
import { relationshipScore, RelationshipDimension } from './relationships';
import { ABUSE } from './signals';
import { FullScenario, ScoreResult } from './types';
import { bargainingZone, bestDominatingJoint, isDistributive, sideUtility } from './utility';
import { NOT_APPLICABLE, ownSide, Party, worseThanWalkAway } from './walk-away';
import { describeTerms, formatValue } from './wording';

export interface ScoreArgs {
  scenario: FullScenario;
  terms: Terms | null;
  transcript: ChatMessage[];
  status: 'completed' | 'rejected' | 'expired' | 'failed';
  /**
   * Whose score, from that party's own brief: 'student' (AI practice, the default) or 'ai' (the other
   * brief of the scenario, e.g. the second student of a peer role-play). `isOwnLine` tells that party's
   * lines (default: by sender_type).
   */
  party?: Party;
  isOwnLine?: (m: ChatMessage) => boolean;
}

/** How a negotiation ended, judged against the scored party's walk-away. */
export type Verdict =
  'deal' | 'deal_worse_than_walk_away' | 'refused_worse_offer' | 'left_zone_on_table' | 'walked_out_on' | 'no_zone' | 'no_offer';

export interface DetailedScore extends ScoreResult {
  verdict: Verdict;
  /** Dimensions that do not apply (their number is 0 and left out of overall; the explanation starts with NOT_APPLICABLE). */
  not_applicable: (keyof FinalScore)[];
  relationships: RelationshipDimension[];
  feedback: Coaching;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * Scores a finished negotiation from one party's side, 0..100 on each dimension, with a plain
 * explanation. Everything is anchored to that party's walk-away: a deal worse than it claims nothing
 * and scores overall below refusing; a no-deal tells a good refusal from value left on the table and
 * from being walked out on. Rules are transparent so an instructor can re-check them by hand.
 */
export function scoreNegotiation(args: ScoreArgs): DetailedScore {
  const party = args.party ?? 'student';
  const scenario = orient(args.scenario, party);
  const own = args.isOwnLine ?? ((m: ChatMessage) => m.sender_type === (party === 'student' ? 'user' : 'ai'));
  const transcript = args.transcript.map((m) => ({ ...m, sender_type: own(m) ? ('user' as const) : ('ai' as const) }));

  const deal =
    args.status === 'completed' && args.terms && scenario.issues.every((i) => typeof args.terms?.[i.name] === 'number') ? args.terms : null;
  const relations = relationshipScore(scenario, transcript);
  const joint = jointGainPossible(scenario);
  const worse = deal ? worseThanWalkAway(ownSide(scenario, 'student'), deal) : null;
  const ending = deal ? null : noDeal(scenario, transcript, args.status, relations.hostile);
  const verdict: Verdict = deal ? (worse ? 'deal_worse_than_walk_away' : 'deal') : ending!.verdict;

  const claiming: Part = deal
    ? worse
      ? {
          score: 0,
          why: `This deal is worse than your walk-away (${worse}): you would have done better with no deal, so none of the bargaining range counts as claimed.`,
        }
      : claimingValue(scenario, deal)
    : ending!.claiming;
  const creating: Part | null = !joint.possible
    ? null
    : deal
      ? worse
        ? { score: 0, why: 'A deal worse than your walk-away creates no value for you, whatever it gives the other side.' }
        : creatingValue(scenario, deal)
      : {
          score: 0,
          why: 'No agreement: packages existed that both sides preferred to walking away, and none of that value was created.',
        };

  const w = scenario.score_weights;
  const { weighted, overall, total } = overallOf(scenario, claiming.score, creating?.score ?? null, relations.score, !!worse);
  const recipe = [
    `${pct(w.claiming_value / total)} claiming (${claiming.score})`,
    creating ? `${pct(w.creating_value / total)} creating (${creating.score})` : null,
    `${pct(w.managing_relationships / total)} relationships (${relations.score})`,
  ]
    .filter(Boolean)
    .join(', ');
  const head = deal ? (worse ? 'Deal reached, but worse than your walk-away' : 'Deal reached') : ending!.headline;
  const overallWhy = worse
    ? `${head}; weighted ${recipe} = ${weighted}, halved to ${overall} because agreeing left you worse off than walking away would have.`
    : `${head}; weighted ${recipe} = ${overall}${creating ? '' : ' (creating value does not apply here)'}.`;

  const final_score: FinalScore = {
    claiming_value: claiming.score,
    creating_value: creating?.score ?? 0,
    managing_relationships: relations.score,
    overall,
  };
  return {
    final_score,
    score_explanations: {
      claiming_value: claiming.why,
      creating_value: creating ? creating.why : `${NOT_APPLICABLE} ${joint.why}`,
      managing_relationships: relations.why,
      overall: overallWhy,
    },
    verdict,
    not_applicable: creating ? [] : ['creating_value'],
    relationships: relations.dimensions,
    feedback: coach(scenario, transcript, { deal, verdict, worse, dominated: deal && creating ? creatingGap(scenario, deal) : false }),
  };
}

interface Part {
  score: number;
  why: string;
}

/**
 * Overall: the scenario's weights over the dimensions that apply (creating null = does not apply);
 * a deal worse than the walk-away is halved, so it always scores below refusing it would have.
 */
export function overallOf(
  sc: FullScenario,
  claiming: number,
  creating: number | null,
  relationships: number,
  worseThanWalkAway: boolean,
): { weighted: number; overall: number; total: number } {
  const w = sc.score_weights;
  const parts: [number, number][] = [
    [w.claiming_value, claiming],
    [creating === null ? 0 : w.creating_value, creating ?? 0],
    [w.managing_relationships, relationships],
  ];
  const total = parts.reduce((t, [wt]) => t + wt, 0) || 1;
  const weighted = Math.round(parts.reduce((t, [wt, s]) => t + wt * s, 0) / total);
  return { weighted, overall: worseThanWalkAway ? Math.floor(weighted / 2) : weighted, total };
}

/** The scenario seen from `party`: its own brief in `student_private`, the other side's in `ai_private`. */
export function orient(sc: FullScenario, party: Party): FullScenario {
  if (party === 'student') return sc;
  return {
    ...sc,
    student_role: sc.ai_role,
    ai_role: sc.student_role,
    student_private: { prefs: sc.ai_private.prefs, reservation_utility: sc.ai_private.reservation_utility },
    ai_private: { ...sc.ai_private, prefs: sc.student_private.prefs, reservation_utility: sc.student_private.reservation_utility },
  };
}

/** Joint gain is possible only when some acceptable package is worth more to both together than another. */
export function jointGainPossible(sc: FullScenario): { possible: boolean; why: string } {
  const zone = bargainingZone(sc);
  if (!zone.exists)
    return { possible: false, why: 'no deal could have beaten both sides’ alternatives, so there was no joint value to create.' };
  const sums = zone.frontier.map((p) => p.student + p.ai);
  if (Math.max(...sums) - Math.min(...sums) < 0.02) {
    return {
      possible: false,
      why:
        sc.issues.length === 1
          ? 'with a single issue, every bit one side gains the other loses, so no joint value can be created.'
          : 'every deal splits the same total between the two sides, so no joint value can be created.',
    };
  }
  return { possible: true, why: '' };
}

/**
 * Share of the bargaining range won on distributive issues: on each issue where the two sides pull in
 * opposite directions, how far the deal sits from the party's walk-away value (its limit, else its
 * worst) toward the other side's; averaged with the party's own weights.
 */
function claimingValue(sc: FullScenario, deal: Terms): Part {
  const rows: { label: string; share: number; value: string; weight: number }[] = [];
  for (const issue of sc.issues) {
    if (!isDistributive(sc, issue.name)) continue;
    const s = sc.student_private.prefs[issue.name];
    const a = sc.ai_private.prefs[issue.name];
    const studentEnd = s.limit ?? s.worst;
    const aiEnd = a.limit ?? a.worst;
    if (studentEnd === aiEnd) continue;
    rows.push({
      label: issue.label.toLowerCase(),
      share: clamp01((deal[issue.name] - studentEnd) / (aiEnd - studentEnd)),
      value: formatValue(issue, deal[issue.name]),
      weight: s.weight,
    });
  }
  if (!rows.length) {
    const us = sideUtility(sc, 'student', deal) - sc.student_private.reservation_utility;
    const ua = sideUtility(sc, 'ai', deal) - sc.ai_private.reservation_utility;
    const share = us + ua > 0 ? clamp01(us / (us + ua)) : 0;
    return {
      score: Math.round(share * 100),
      why: `No issue was purely a tug of war; of what both sides gained over walking away, you took ${pct(share)}.`,
    };
  }
  const weight = rows.reduce((t, r) => t + r.weight, 0) || 1;
  const share = rows.reduce((t, r) => t + r.weight * r.share, 0) / weight;
  const detail = rows.map((r) => `${r.label} ${r.value} (${pct(r.share)})`).join(', ');
  return {
    score: Math.round(share * 100),
    why: `On the issues where your interests were opposed you won ${pct(share)} of the range from your walk-away toward the other side's, weighted by your priorities: ${detail}.`,
  };
}

/** Value gained by both sides over walking away, as a share of the most the best possible packages allow. */
function creatingValue(sc: FullScenario, deal: Terms): Part {
  const zone = bargainingZone(sc);
  const us = sideUtility(sc, 'student', deal);
  const ua = sideUtility(sc, 'ai', deal);
  const resJoint = sc.student_private.reservation_utility + sc.ai_private.reservation_utility;
  const maxJoint = zone.maxJoint ? zone.maxJoint.student + zone.maxJoint.ai : us + ua;
  const share = maxJoint - resJoint > 1e-9 ? clamp01((us + ua - resJoint) / (maxJoint - resJoint)) : 1;
  const efficiency = creatingGap(sc, deal)
    ? ' A different package could have given both sides more: look for trades between issues you value differently.'
    : ' No other package would have made both sides better off.';
  return {
    score: Math.round(share * 100),
    why: `Together, the deal realised ${pct(share)} of the value both sides could have gained over walking away.${efficiency}`,
  };
}

function creatingGap(sc: FullScenario, deal: Terms): boolean {
  return bestDominatingJoint(sc, deal) > sideUtility(sc, 'student', deal) + sideUtility(sc, 'ai', deal) + 0.01;
}

interface Ending {
  verdict: Verdict;
  headline: string;
  claiming: Part;
}

/**
 * Without a deal, three stories: the other side walked out over the party's behaviour (nothing
 * claimed), their last offer beat the party's walk-away (value left on the table), or it did not
 * (refusing protected the party: half marks, since no share of a deal was won).
 */
function noDeal(sc: FullScenario, transcript: ChatMessage[], status: ScoreArgs['status'], hostile: number): Ending {
  const side = ownSide(sc, 'student');
  const proposals = proposalsOf(sc, transcript);
  const youWalked = transcript.some((m) => m.sender_type === 'user' && m.kind === 'offer' && m.status === 'rejected');
  const extreme = concessionsOf(proposals).own.filter((p) => p.valueToThem <= 0.02);
  const abusive = transcript.filter((m) => m.sender_type === 'user' && m.kind !== 'offer' && ABUSE.test(m.content));
  if (status === 'rejected' && !youWalked && (abusive.length > 0 || hostile >= 2 || extreme.length > 0)) {
    const cause = abusive[0] ?? extreme[0]?.line ?? transcript.filter((m) => m.sender_type === 'user').pop();
    const q = cause ? ` (line ${quoteOf(cause).seq}: "${quoteOf(cause, 60).quote}")` : '';
    return {
      verdict: 'walked_out_on',
      headline: 'No deal: the other side walked out over your behaviour',
      claiming: {
        score: 0,
        why: `No agreement: the other side walked out over how you negotiated${q}. You keep your alternative, but lost any chance of a deal, so nothing was claimed.`,
      },
    };
  }
  const lastTheirs = [...proposals].reverse().find((p) => p.by === 'ai');
  if (lastTheirs) {
    const offer = lastTheirs.terms as Terms;
    const why = worseThanWalkAway(side, offer);
    if (!why && sideUtility(sc, 'student', offer) > sc.student_private.reservation_utility + 0.02) {
      return {
        verdict: 'left_zone_on_table',
        headline: 'No deal, though their last offer beat your walk-away',
        claiming: {
          score: 10,
          why: `No agreement, but the other side's last offer (${describeTerms(sc, offer)}) was better for you than walking away, so ending without a deal left value on the table.`,
        },
      };
    }
    return {
      verdict: 'refused_worse_offer',
      headline: 'No deal: you refused an offer worse than your alternative',
      claiming: {
        score: 50,
        why: `No agreement: the other side's last offer (${describeTerms(sc, offer)}) was worse for you than walking away (${why ?? 'it was worth no more to you than your alternative'}), so refusing it protected you. No share of a deal was won, so this is half marks.`,
      },
    };
  }
  if (!bargainingZone(sc).exists) {
    return {
      verdict: 'no_zone',
      headline: 'No deal, and none was possible',
      claiming: {
        score: 50,
        why: 'No agreement, and no deal could have beaten both sides’ alternatives: keeping yours was right (half marks, as nothing was won).',
      },
    };
  }
  return {
    verdict: 'no_offer',
    headline: 'No deal',
    claiming: {
      score: 10,
      why: 'No agreement and no complete offer from the other side to compare, although a deal better than walking away was possible for both: that range was left on the table.',
    },
  };
}

/** Which brief of the scenario a role plays: the student's or the other one (the AI's, or a second student's). */
export function partyForRole(sc: FullScenario, role: string): Party | null {
  return role === sc.student_role ? 'student' : role === sc.ai_role ? 'ai' : null;
}

/**
 * Every human party scored from its own brief (peer role-play: both seats are students; AI practice:
 * one). A party's lines are those it sent.
 */
export function scoreParties(
  args: Omit<ScoreArgs, 'party' | 'isOwnLine'>,
  parties: { user: string; role: string }[],
): Record<string, DetailedScore> {
  const out: Record<string, DetailedScore> = {};
  for (const p of parties) {
    const party = p.user === 'ai' ? null : partyForRole(args.scenario, p.role);
    if (party) out[p.user] = scoreNegotiation({ ...args, party, isOwnLine: (m) => m.sender === p.user });
  }
  return out;
}
