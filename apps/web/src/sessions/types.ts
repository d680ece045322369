/**
 * Class sessions as the browser reads them (the server's contract: docs/SESSIONS.md and
 * /work/coord/sessions-contract.md). Only the fields the screens use.
 */
export type SessionMode = 'ai' | 'peer' | 'market';
export type PairingRule = 'random' | 'column' | 'manual';
export type MemberState = 'waiting' | 'negotiating' | 'done';

export interface ClassSession {
  id: string;
  code: string;
  join_url?: string;
  title: string;
  mode: SessionMode;
  scenario_ids: string[];
  round_seconds: number;
  pairing: PairingRule;
  pairing_column?: string;
  start_when_all_joined: boolean;
  instructor: string;
  created_at: number;
}

export interface SessionMember {
  email: string;
  name: string;
  joined_at: number;
}

export interface RoundPair {
  a: string;
  b: string;
  scenario_id: string;
  roles: { a: string; b: string };
  negotiation_id: string;
}

export interface SessionRound {
  n: number;
  started_at: number;
  ends_at: number;
  ended_at?: number;
  pairs: RoundPair[];
}

export interface SessionDetail extends ClassSession {
  members: SessionMember[];
  round: SessionRound | null;
}

export interface LiveView {
  session_id: string;
  members: { email: string; name: string; state: MemberState; negotiation_id?: string; partner?: string; role?: string }[];
  deals: number;
  no_deals: number;
  round: SessionRound | null;
}

export interface Histogram {
  values: number[];
  bins: { from: number; to: number; count: number }[];
}

export interface ClassDebrief {
  scenario_id: string;
  title: string;
  roles: [string, string];
  main_issue: { name: string; label: string; unit?: string; min: number; max: number };
  per_role: { role: string; main_issue: Histogram; scores: Record<string, Histogram> }[];
  deals: { negotiation_id: string; a: string; b: string; status: string; x: number | null; y: number | null }[];
  frontier: { x: number; y: number }[];
  walk_away: { x: number; y: number };
  deal_rate: { deals: number; closed: number; rate: number };
  briefs: { role: string; text: string }[];
}

export interface RoundStarted {
  session_id: string;
  round: number;
  ends_at: number;
  negotiation_id?: string;
}

export interface SessionBroadcast {
  session_id: string;
  text: string;
  at: number;
}
