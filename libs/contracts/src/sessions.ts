import type { NegotiationStatus, Terms } from './domain';

/** A class run (docs/SESSIONS.md). Written by its instructor's requests only. */
export type SessionMode = 'ai' | 'peer' | 'market';
export type PairingRule = 'random' | 'column' | 'manual';

/** sessions/<session_id>/session.json */
export interface Session {
  id: string;
  /** Six characters from JOIN_CODE_ALPHABET. */
  code: string;
  title: string;
  mode: SessionMode;
  scenario_ids: string[];
  /** Market mode: the market design the session trades under (filled by the market mode). */
  market_design_id?: string;
  round_seconds: number;
  pairing: PairingRule;
  /** pairing 'column': the roster column whose equal values pair students (e.g. "group"). */
  pairing_column?: string;
  start_when_all_joined: boolean;
  /** With start_when_all_joined: the head count that starts round 1 (the roster size). */
  expected_members?: number;
  instructor: string;
  created_at: number;
}

/** sessions/<session_id>/members/<email>.json, written by that student's join (or the roster import). */
export interface SessionMember {
  email: string;
  name: string;
  joined_at: number;
  /** Roster columns (e.g. group) for pairing 'column'. */
  columns?: Record<string, string>;
}

/** The other seat of a pair: a student's e-mail, or 'ai' when the head count is odd. */
export interface RoundPair {
  a: string;
  b: string;
  scenario_id: string;
  roles: { a: string; b: string };
  negotiation_id: string;
}

/** sessions/<session_id>/rounds/<n>.json, created once by the instructor's request. */
export interface Round {
  n: number;
  started_at: number;
  /** Unix ms: students count down to it; the round-end job runs then. */
  ends_at: number;
  pairs: RoundPair[];
}

/** sessions/<session_id>/rounds/<n>.end.json, created once by whoever ends the round first. */
export interface RoundEnd {
  n: number;
  ended_at: number;
  by: 'instructor' | 'time';
}

export type MemberState = 'waiting' | 'negotiating' | 'done';

/** GET /api/sessions/:id/live and the `session-update` payload. */
export interface LiveView {
  session_id: string;
  members: { email: string; name: string; state: MemberState; negotiation_id?: string; partner?: string; role?: string }[];
  deals: number;
  no_deals: number;
  round: (Round & { ended_at?: number }) | null;
}

/** One row of the per-session debrief: a negotiation of the round, from both seats. */
export interface DebriefDeal {
  negotiation_id: string;
  /** Names, or "Student 1" … with anonymise. */
  a: string;
  b: string;
  status: NegotiationStatus;
  terms: Terms | null;
  /** Utility 0..100 of role A (the scenario's first role) and of role B. */
  x: number | null;
  y: number | null;
}

/** `session-update` to the session room (students too): no e-mails, pairs or negotiation ids of others. */
export interface SessionSummary {
  session_id: string;
  title: string;
  members: { name: string; state: MemberState }[];
  deals: number;
  no_deals: number;
  round: { n: number; started_at: number; ends_at: number; ended_at?: number } | null;
}

export function sessionSummary(title: string, live: LiveView): SessionSummary {
  const r = live.round;
  return {
    session_id: live.session_id,
    title,
    members: live.members.map((m) => ({ name: m.name, state: m.state })),
    deals: live.deals,
    no_deals: live.no_deals,
    round: r ? { n: r.n, started_at: r.started_at, ends_at: r.ends_at, ...(r.ended_at ? { ended_at: r.ended_at } : {}) } : null,
  };
}
