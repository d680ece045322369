import type { ChatMessage } from '@parley/contracts';
import { concessionsOf, lineKey, proposalsOf, quoteOf } from './moves';
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
import { FullScenario } from './types';

export type DimensionKey = 'courtesy' | 'interests' | 'information' | 'reciprocity' | 'conduct';

export interface Evidence {
  seq: number;
  quote: string;
}

/** One behaviour the relationship score is made of, with the points it moved and the lines that moved them. */
export interface RelationshipDimension {
  key: DimensionKey;
  label: string;
  points: number;
  summary: string;
  evidence: Evidence[];
}

export interface RelationshipScore {
  score: number;
  why: string;
  dimensions: RelationshipDimension[];
  /** Lines the rules read as threats or abuse (the LLM rubric is checked against them). */
  hostile: number;
}

/** Pressure that is an ultimatum whatever the wording around it. */
const ULTIMATUM =
  /\b(or else|take it or leave it|last chance|you'?ll regret|final warning|ultimatum|i'?ll (report|sue|tell everyone|leave a bad review))\b/i;
/** Naming an alternative or a limit: what one does without a deal. */
const ALTERNATIVE =
  /\b(walk(ing)? away|look elsewhere|go elsewhere|pass on (this|it)|(an|my) other (offer|option)|another (offer|option|dealer|seller|buyer|supplier|employer|candidate)|my alternative|(a|my) better (offer|option)|my (limit|budget|maximum|minimum))\b/i;
const CONDITIONAL = /\b(if|unless|otherwise|can'?t|cannot|won'?t be able)\b/i;

/**
 * A statement of one's alternative or limit, made politely ("if we can't get there I'll have to walk
 * away"): courses teach it as a move, so it is information shared, not a threat.
 */
export function isAlternativeStatement(text: string): boolean {
  return ALTERNATIVE.test(text) && CONDITIONAL.test(text) && !ULTIMATUM.test(text) && !ABUSE.test(text) && !DISMISSIVE.test(text);
}

export function isThreat(text: string): boolean {
  return (THREAT.test(text) || ULTIMATUM.test(text)) && !isAlternativeStatement(text);
}

/**
 * Transparent rules on the scored party's own chat lines, each distinct line counted once (a pasted
 * line earns nothing the second time, and repeating oneself costs a little). Start at 60; courtesy +2
 * per courteous line (max +10) and ±6 for a warm or hostile close; +4 per question about the other
 * side's interests (max +16); +4 per sentence sharing priorities or naming one's alternative politely
 * (max +8); +5 per concession answering one of theirs (max +15), −10 when three or more proposals never
 * moved, −2 per repeated line (max −10); −8 per threat, −5 per dismissive remark, −20 per abusive line,
 * −10 per attempt to override the counterpart's instructions (together at most −60).
 */
