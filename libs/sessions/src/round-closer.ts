import { ServerEvent } from '@parley/contracts';
import type { RoomEmitter } from '@parley/queues';
import type { SessionStore } from '@parley/store';
import type { SettlementResult } from '@parley/settlement';
import type { SessionPush } from './session-push';

/** What a round's end says in the outcome of each negotiation it closes. */
export const NO_DEAL_TIME = 'no deal (time)';
const BUSY_RETRIES = 20;
const BUSY_WAIT_MS = 150;

export interface DeadlineCloser {
  closeAtDeadline(owner: string, id: string, reason: string): Promise<SettlementResult>;
}

/**
 * The `round-end` job (agreement-worker): marks the round ended (exactly once: an exclusively created
 * file; the instructor's end may have made it already) and closes each of its unfinished negotiations
 * through the settlement's claim, so each closes once as "no deal (time)" whatever the number of
 * workers. A deal agreed before the claim is settled as a deal.
 */
export class RoundCloser {
  constructor(
    private readonly sessions: SessionStore,
    private readonly settlement: DeadlineCloser,
    private readonly emitter: RoomEmitter,
    private readonly push: SessionPush,
    private readonly now: () => number = Date.now,
  ) {}

  /** What happened to each negotiation of the round ('missing': closed already, by this or another process). */
  async close(sessionId: string, n: number): Promise<SettlementResult[]> {
    const round = await this.sessions.round(sessionId, n);
    if (!round) return [];
    if (await this.sessions.endRound(sessionId, { n, ended_at: this.now(), by: 'time' })) {
      this.emitter.toSession(sessionId, ServerEvent.RoundEnded, { session_id: sessionId, round: n, by: 'time' });
    }
    const results: SettlementResult[] = [];
    for (const pair of round.pairs) results.push(await this.closeOne(pair.a, pair.negotiation_id));
    await this.push.changed(sessionId);
    return results;
  }

  /**
   * Rounds past their end time and not ended (their timer job was lost, e.g. Redis came back empty):
   * run by the periodic sweep, so a round still ends, once.
   */
  async closeOverdue(): Promise<SettlementResult[]> {
    const out: SettlementResult[] = [];
    for (const session of await this.sessions.list()) {
      const last = (await this.sessions.rounds(session.id)).at(-1);
      if (last && !last.end && last.ends_at <= this.now()) out.push(...(await this.close(session.id, last.n)));
    }
    return out;
  }

  /** 'busy': another worker holds the claim (settling an agreement, or closing it too); ask again until it lets go. */
  private async closeOne(owner: string, id: string): Promise<SettlementResult> {
    for (let i = 0; ; i++) {
      const r = await this.settlement.closeAtDeadline(owner, id, NO_DEAL_TIME);
      if (r.action !== 'busy') return r;
      if (i >= BUSY_RETRIES) throw new Error(`negotiation ${id} stayed claimed by another process; the job retries`);
      await new Promise((res) => setTimeout(res, BUSY_WAIT_MS));
    }
  }
}
