import { ChatMessage, Terms } from '@parley/contracts';
import { parseOfferFromText } from './text-parse';
import {
  ABUSE,
  COURTESY,
  DISMISSIVE,
  FLEXIBLE,
  INJECTION,
  INTEREST_QUESTION,
  LIMIT_QUESTION,
  PRIORITY,
  sentencesOf,
  THREAT,
  WARM_CLOSE,
} from './signals';
import { FullScenario, ScoreResult } from './types';
import { bargainingZone, bestDominatingJoint, direction, isDistributive, sideUtility } from './utility';
import { formatValue } from './wording';

export interface ScoreArgs {
  scenario: FullScenario;
  terms: Terms | null;
  transcript: ChatMessage[];
  status: 'completed' | 'rejected' | 'expired' | 'failed';
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const u2 = (x: number) => x.toFixed(2);

/**
 * Scores a finished negotiation from the student's side, 0..100 on each dimension, with a short
 * explanation citing the numbers. Rules are transparent so an instructor can re-check them by hand.
 */
export function scoreNegotiation(args: ScoreArgs): ScoreResult {
  const { scenario, transcript } = args;
  const deal =
    args.status === 'completed' && args.terms && scenario.issues.every((i) => typeof args.terms?.[i.name] === 'number') ? args.terms : null;
  const claiming = deal ? claimingValue(scenario, deal) : noDealClaiming(scenario, transcript);
  const creating = deal ? creatingValue(scenario, deal) : noDealCreating(scenario);
  const relations = managingRelationships(scenario, transcript);
  const w = scenario.score_weights;
  const total = w.claiming_value + w.creating_value + w.managing_relationships || 1;
  const overall = Math.round(
    (w.claiming_value * claiming.score + w.creating_value * creating.score + w.managing_relationships * relations.score) / total,
  );
  return {
    final_score: { claiming_value: claiming.score, creating_value: creating.score, managing_relationships: relations.score, overall },
    score_explanations: {
      claiming_value: claiming.why,
      creating_value: creating.why,
      managing_relationships: relations.why,
      overall: `${deal ? 'Deal reached' : 'No deal'}; weighted ${pct(w.claiming_value / total)} claiming (${claiming.score}), ${pct(w.creating_value / total)} creating (${creating.score}) and ${pct(w.managing_relationships / total)} relationships (${relations.score}) = ${overall}.`,
    },
  };
}

interface Part {
  score: number;
  why: string;
}

/**
 * Share of the bargaining range won on distributive issues: on each issue where the two sides pull in
 * opposite directions, how far the deal sits from the student's walk-away value (their limit, else
 * their worst) toward the AI's (its limit, else its worst); averaged with the student's own weights.
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
      why: `No issue was purely distributive; you took ${pct(share)} of the joint surplus over both walk-away points.`,
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

/** Joint utility gained over both walk-away points, as a share of the most the Pareto frontier allows. */
function creatingValue(sc: FullScenario, deal: Terms): Part {
  const zone = bargainingZone(sc);
  const us = sideUtility(sc, 'student', deal);
  const ua = sideUtility(sc, 'ai', deal);
  const resJoint = sc.student_private.reservation_utility + sc.ai_private.reservation_utility;
  const maxJoint = zone.maxJoint ? zone.maxJoint.student + zone.maxJoint.ai : us + ua;
  const share = maxJoint - resJoint > 1e-9 ? clamp01((us + ua - resJoint) / (maxJoint - resJoint)) : 1;
  const dominating = bestDominatingJoint(sc, deal);
  const efficiency =
    dominating > us + ua + 0.01
      ? ` A different package could have given both sides more (joint ${u2(dominating)}): look for trades between issues you value differently.`
      : ' No other package would have made both sides better off.';
  return {
    score: Math.round(share * 100),
    why: `Joint utility ${u2(us + ua)} (yours ${u2(us)}, theirs ${u2(ua)}) of a possible ${u2(maxJoint)}: the deal realised ${pct(share)} of the value available above both walk-away points.${efficiency}`,
  };
}

/** Without a deal: was walking away right? Judged against the last proposal the AI made in the chat. */
function noDealClaiming(sc: FullScenario, transcript: ChatMessage[]): Part {
  const res = sc.student_private.reservation_utility;
  const lastAi = [...transcript]
    .reverse()
    .find(
      (m) =>
        m.sender_type === 'ai' && Object.keys(parseOfferFromText(sc, m.content, Date.parse(m.timestamp) || 0)).length >= sc.issues.length,
    );
  if (!lastAi) {
    return {
      score: 10,
      why: `No agreement, and no complete proposal from the other side to compare: you keep your alternative (BATNA, worth ${u2(res)} to you) and claimed none of the bargaining zone.`,
    };
  }
  const offer = parseOfferFromText(sc, lastAi.content, Date.parse(lastAi.timestamp) || 0);
  const value = sideUtility(sc, 'student', offer);
  if (value > res + 0.02) {
    return {
      score: 10,
      why: `No agreement: you keep your alternative (BATNA, worth ${u2(res)} to you), but the other side's last proposal was worth ${u2(value)} to you, so walking away left value on the table.`,
    };
  }
  return {
    score: 35,
    why: `No agreement: the other side's last proposal was worth ${u2(value)} to you, no better than your alternative (BATNA, ${u2(res)}), so refusing it protected you, though none of the zone was claimed.`,
  };
}

function noDealCreating(sc: FullScenario): Part {
  const zone = bargainingZone(sc);
  if (!zone.exists)
    return { score: 50, why: 'No agreement, and no deal could have satisfied both sides: walking away was the efficient outcome.' };
  const resJoint = sc.student_private.reservation_utility + sc.ai_private.reservation_utility;
  const maxJoint = (zone.maxJoint?.student ?? 0) + (zone.maxJoint?.ai ?? 0);
  return {
    score: 0,
    why: `No agreement: deals existed that both sides preferred to walking away (up to ${u2(maxJoint - resJoint)} joint utility above both alternatives), and none of that value was created.`,
  };
}

/**
 * Transparent rules on the student's messages: start at 60; +4 per question about the other side's
 * interests (max +16); +4 per sentence sharing priorities (max +8); +5 per concession that answered one
 * of theirs (max +15); +2 per courteous message (max +10); −10 when three or more proposals never moved;
 * −8 per threat, −5 per dismissive remark, −20 per abusive message, −10 per attempt to manipulate the AI's
 * instructions; ±6 for a warm or hostile last message.
 */
function managingRelationships(sc: FullScenario, transcript: ChatMessage[]): Part {
  const user = transcript.filter((m) => m.sender_type === 'user');
  if (!user.length) return { score: 50, why: 'You sent no messages, so there was no relationship to manage (neutral 50).' };
  const notes: string[] = [];
  let score = 60;
  const add = (points: number, note: string) => {
    if (points === 0) return;
    score += points;
    notes.push(`${points > 0 ? '+' : '−'}${Math.abs(points)} ${note}`);
  };
  const count = (re: RegExp) => user.filter((m) => re.test(m.content));
  const quote = (m: ChatMessage | undefined) => (m ? ` ("${m.content.slice(0, 40)}${m.content.length > 40 ? '…' : ''}")` : '');

  const questions = user.filter((m) => INTEREST_QUESTION.test(m.content) && !LIMIT_QUESTION.test(m.content)).length;
  add(Math.min(16, 4 * questions), `for ${questions} question(s) about their side`);
  const keywords = sc.issues.map((i) => [...(i.keywords ?? []), i.label.toLowerCase(), ...i.name.split('_')].filter((w) => w.length > 2));
  const sharing = user
    .flatMap((m) => sentencesOf(m.content.toLowerCase()))
    .filter(
      (s) => !s.trim().endsWith('?') && (PRIORITY.test(s) || FLEXIBLE.test(s)) && keywords.some((ks) => ks.some((k) => s.includes(k))),
    ).length;
  add(Math.min(8, 4 * sharing), `for ${sharing} sentence(s) sharing your priorities`);

  const { reciprocated, proposals, concessions } = concessionPattern(sc, transcript);
  add(Math.min(15, 5 * reciprocated), `for ${reciprocated} concession(s) answering theirs`);
  if (proposals >= 3 && concessions === 0) add(-10, `for ${proposals} proposals that never moved`);
  const courteous = count(COURTESY).length;
  add(Math.min(10, 2 * courteous), `for ${courteous} courteous message(s)`);

  let negative = 0;
  const threats = count(THREAT);
  const dismissive = count(DISMISSIVE);
  const abusive = count(ABUSE);
  const injections = count(INJECTION);
  const penalty = (n: number, each: number) => Math.min(60 - negative, n * each);
  let p = penalty(threats.length, 8);
  negative += p;
  add(-p, `for ${threats.length} threat(s)${quote(threats[0])}`);
  p = penalty(dismissive.length, 5);
  negative += p;
  add(-p, `for ${dismissive.length} dismissive remark(s)${quote(dismissive[0])}`);
  p = penalty(abusive.length, 20);
  negative += p;
  add(-p, `for ${abusive.length} abusive message(s)`);
  p = penalty(injections.length, 10);
  negative += p;
  add(-p, `for ${injections.length} attempt(s) to override the counterpart's instructions`);

  const last = user[user.length - 1].content;
  if (ABUSE.test(last) || THREAT.test(last) || DISMISSIVE.test(last)) add(-6, 'for a hostile last message');
  else if (WARM_CLOSE.test(last)) add(6, 'for a warm close');

  const final = Math.round(Math.min(100, Math.max(0, score)));
  return { score: final, why: `Started at 60: ${notes.length ? notes.join('; ') : 'no signals either way'} = ${final}.` };
}

/**
 * The student's proposals in the chat and the AI's, in order; a student concession (their own utility
 * drops) counts as reciprocal when the AI's proposal just before it had improved for the student.
 */
function concessionPattern(sc: FullScenario, transcript: ChatMessage[]): { reciprocated: number; proposals: number; concessions: number } {
  let lastStudent: number | null = null;
  let lastAi: number | null = null;
  let aiConceded = false;
  let reciprocated = 0;
  let proposals = 0;
  let concessions = 0;
  for (const m of transcript) {
    const offer = parseOfferFromText(sc, m.content, Date.parse(m.timestamp) || 0);
    if (!Object.keys(offer).length) continue;
    if (m.sender_type === 'ai') {
      if (Object.keys(offer).length < sc.issues.length) continue;
      const u = sideUtility(sc, 'student', offer);
      aiConceded = lastAi !== null && u > lastAi + 0.005;
      lastAi = u;
      continue;
    }
    // A partial proposal is judged on the issues it names, the rest taken from the AI's last proposal.
    const u = partialUtility(sc, offer);
    proposals++;
    if (lastStudent !== null && u < lastStudent - 0.005) {
      concessions++;
      if (aiConceded) reciprocated++;
      aiConceded = false;
    }
    lastStudent = u;
  }
  return { reciprocated, proposals, concessions };
}

/** The student's utility over the issues named, normalised by their weights. */
function partialUtility(sc: FullScenario, offer: Partial<Terms>): number {
  let total = 0;
  let weight = 0;
  for (const issue of sc.issues) {
    const v = offer[issue.name];
    if (typeof v !== 'number') continue;
    const p = sc.student_private.prefs[issue.name];
    weight += p.weight;
    total += p.weight * clamp01((direction(p) * (v - p.worst)) / Math.abs(p.best - p.worst));
  }
  return weight ? total / weight : 0;
}
