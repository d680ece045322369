import { ErrorCode, ParleyError, outcomeUpdate } from '@parley/contracts';
import type { NegotiationKind, Outcome, Terms } from '@parley/contracts';
import {
  MarketStore,
  MessageLog,
  NegotiationScan,
  NegotiationSnapshot,
  NegotiationStore,
  OrderStore,
  SettlementFiles,
  SettlementJournal,
  Trade,
  closeWithoutTrade,
  isEmail,
  isUuid,
  readDecision,
  settleTrade,
  startingHoldings,
} from '@parley/store';
import type { ScoreResult } from '@parley/negotiation';
import { MarketBook } from '@parley/market';
import { Decision, Parties, buyerAndSeller, decide, resolveParties, tradeProblem, tradeTimestamp } from './decision';
import { SettlementSweep } from './sweep';
import { applyRecord, recordTargets } from './recovery';
import type { ScoreInput, SettlementAction, SettlementDeps, SettlementResult } from './types';

/**
 * Turns agreed negotiations into records: claim (atomic rename), re-read, decide, write, archive, emit.
 * A negotiation is always in exactly one place — active, claimed or archived — and every step after the
 * claim is idempotent, so a process killed anywhere is finished by the next sweep.
 */
export class Settlement {
  readonly files: SettlementFiles;
  readonly scan: NegotiationScan;
  /** Kept between passes: a pass looks only into directories changed since the last one (see SettlementSweep). */
  private readonly sweeper: SettlementSweep;
  private readonly messages: Pick<MessageLog, 'readAll'>;
  private readonly orders: Pick<OrderStore, 'remove'>;
  private readonly tradeCheck: NonNullable<SettlementDeps['tradeCheck']>;
  readonly now: () => number;
  /** Transaction files and outcome.json are made durable by one journal commit for all settlements in flight. */
  readonly journal: SettlementJournal;
  /** The checks jobs asked for, running and lately run: the sweep gives way to them (see SettlementSweep). */
  readonly activity = new CheckActivity();

  constructor(private readonly deps: SettlementDeps) {
    this.files = new SettlementFiles(deps.paths);
    this.journal = new SettlementJournal(deps.paths.root, (record) => recordTargets(deps.paths, this.files, record));
    this.scan = new NegotiationScan(deps.paths);
    this.now = deps.now ?? Date.now;
    this.messages = deps.messages ?? new MessageLog();
    this.orders = deps.orders ?? new OrderStore(deps.paths);
    const { paths } = deps;
    const book = deps.tradeCheck ? null : new MarketBook(paths, new MarketStore(paths), new OrderStore(paths), new NegotiationStore(paths));
    this.tradeCheck = deps.tradeCheck ?? ((meta, trade) => book!.settlementProblem(meta, trade));
    this.sweeper = new SettlementSweep(this, this.now);
  }

  /**
   * The `check` job: settle, archive as rejected, or leave the negotiation untouched. Counted in
   * `activity`, which the sweep and stale cleanup give way to (their own checks call `check`).
   */
  checkJob(owner: string, id: string): Promise<SettlementResult> {
    return this.activity.during(() => this.check(owner, id));
  }