export function relationshipScore(sc: FullScenario, transcript: ChatMessage[]): RelationshipScore {
  const all = transcript.filter((m) => m.sender_type === 'user' && m.kind !== 'offer');
  const seen = new Set<string>();
  const lines: ChatMessage[] = [];
  let repeats = 0;
  for (const m of all) {
    const key = lineKey(m.content);
    if (!key) continue;
    if (seen.has(key)) repeats++;
    else {
      seen.add(key);
      lines.push(m);
    }
  }
  const proposals = proposalsOf(sc, transcript);
  const { concessions, own } = concessionsOf(proposals);
  if (!all.length && !own.length) {
    return { score: 50, why: 'You sent no messages, so there was no relationship to manage (neutral 50).', dimensions: [], hostile: 0 };
  }

  const notes: string[] = [];
  const dims: RelationshipDimension[] = [];
  const dim = (key: DimensionKey, label: string) => {
    const d: RelationshipDimension = { key, label, points: 0, summary: '', evidence: [] };
    dims.push(d);
    return d;
  };
  const add = (d: RelationshipDimension, points: number, note: string, evidence: ChatMessage[] = []) => {
    if (points === 0) return;
    d.points += points;
    notes.push(`${points > 0 ? '+' : '−'}${Math.abs(points)} ${note}`);
    for (const m of evidence) if (d.evidence.length < 3 && !d.evidence.some((e) => e.seq === m.seq)) d.evidence.push(quoteOf(m, 80, sc));
  };
  const short = (m: ChatMessage | undefined) => (m ? ` ("${m.content.slice(0, 40)}${m.content.length > 40 ? '…' : ''}")` : '');
  const matching = (re: RegExp) => lines.filter((m) => re.test(m.content));

  const courtesy = dim('courtesy', 'Courtesy');
  const courteous = matching(COURTESY);
  add(courtesy, Math.min(10, 2 * courteous.length), `for ${courteous.length} courteous message(s)`, courteous);

  const interests = dim('interests', 'Questions about their interests');
  const questions = lines.filter((m) => INTEREST_QUESTION.test(m.content) && !LIMIT_QUESTION.test(m.content));
  add(interests, Math.min(16, 4 * questions.length), `for ${questions.length} question(s) about their side`, questions);

  const information = dim('information', 'Information shared');
  const keywords = sc.issues.map((i) => [...(i.keywords ?? []), i.label.toLowerCase(), ...i.name.split('_')].filter((w) => w.length > 2));
  const sharing: ChatMessage[] = [];
  let shared = 0;
  for (const m of lines) {
    const n = sentencesOf(m.content.toLowerCase()).filter(
      (s) =>
        !s.trim().endsWith('?') &&
        ((PRIORITY.test(s) || FLEXIBLE.test(s)) && keywords.some((ks) => ks.some((k) => s.includes(k))) ? true : isAlternativeStatement(s)),
    ).length;
    if (n) sharing.push(m);
    shared += n;
  }
  add(information, Math.min(8, 4 * shared), `for ${shared} sentence(s) sharing your priorities or your alternative`, sharing);

  const reciprocity = dim('reciprocity', 'Reciprocity');
  const answered = concessions.filter((c) => c.reciprocal);
  add(
    reciprocity,
    Math.min(15, 5 * answered.length),
    `for ${answered.length} concession(s) answering theirs`,
    answered.map((c) => c.to.line),
  );
  if (own.length >= 3 && concessions.length === 0)
    add(
      reciprocity,
      -10,
      `for ${own.length} proposals that never moved`,
      own.slice(-2).map((p) => p.line),
    );
  const repeated = all.filter((m, i) => all.findIndex((x) => lineKey(x.content) === lineKey(m.content)) !== i);
  add(reciprocity, -Math.min(10, 2 * repeats), `for repeating ${repeats} line(s) instead of answering`, repeated.slice(0, 1));

  const conduct = dim('conduct', 'Threats and abuse');
  let negative = 0;
  const penalty = (n: number, each: number) => {
    const p = Math.min(60 - negative, n * each);
    negative += p;
    return -p;
  };
  const threats = lines.filter((m) => isThreat(m.content));
  const dismissive = matching(DISMISSIVE);
  const abusive = matching(ABUSE);
  const injections = matching(INJECTION);
  add(conduct, penalty(threats.length, 8), `for ${threats.length} threat(s)${short(threats[0])}`, threats);
  add(conduct, penalty(dismissive.length, 5), `for ${dismissive.length} dismissive remark(s)${short(dismissive[0])}`, dismissive);
  add(conduct, penalty(abusive.length, 20), `for ${abusive.length} abusive message(s)`, abusive);
  add(
    conduct,
    penalty(injections.length, 10),
    `for ${injections.length} attempt(s) to override the counterpart's instructions`,
    injections,
  );

  const lastLine = all[all.length - 1];
  if (lastLine) {
    const last = lastLine.content;
    if (ABUSE.test(last) || isThreat(last) || DISMISSIVE.test(last)) add(conduct, -6, 'for a hostile last message', [lastLine]);
    else if (WARM_CLOSE.test(last)) add(courtesy, 6, 'for a warm close', [lastLine]);
  }

  for (const d of dims) d.summary = summaryOf(d);
  const score = Math.round(Math.min(100, Math.max(0, 60 + dims.reduce((t, d) => t + d.points, 0))));
  return {
    score,
    why: `Started at 60: ${notes.length ? notes.join('; ') : 'no signals either way'} = ${score}.`,
    dimensions: dims,
    hostile: threats.length + abusive.length,
  };
}

function summaryOf(d: RelationshipDimension): string {
  const sign = d.points > 0 ? `+${d.points}` : d.points < 0 ? `−${Math.abs(d.points)}` : '0';
  const plain: Record<DimensionKey, [string, string, string]> = {
    courtesy: ['Courteous and warm.', 'No courtesy either way.', 'Cold or hostile.'],
    interests: ['You asked about what matters to them.', 'You asked nothing about their interests.', ''],
    information: ['You shared what matters to you.', 'You shared nothing about your priorities.', ''],
    reciprocity: [
      'You answered their moves with moves of your own.',
      'No give and take either way.',
      'You did not move, or repeated yourself.',
    ],
    conduct: ['', 'No threats, insults or tricks.', 'Threats, insults or attempts to trick the other side.'],
  };
  const [up, flat, down] = plain[d.key];
  return `${d.points > 0 ? up : d.points < 0 ? down : flat} (${sign})`;
}
