import { outcomeUpdate } from '@parley/contracts';
import type { NegotiationKind, Outcome, Terms } from '@parley/contracts';
import {
  MessageLog,
  NegotiationSnapshot,
  OrderStore,
  SettlementFiles,
  TeamLocks,
  Trade,
  isEmail,
  isUuid,
  removeTransaction,
  startingHoldings,
  teamHoldings,
  tradeShortfall,
  writeTransaction,
} from '@parley/store';
import type { ScoreResult } from '@parley/negotiation';
import { Decision, Parties, buyerAndSeller, decide, resolveParties, tradeProblem, tradeTimestamp } from './decision';
import { SettlementSweep } from './sweep';
import type { ScoreInput, SettlementAction, SettlementDeps, SettlementResult } from './types';

/**
 * Turns agreed negotiations into records: claim (atomic rename), re-read, decide, write, archive, emit.
 * A negotiation is always in exactly one place — active, claimed or archived — and every step after the
 * claim is idempotent, so a process killed anywhere is finished by the next sweep.
 */
export class Settlement {
  readonly files: SettlementFiles;
  private readonly locks: TeamLocks;
  private readonly messages: Pick<MessageLog, 'readAll'>;
  private readonly orders: Pick<OrderStore, 'remove'>;
  readonly now: () => number;

  constructor(private readonly deps: SettlementDeps) {
    this.files = new SettlementFiles(deps.paths);
    this.now = deps.now ?? Date.now;
    this.locks = new TeamLocks(deps.paths, deps.locks);
    this.messages = deps.messages ?? new MessageLog();
    this.orders = deps.orders ?? new OrderStore(deps.paths);
  }

  /** The `check` job: settle, archive as rejected, or leave the negotiation untouched. */
  async check(owner: string, id: string): Promise<SettlementResult> {
    const base = { negotiation_id: id, owner };
    const snapshot = await this.files.read(owner, id, this.files.activeDir(owner, id));
    if (!snapshot) return { ...base, action: (await this.files.read(owner, id, this.files.claimedDir(owner, id))) ? 'busy' : 'missing' };
    // look before claiming: an idle negotiation is never moved, so its parties' writes never bounce
    const pre = decide(snapshot);
    if (pre.type === 'none') return { ...base, action: pre.reason ? 'skipped' : 'untouched', reason: pre.reason };
    return this.claimAndProcess(owner, id, null);
  }

  /** Finishes a negotiation found in negotiations_settling/ (its settler died or gave up). */
  async resume(owner: string, id: string): Promise<SettlementResult> {
    return this.processClaimed(owner, id, null);
  }

  /** The `stale-cleanup` step for one negotiation: archive it as 'expired' after `staleAfterMs` without activity. */
  async expireIfStale(owner: string, id: string, staleAfterMs: number): Promise<SettlementResult> {
    const base = { negotiation_id: id, owner };
    const snapshot = await this.files.read(owner, id, this.files.activeDir(owner, id));
    if (!snapshot) return { ...base, action: 'missing' };
    const pre = decide(snapshot);
    if (pre.type !== 'none') return this.check(owner, id);
    // a directory still being created (no negotiation.json yet) is not a negotiation to expire
    if (!resolveParties(snapshot) || !(await this.isStale(snapshot, staleAfterMs))) return { ...base, action: 'untouched' };
    return this.claimAndProcess(owner, id, staleAfterMs);
  }

  /** One pass over DATA_DIR (see SettlementSweep). */
  sweep(options: { claimStaleMs?: number } = {}): Promise<SettlementResult[]> {
    return new SettlementSweep(this, this.now).sweep(options);
  }

  /** Every active negotiation without activity for `staleAfterMs` is archived as 'expired' (see SettlementSweep). */
  staleCleanup(staleAfterMs: number): Promise<SettlementResult[]> {
    return new SettlementSweep(this, this.now).staleCleanup(staleAfterMs);
  }

  private async claimAndProcess(owner: string, id: string, expireAfterMs: number | null): Promise<SettlementResult> {
    await this.deps.hooks?.beforeClaim?.(owner, id);
    const claim = await this.files.claim(owner, id);
    if (claim !== 'claimed') return { negotiation_id: id, owner, action: claim };
    return this.processClaimed(owner, id, expireAfterMs);
  }

  /**
   * Inside the claim: re-read, decide again (the pre-read may be outdated), act. An error leaves the
   * negotiation claimed; the sweep finishes it later.
   */
  private async processClaimed(owner: string, id: string, expireAfterMs: number | null): Promise<SettlementResult> {
    const base = { negotiation_id: id, owner };
    const snapshot = await this.files.read(owner, id, this.files.claimedDir(owner, id));
    if (!snapshot) return { ...base, action: 'missing' };
    if (snapshot.outcome) return this.finish(snapshot, snapshot.outcome);
    const decision = decide(snapshot);
    const parties = resolveParties(snapshot);
    if (decision.type === 'settle' && parties) {
      return parties.kind === 'peer' ? this.settlePeer(snapshot, parties, decision) : this.settleAi(snapshot, decision.terms);
    }
    if (decision.type === 'reject' && parties) {
      return this.close(snapshot, 'rejected', null, `${decision.by === 'ai' ? 'the AI' : decision.by} walked away`);
    }
    if (expireAfterMs !== null && parties && (await this.isStale(snapshot, expireAfterMs))) {
      return this.close(snapshot, 'expired', null, `no activity for ${Math.round(expireAfterMs / 60000)} min`);
    }
    await this.files.unclaim(owner, id);
    return {
      ...base,
      action: decision.type === 'none' && decision.reason ? 'skipped' : 'untouched',
      reason: decision.type === 'none' ? decision.reason : undefined,
    };
  }

