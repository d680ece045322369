/** Class sessions as the browser reads them; the shapes are the server's (libs/contracts sessions.ts, docs/SESSIONS.md). */
import type { LiveView, Round, RoundEnd, RoundPair, Session, SessionMember, SessionSummary } from '@parley/contracts/browser';

export type { ClassDebrief, Histogram } from '@parley/negotiation/sessions/class-report';
export type { LiveView, PairingRule, RoundPair, Session as ClassSession, SessionMode, SessionSummary } from '@parley/contracts/browser';
export type { MemberState } from '@parley/contracts/browser';

/** A round as a screen shows it: its pairs (a student sees only their own) and, once over, when it ended. */
export interface SessionRound {
  n: number;
  started_at: number;
  ends_at: number;
  ended_at?: number;
  pairs: RoundPair[];
}

/** GET /api/sessions/:id — the instructor's full view, or a member's (the session's public part, names, own pairs). */
export interface SessionAnswer {
  session: Session & { join_url?: string };
  members: (Partial<SessionMember> & { name: string })[];
  rounds: (Round & { end?: RoundEnd | null })[];
  current_round: Round | null;
}

export interface RoundStarted {
  session_id: string;
  round: number;
  ends_at: number;
  negotiation_id?: string;
  role?: string;
  partner?: string;
}

export interface SessionBroadcast {
  session_id: string;
  text: string;
  at: number;
}

/** The latest round (running or ended), from the session's answer. */
export function latestRound(a: SessionAnswer | null): SessionRound | null {
  const last = a?.rounds.at(-1);
  if (!last) return null;
  return {
    n: last.n,
    started_at: last.started_at,
    ends_at: last.ends_at,
    pairs: last.pairs,
    ...(last.end ? { ended_at: last.end.ended_at } : {}),
  };
}

export type { LiveView as InstructorLive, SessionSummary as StudentSummary };
