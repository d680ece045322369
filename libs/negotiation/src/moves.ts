import type { ChatMessage, Terms } from '@parley/contracts';
import { parseOfferFromText } from './text-parse';
import { FullScenario } from './types';
import { direction } from './utility';
import { describeTerms } from './wording';

/**
 * The negotiation as a sequence of proposals, read from the transcript as the scorer sees it: the
 * scored party's lines are `sender_type: 'user'`, the other side's `'ai'` (scoring.ts orients them).
 */
export interface Proposal {
  seq: number;
  by: 'user' | 'ai';
  terms: Partial<Terms>;
  /** 0..1 for the scored party, over the issues named. */
  value: number;
  /** 0..1 for the other side, over the issues named. */
  valueToThem: number;
  line: ChatMessage;
}

export function proposalsOf(sc: FullScenario, transcript: ChatMessage[]): Proposal[] {
  const out: Proposal[] = [];
  for (const m of transcript) {
    if (m.kind === 'offer' && m.status === 'rejected') continue;
    const terms = m.kind === 'offer' && m.terms ? m.terms : parseOfferFromText(sc, m.content, Date.parse(m.timestamp) || 0);
    if (!Object.keys(terms).length) continue;
    // the other side's proposals count only when complete: a number in passing is not an offer
    if (m.sender_type === 'ai' && Object.keys(terms).length < sc.issues.length) continue;
    out.push({
      seq: m.seq,
      by: m.sender_type,
      terms,
      value: partialValue(sc.student_private.prefs, sc, terms),
      valueToThem: partialValue(sc.ai_private.prefs, sc, terms),
      line: m,
    });
  }
  return out;
}

/** Value over the issues named, normalised by their weights. */
export function partialValue(prefs: FullScenario['student_private']['prefs'], sc: FullScenario, offer: Partial<Terms>): number {
  let total = 0;
  let weight = 0;
  for (const issue of sc.issues) {
    const v = offer[issue.name];
    const p = prefs[issue.name];
    if (typeof v !== 'number' || !p) continue;
    weight += p.weight;
    total += p.weight * Math.min(1, Math.max(0, (direction(p) * (v - p.worst)) / Math.abs(p.best - p.worst)));
  }
  return weight ? total / weight : 0;
}

export interface Concession {
  from: Proposal;
  to: Proposal;
  /** Points of the scored party's value (0..100) given up. */
  size: number;
  /** The other side had just moved toward the scored party before this concession. */
  reciprocal: boolean;
}

/**
 * The scored party's concessions (its own value drops between two of its proposals); one counts as
 * reciprocal when the other side's proposal just before it had improved for the scored party.
 */
export function concessionsOf(proposals: Proposal[]): { concessions: Concession[]; own: Proposal[] } {
  let lastOwn: Proposal | null = null;
  let lastTheirs: number | null = null;
  let theyMoved = false;
  const concessions: Concession[] = [];
  const own: Proposal[] = [];
  for (const p of proposals) {
    if (p.by === 'ai') {
      theyMoved = lastTheirs !== null && p.value > lastTheirs + 0.005;
      lastTheirs = p.value;
      continue;
    }
    own.push(p);
    if (lastOwn && p.value < lastOwn.value - 0.005) {
      concessions.push({ from: lastOwn, to: p, size: Math.round((lastOwn.value - p.value) * 100), reciprocal: theyMoved });
      theyMoved = false;
    }
    lastOwn = p;
  }
  return { concessions, own };
}

/** A line as evidence: its number and its first words (an offer made with the panel, in words with units). */
export function quoteOf(m: ChatMessage, max = 80, sc?: FullScenario): { seq: number; quote: string } {
  const offer = sc && m.kind === 'offer' && m.terms ? describeTerms(sc, m.terms) : null;
  const said = offer ? `${m.status === 'agreed' ? 'Agreed to' : 'Proposed'} ${offer}` : m.content;
  const text = said.replace(/\s+/g, ' ').trim();
  return { seq: m.seq, quote: text.length > max ? `${text.slice(0, max - 1)}…` : text };
}

/** A line reduced to its words, so a pasted or lightly edited repeat is recognised as the same line. */
export const lineKey = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