  private async settlePeer(
    snapshot: NegotiationSnapshot,
    parties: Parties,
    decision: Extract<Decision, { type: 'settle' }>,
  ): Promise<SettlementResult> {
    const { owner, id } = snapshot;
    const { buyer, seller } = buyerAndSeller(parties, decision.states);
    const { price, quantity } = decision.terms;
    const invalid = tradeProblem(decision.terms, parties.chemical);
    if (invalid) return this.close(snapshot, 'failed', decision.terms, invalid);
    for (const team of [buyer, seller]) {
      if (!(await startingHoldings(this.deps.paths, team)))
        return this.close(snapshot, 'failed', decision.terms, `team ${team} does not exist`);
    }
    const trade: Trade = {
      negotiation_id: id,
      chemical: parties.chemical!,
      price,
      quantity,
      buyer,
      seller,
      timestamp: tradeTimestamp(decision.states, snapshot),
    };
    const outcome = await this.locks.withTeams([buyer, seller], async () => {
      // someone else may have finished this claim while we waited for the locks
      const current = await this.files.read(owner, id, this.files.claimedDir(owner, id));
      if (!current) return null;
      if (current.outcome) return current.outcome;
      // a retry must not count its own first attempt against itself
      const b = await teamHoldings(this.deps.paths, buyer, { excludeNegotiationId: id });
      const s = await teamHoldings(this.deps.paths, seller, { excludeNegotiationId: id });
      const shortfall = tradeShortfall(trade, b, s);
      if (shortfall) {
        // an earlier attempt may have written one side before it died: never leave half a pair
        await removeTransaction(this.deps.paths, 'buy', trade);
        await removeTransaction(this.deps.paths, 'sell', trade);
        return this.recordOutcome(snapshot, 'failed', decision.terms, shortfall);
      }
      await writeTransaction(this.deps.paths, 'buy', trade);
      await this.deps.hooks?.betweenTransactions?.(trade);
      await writeTransaction(this.deps.paths, 'sell', trade);
      return this.recordOutcome(snapshot, 'completed', decision.terms);
    });
    if (!outcome) return { negotiation_id: id, owner, action: 'missing' };
    return this.finish(snapshot, outcome);
  }

  private async settleAi(snapshot: NegotiationSnapshot, terms: Terms): Promise<SettlementResult> {
    return this.close(snapshot, 'completed', terms);
  }

  /** Writes outcome.json (with a score for AI negotiations), archives, emits. */
  private async close(
    snapshot: NegotiationSnapshot,
    status: Outcome['status'],
    terms: Terms | null,
    reason?: string,
  ): Promise<SettlementResult> {
    const outcome = await this.recordOutcome(snapshot, status, terms, reason);
    return this.finish(snapshot, outcome);
  }

  private async recordOutcome(
    snapshot: NegotiationSnapshot,
    status: Outcome['status'],
    terms: Terms | null,
    reason?: string,
  ): Promise<Outcome> {
    const kind: NegotiationKind = snapshot.meta?.kind ?? 'peer';
    const outcome: Outcome = {
      negotiation_id: snapshot.id,
      kind,
      status,
      deal_terms: { agreed: status === 'completed', terms },
      settled_at: Math.floor(this.now() / 1000),
    };
    if (reason) outcome.reason = reason;
    if (kind === 'ai' && snapshot.meta && status !== 'failed') {
      const score = await this.score(snapshot, status, terms);
      if (score) {
        outcome.final_score = score.final_score;
        outcome.score_explanations = score.score_explanations;
      }
    }
    await this.files.writeOutcome(snapshot.owner, snapshot.id, outcome);
    return outcome;
  }

  private async score(snapshot: NegotiationSnapshot, status: Outcome['status'], terms: Terms | null): Promise<ScoreResult | null> {
    if (!this.deps.scorer || !snapshot.meta) return null;
    const transcript = await this.messages.readAll(snapshot.dir);
    try {
      return await this.deps.scorer.score({ meta: snapshot.meta, terms, status: status as ScoreInput['status'], transcript });
    } catch {
      // a broken scenario file must not keep the negotiation claimed forever: settle without a score
      return null;
    }
  }

  /** Archive (idempotent), move the responder's symlink, tell the room. */
  private async finish(snapshot: NegotiationSnapshot, outcome: Outcome): Promise<SettlementResult> {
    const { owner, id } = snapshot;
    await this.files.archive(owner, id);
    const parties = resolveParties(snapshot);
    if (parties?.kind === 'peer') {
      for (const user of parties.users) if (user !== owner && isEmail(user)) await this.files.archiveResponderLink(owner, user, id);
      // the order the trade was opened on is filled: it leaves the board
      const orderId = snapshot.meta?.order_id;
      if (outcome.status === 'completed' && orderId && isUuid(orderId)) await this.orders.remove(owner, orderId);
    }
    await this.deps.events?.negotiationUpdate(outcomeUpdate(outcome, this.now()));
    const action = outcome.status === 'completed' ? 'settled' : (outcome.status as SettlementAction);
    return { negotiation_id: id, owner, action, reason: outcome.reason, outcome };
  }

  private async isStale(snapshot: NegotiationSnapshot, staleAfterMs: number): Promise<boolean> {
    return this.now() - (await this.files.lastActivityMs(snapshot)) >= staleAfterMs;
  }
}
