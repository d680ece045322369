import type { Round, Session } from '@parley/contracts';
import { MarketOpener } from '@parley/market';
import type { SessionStore } from '@parley/store';

/** The market of a market session's round n: `<session id>-r<n>` (GET /api/markets lists it for its members). */
export const sessionMarketId = (sessionId: string, round: number) => `${sessionId}-r${round}`;

/**
 * A market session trades one market per round: the session's members on its design (the symmetric
 * built-in one when the session names none), open until the round ends, leaderboard anonymised.
 */
export function sessionMarkets(markets: MarketOpener, sessions: SessionStore) {
  return {
    async open(session: Session, round: Round): Promise<void> {
      const members = (await sessions.members(session.id)).map((m) => m.email);
      await markets.open({
        id: sessionMarketId(session.id, round.n),
        instructor: session.instructor,
        design_id: session.market_design_id ?? 'builtin-symmetric',
        members,
        title: `${session.title}, round ${round.n}`,
        ends_at: Math.floor(round.ends_at / 1000),
        anonymise: true,
        seed: `${session.id}:${round.n}`,
        session_id: session.id,
      });
    },
    async end(session: Session, round: number): Promise<void> {
      await markets.end(sessionMarketId(session.id, round));
    },
  };
}