  /** Settle, archive as rejected, or leave the negotiation untouched. */
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
    return this.claimAndProcess(owner, id, { staleAfterMs });
  }

  /**
   * A class round's end: the negotiation closes now as 'expired' with `reason` — unless both already
   * agreed or one walked away, which is settled as such. The claim makes it happen exactly once, on
   * any number of workers; 'busy' means another process holds it right now (ask again).
   */
  async closeAtDeadline(owner: string, id: string, reason: string): Promise<SettlementResult> {
    const base = { negotiation_id: id, owner };
    const snapshot = await this.files.read(owner, id, this.files.activeDir(owner, id));
    if (!snapshot) return { ...base, action: (await this.files.read(owner, id, this.files.claimedDir(owner, id))) ? 'busy' : 'missing' };
    return this.claimAndProcess(owner, id, { reason });
  }

  /** One pass over DATA_DIR (see SettlementSweep), after completing what dead processes journaled. */
  async sweep(options: { claimStaleMs?: number } = {}): Promise<SettlementResult[]> {
    await this.recover();
    return this.sweeper.sweep(options);
  }

  /**
   * Writes what the journal segments of processes that are gone name and is missing (see
   * SettlementJournal): at a worker's start and before every sweep pass. Failures are left for the next pass.
   */
  recover(): Promise<{ records: number; failed: number }> {
    return this.journal.replay((record) => applyRecord(this.deps.paths, this.files, record)).catch(() => ({ records: 0, failed: 1 }));
  }

  /** Retires this process's journal segment (the files it names are made durable first). */
  shutdown(): Promise<void> {
    return this.journal.close();
  }

  /** Every active negotiation without activity for `staleAfterMs` is archived as 'expired' (see SettlementSweep). */
  staleCleanup(staleAfterMs: number): Promise<SettlementResult[]> {
    return new SettlementSweep(this, this.now).staleCleanup(staleAfterMs);
  }

  private async claimAndProcess(owner: string, id: string, expiry: Expiry | null): Promise<SettlementResult> {
    await this.deps.hooks?.beforeClaim?.(owner, id);
    const claim = await this.files.claim(owner, id);
    if (claim !== 'claimed') return { negotiation_id: id, owner, action: claim };
    return this.processClaimed(owner, id, expiry);
  }

  /**
   * Inside the claim: re-read, decide again (the pre-read may be outdated), act. An error leaves the
   * negotiation claimed; the sweep finishes it later.
   */
  private async processClaimed(owner: string, id: string, expiry: Expiry | null): Promise<SettlementResult> {
    const progress = { decided: false };
    try {
      return await this.processClaimedOnce(owner, id, expiry, progress);
    } catch (e) {
      // an unreadable file fails this one negotiation; given back, it blocks nobody (a decided one is finished later)
      if (!progress.decided) await this.files.unclaim(owner, id).catch(() => false);
      throw e;
    }
  }

  private async processClaimedOnce(
    owner: string,
    id: string,
    expiry: Expiry | null,
    progress: { decided: boolean },
  ): Promise<SettlementResult> {
    const base = { negotiation_id: id, owner };
    const snapshot = await this.files.read(owner, id, this.files.claimedDir(owner, id));
    if (!snapshot) return { ...base, action: 'missing' };
    if (snapshot.outcome) {
      progress.decided = true;
      return this.finish(snapshot, snapshot.outcome);
    }
    const decision = decide(snapshot);
    const parties = resolveParties(snapshot);
    if (decision.type === 'settle' && parties) {
      return parties.kind === 'peer' ? this.settlePeer(snapshot, parties, decision, progress) : this.settleAi(snapshot, decision.terms);
    }
    if (decision.type === 'reject' && parties) {
      return this.close(snapshot, 'rejected', null, `${decision.by === 'ai' ? 'the AI' : decision.by} walked away`);
    }
    if (expiry && 'reason' in expiry && parties) return this.close(snapshot, 'expired', null, expiry.reason);
    if (expiry && 'staleAfterMs' in expiry && parties && (await this.isStale(snapshot, expiry.staleAfterMs))) {
      return this.close(snapshot, 'expired', null, `no activity for ${Math.round(expiry.staleAfterMs / 60000)} min`);
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
    progress: { decided: boolean },
  ): Promise<SettlementResult> {
    const { owner, id } = snapshot;
    const { buyer, seller } = buyerAndSeller(parties, decision.states);
    const { price, quantity } = decision.terms;
    const invalid = tradeProblem(decision.terms, parties.chemical);
    if (invalid) return this.close(snapshot, 'failed', decision.terms, invalid);
    const missingTeam = async () => {
      for (const team of [buyer, seller]) if (!(await startingHoldings(this.deps.paths, team))) return `team ${team} does not exist`;
      return null;
    };
    const trade: Trade = {
      negotiation_id: id,
      chemical: parties.chemical!,
      price,
      quantity,
      buyer,
      seller,
      timestamp: tradeTimestamp(decision.states, snapshot),
    };
    // a market's second look at the promise, before the trade is decided (a decided one is only finished)
    if (snapshot.meta?.market_id && !(await readDecision(this.deps.paths, owner, id))) {
      const refused = (await missingTeam()) ?? (await this.tradeCheck(snapshot.meta, trade));
      if (refused) return this.close(snapshot, 'failed', decision.terms, refused);
    }
    let traded;
    try {
      traded = await settleTrade(this.deps.paths, owner, trade, this.tradeOptions());
    } catch (e) {
      // decided but not yet written: the claim stays, the sweep finishes it as decided
      if (await readDecision(this.deps.paths, owner, id).catch(() => null)) {
        progress.decided = true;
        throw e;
      }
      // the ledger reads each team's init.json first: a team that is not there refuses the trade before any leg
      const missing = e instanceof ParleyError && e.code === ErrorCode.NotFound ? await missingTeam() : null;
      if (missing) return this.close(snapshot, 'failed', decision.terms, missing);
      throw e;
    }
    progress.decided = true;
    // someone else may have finished this claim meanwhile
    const current = await this.files.claimedOutcome(owner, id);
    const outcome =
      current === 'missing'
        ? null
        : (current ??
          (traded.status === 'completed' && traded.trade
            ? await this.recordOutcome(snapshot, 'completed', tradeTerms(decision.terms, traded.trade))
            : await this.recordOutcome(snapshot, 'failed', decision.terms, traded.reason)));
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
    if ((snapshot.meta?.kind ?? 'peer') === 'peer' && status !== 'completed') {
      // the negotiation's one decision: a paused settler can no longer complete a trade for it
      const d = await closeWithoutTrade(this.deps.paths, snapshot.owner, snapshot.id, reason ?? status, this.now, this.journal);
      if (d.status === 'completed' && d.trade) {
        await settleTrade(this.deps.paths, snapshot.owner, d.trade, this.tradeOptions());
        return this.finish(snapshot, await this.recordOutcome(snapshot, 'completed', tradeTerms(terms, d.trade)));
      }
    }
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
    // peer role-play: each student scored from their own brief
    if (kind === 'roleplay' && snapshot.meta && status !== 'failed') {
      const scores = await this.scoreEach(snapshot, status, terms);
      if (scores) outcome.scores = scores;
    }
    // a settler that wrote first decided it: its outcome stands
    return this.files.writeOutcome(snapshot.owner, snapshot.id, outcome, this.journal);
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

  private async scoreEach(snapshot: NegotiationSnapshot, status: Outcome['status'], terms: Terms | null) {
    if (!this.deps.scorer?.scoreEach || !snapshot.meta) return null;
    const transcript = await this.messages.readAll(snapshot.dir);
    return this.deps.scorer.scoreEach({ meta: snapshot.meta, terms, status: status as ScoreInput['status'], transcript }).catch(() => null);
  }

  /** Archive (idempotent), move the responder's symlink, tell the room. */
  private async finish(snapshot: NegotiationSnapshot, outcome: Outcome): Promise<SettlementResult> {
    const { owner, id } = snapshot;
    await this.files.archive(owner, id);
    const parties = resolveParties(snapshot);
    if (parties?.kind === 'peer' || parties?.kind === 'roleplay') {
      for (const user of parties.users) if (user !== owner && isEmail(user)) await this.files.archiveResponderLink(owner, user, id);
    }
    if (parties?.kind === 'peer') {
      // the order the trade was opened on is filled: it leaves the board
      const orderId = snapshot.meta?.order_id;
      if (outcome.status === 'completed' && orderId && isUuid(orderId)) await this.orders.remove(owner, orderId);
    }
    // everything this settlement wrote without an fsync is on disk before anyone is told (one commit for all in flight)
    await this.journal.commit();
    await this.deps.events?.negotiationUpdate(outcomeUpdate(outcome, this.now()), { meta: snapshot.meta, outcome });
    const action = outcome.status === 'completed' ? 'settled' : (outcome.status as SettlementAction);
    return { negotiation_id: id, owner, action, reason: outcome.reason, outcome };
  }

  private tradeOptions() {
    return { hooks: this.deps.hooks, now: this.now, journal: this.journal };
  }

  private async isStale(snapshot: NegotiationSnapshot, staleAfterMs: number): Promise<boolean> {
    return this.now() - (await this.files.lastActivityMs(snapshot)) >= staleAfterMs;
  }
}

/** How many checks are running, and when the last one ended; `idle()` resolves when none is running. */
export class CheckActivity {
  checking = 0;
  private lastEndedMs = -Infinity;
  private waiters: (() => void)[] = [];

  async during<T>(fn: () => Promise<T>): Promise<T> {
    this.checking++;
    try {
      return await fn();
    } finally {
      this.ended();
    }
  }

  ended(): void {
    this.checking--;
    this.lastEndedMs = performance.now();
    if (this.checking === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** A check is running, or one ended less than `withinMs` ago. */
  recent(withinMs: number): boolean {
    return this.checking > 0 || performance.now() - this.lastEndedMs < withinMs;
  }

  /** Resolves when no check is running, or after `maxMs` at the latest. */
  idle(maxMs: number): Promise<void> {
    if (this.checking === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Why a claimed negotiation may close as 'expired': no activity for a while, or a deadline (a class round's end). */
type Expiry = { staleAfterMs: number } | { reason: string };

/** The terms a completed trade settled at (the decision's, which a resumed settler may not have seen agreed). */
function tradeTerms(agreed: Terms | null, trade: Trade): Terms {
  if (agreed && agreed.price === trade.price && agreed.quantity === trade.quantity) return agreed;
  return { price: trade.price, quantity: trade.quantity };
}
