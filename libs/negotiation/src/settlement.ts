import { outcomeUpdate } from '@parley/contracts';
import {
  CHEMICALS,
  Chemical,
  ChatMessage,
  NegotiationKind,
  NegotiationMeta,
  NegotiationUpdate,
  Outcome,
  PartyState,
  Terms,
} from '@parley/contracts';
import {
  DataPaths,
  MessageLog,
  NegotiationSnapshot,
  SettleTradeOptions,
  SettlementFiles,
  Trade,
  emailPrefix,
  isEmail,
  isUuid,
  OrderStore,
  closeWithoutTrade,
  readDecision,
  settleTrade,
  startingHoldings,
  toMs,
} from '@parley/store';
import { agreementKey, termsOf } from './agreement-key';
import type { ScoreResult } from './types';

/** Where a settlement's result goes (the worker: the room, through the Socket.io Redis emitter). */
export interface SettlementEvents {
  negotiationUpdate(update: NegotiationUpdate): void | Promise<void>;
}

export interface ScoreInput {
  meta: NegotiationMeta;
  /** The agreed terms; null when there was no deal (walk-away, expiry). */
  terms: Terms | null;
  status: 'completed' | 'rejected' | 'expired';
  transcript: ChatMessage[];
}

/** Scores an AI practice negotiation (the real one wraps scoreNegotiation + ScenarioCatalog). */
export interface Scorer {
  score(input: ScoreInput): Promise<ScoreResult | null>;
}

/** Test seams: called at the points where a crash or a race matters. */
export interface SettlementHooks extends NonNullable<SettleTradeOptions['hooks']> {
  /** After the pre-read decided there is something to do, right before the claim rename. */
  beforeClaim?(owner: string, id: string): Promise<void>;
}

export interface SettlementDeps {
  paths: DataPaths;
  events?: SettlementEvents;
  scorer?: Scorer;
  hooks?: SettlementHooks;
  now?: () => number;
}

export type SettlementAction =
  /** transactions (peer) or a scored outcome (ai) written, archived as 'completed' */
  | 'settled'
  /** agreed, but a side could not afford it: archived as 'failed', no transactions */
  | 'failed'
  | 'rejected'
  | 'expired'
  /** nothing to do (no matching agreement); the negotiation is where it was */
  | 'untouched'
  /** another process holds the claim right now */
  | 'busy'
  /** no such active negotiation (already settled, or never there) */
  | 'missing'
  /** cannot be judged (e.g. a hand-made tree without roles); left alone */
  | 'skipped'
  | 'error';

export interface SettlementResult {
  negotiation_id: string;
  owner: string;
  action: SettlementAction;
  reason?: string;
  outcome?: Outcome;
}

type Decision = { type: 'settle'; terms: Terms; states: PartyState[] } | { type: 'reject'; by: string } | { type: 'none'; reason?: string };

interface Parties {
  kind: NegotiationKind;
  /** The initiator (owner of the directory) first. */
  users: string[];
  chemical?: Chemical;
  /** No negotiation.json: a tree written by seed 000's program. */
  legacy: boolean;
  roleOf(user: string, state: PartyState | undefined): string | undefined;
}

const SEED_ID = /^([a-z0-9][a-z0-9.+-]*)_([a-z0-9][a-z0-9.+-]*)_([CNDQ])_(\d{9,12})(?:-\d{1,4})?$/;

/**
 * Turns agreed negotiations into records: claim (atomic rename), re-read, decide, write, archive, emit.
 * A negotiation is always in exactly one place — active, claimed or archived — and every step after the
 * claim is idempotent, so a process killed anywhere is finished by the next sweep.
 */
export class Settlement {
  readonly files: SettlementFiles;
  private readonly messages = new MessageLog();
  private readonly now: () => number;

  constructor(private readonly deps: SettlementDeps) {
    this.files = new SettlementFiles(deps.paths);
    this.now = deps.now ?? Date.now;
  }

  /** The `check` job: settle, archive as rejected, or leave the negotiation untouched. */
  async check(owner: string, id: string): Promise<SettlementResult> {
    const base = { negotiation_id: id, owner };
    const snapshot = await this.files.read(owner, id, this.files.activeDir(owner, id));
    if (!snapshot) return { ...base, action: (await this.files.read(owner, id, this.files.claimedDir(owner, id))) ? 'busy' : 'missing' };
    // look before claiming: an idle negotiation is never moved, so its parties' writes never bounce
    const pre = this.decide(snapshot);
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
    const pre = this.decide(snapshot);
    if (pre.type !== 'none') return this.check(owner, id);
    // a directory still being created (no negotiation.json yet) is not a negotiation to expire
    if (!resolveParties(snapshot) || !(await this.isStale(snapshot, staleAfterMs))) return { ...base, action: 'untouched' };
    return this.claimAndProcess(owner, id, staleAfterMs);
  }

  /**
   * One pass over DATA_DIR (seed 000's poll): every initiator-owned negotiation directory is checked
   * (responder symlinks are skipped, or repaired when they dangle after an archive), and claims older
   * than `claimStaleMs` are finished.
   */
  async sweep(options: { claimStaleMs?: number } = {}): Promise<SettlementResult[]> {
    const claimStaleMs = options.claimStaleMs ?? 30_000;
    const results: SettlementResult[] = [];
    const { entries, invalid } = await this.files.listActive();
    for (const name of invalid) results.push({ negotiation_id: name, owner: '', action: 'skipped', reason: 'not a negotiation id' });
    // negotiations are independent: check several at once so the disk, not one await after another, sets the pace
    const checked = await mapLimit(entries, SWEEP_CONCURRENCY, async (entry) => {
      if (entry.type === 'link') {
        await this.files.repairResponderLink(entry.owner, entry.id).catch(() => false);
        return null;
      }
      return this.guard(entry.owner, entry.id, () => this.check(entry.owner, entry.id));
    });
    for (const r of checked) if (r) results.push(r);
    for (const claimed of await this.files.listClaimed()) {
      if (this.now() - claimed.changedMs < claimStaleMs) {
        results.push({ negotiation_id: claimed.id, owner: claimed.owner, action: 'busy' });
        continue;
      }
      results.push(await this.guard(claimed.owner, claimed.id, () => this.resume(claimed.owner, claimed.id)));
    }
    return results;
  }

  /** Every active negotiation without activity for `staleAfterMs` is archived as 'expired'. */
  async staleCleanup(staleAfterMs: number): Promise<SettlementResult[]> {
    const results: SettlementResult[] = [];
    const dirs = (await this.files.listActive()).entries.filter((e) => e.type === 'dir');
    results.push(
      ...(await mapLimit(dirs, SWEEP_CONCURRENCY, (e) => this.guard(e.owner, e.id, () => this.expireIfStale(e.owner, e.id, staleAfterMs)))),
    );
    return results;
  }

  private async guard(owner: string, id: string, fn: () => Promise<SettlementResult>): Promise<SettlementResult> {
    try {
      return await fn();
    } catch (e) {
      return { negotiation_id: id, owner, action: 'error', reason: (e as Error).message };
    }
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
    const progress = { decided: false };
    try {
      return await this.processClaimedOnce(owner, id, expireAfterMs, progress);
    } catch (e) {
      // an unreadable file fails this one negotiation; given back, it blocks nobody (a decided one is finished later)
      if (!progress.decided) await this.files.unclaim(owner, id).catch(() => false);
      throw e;
    }
  }

  private async processClaimedOnce(
    owner: string,
    id: string,
    expireAfterMs: number | null,
    progress: { decided: boolean },
  ): Promise<SettlementResult> {
    const base = { negotiation_id: id, owner };
    const snapshot = await this.files.read(owner, id, this.files.claimedDir(owner, id));
    if (!snapshot) return { ...base, action: 'missing' };
    if (snapshot.outcome) {
      progress.decided = true;
      return this.finish(snapshot, snapshot.outcome);
    }
    const decision = this.decide(snapshot);
    const parties = resolveParties(snapshot);
    if (decision.type === 'settle' && parties) {
      return parties.kind === 'peer' ? this.settlePeer(snapshot, parties, decision, progress) : this.settleAi(snapshot, decision.terms);
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

  /** Both parties agreed on the same canonical terms, or one rejected; otherwise nothing. */
  private decide(snapshot: NegotiationSnapshot): Decision {
    const parties = resolveParties(snapshot);
    if (!parties) {
      // an empty directory (no negotiation.json, no state file) is not a negotiation yet: nothing to say
      if (!snapshot.meta && snapshot.states.length === 0) return { type: 'none' };
      return { type: 'none', reason: snapshot.meta ? 'negotiation.json has no two parties' : 'no negotiation.json and not a seed 000 id' };
    }
    const states = parties.users.map((u) => snapshot.states.find((s) => s.user === u));
    if (states.every((s) => s?.status === 'agreed')) {
      const terms = agreedTerms(states as PartyState[], parties);
      if (terms) {
        if (parties.kind === 'peer') {
          const roles = parties.users.map((u, i) => parties.roleOf(u, states[i]));
          if (!(roles.includes('buyer') && roles.includes('seller')))
            return { type: 'none', reason: 'cannot tell the buyer from the seller (no role in the state files)' };
        }
        return { type: 'settle', terms, states: states as PartyState[] };
      }
    }
    const rejected = states.find((s) => s?.status === 'rejected');
    if (rejected) return { type: 'reject', by: rejected.user };
    return { type: 'none' };
  }

  private async settlePeer(
    snapshot: NegotiationSnapshot,
    parties: Parties,
    decision: Extract<Decision, { type: 'settle' }>,
    progress: { decided: boolean },
  ): Promise<SettlementResult> {
    const { owner, id } = snapshot;
    const buyer = parties.users.find((u, i) => parties.roleOf(u, decision.states[i]) === 'buyer')!;
    const seller = parties.users.find((u, i) => parties.roleOf(u, decision.states[i]) === 'seller')!;
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
    const traded = await settleTrade(this.deps.paths, owner, trade, { hooks: this.deps.hooks, now: this.now }).catch(async (e) => {
      // decided but not yet written: the claim stays, the sweep finishes it as decided
      if (await readDecision(this.deps.paths, owner, id).catch(() => null)) progress.decided = true;
      throw e;
    });
    progress.decided = true;
    // someone else may have finished this claim meanwhile
    const current = await this.files.read(owner, id, this.files.claimedDir(owner, id));
    const outcome = !current
      ? null
      : (current.outcome ??
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
      const d = await closeWithoutTrade(this.deps.paths, snapshot.owner, snapshot.id, reason ?? status, this.now);
      if (d.status === 'completed' && d.trade) {
        await settleTrade(this.deps.paths, snapshot.owner, d.trade, { hooks: this.deps.hooks, now: this.now });
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
      if (outcome.status === 'completed' && orderId && isUuid(orderId)) await new OrderStore(this.deps.paths).remove(owner, orderId);
    }
    await this.deps.events?.negotiationUpdate(outcomeUpdate(outcome, this.now()));
    const action = outcome.status === 'completed' ? 'settled' : (outcome.status as SettlementAction);
    return { negotiation_id: id, owner, action, reason: outcome.reason, outcome };
  }

  private async isStale(snapshot: NegotiationSnapshot, staleAfterMs: number): Promise<boolean> {
    return this.now() - (await this.files.lastActivityMs(snapshot)) >= staleAfterMs;
  }
}

/** `sweepOnce(paths)`: one pass, e.g. from the CLI without Redis (no events). */
export async function sweepOnce(
  paths: DataPaths,
  deps: Omit<SettlementDeps, 'paths'> & { claimStaleMs?: number } = {},
): Promise<SettlementResult[]> {
  return new Settlement({ ...deps, paths }).sweep({ claimStaleMs: deps.claimStaleMs });
}

/**
 * The two parties. With negotiation.json: its parties. Without (seed 000's program wrote the tree):
 * the owner (initiator) and the other state file's user, chemical and prefixes from the directory name.
 */
function resolveParties(snapshot: NegotiationSnapshot): Parties | null {
  const { meta } = snapshot;
  if (meta) {
    if (meta.parties.length !== 2) return null;
    const users = [...meta.parties]
      .sort((a, b) => Number(b.user === meta.initiator) - Number(a.user === meta.initiator))
      .map((p) => p.user);
    return {
      kind: meta.kind,
      users,
      chemical: meta.chemical,
      legacy: false,
      roleOf: (user) => meta.parties.find((p) => p.user === user)?.role,
    };
  }
  const m = SEED_ID.exec(snapshot.id);
  if (!m || snapshot.states.length === 0) return null;
  const [, initiatorPrefix, responderPrefix, chemical] = m;
  const others = snapshot.states.filter((s) => isEmail(s.user) && s.user !== snapshot.owner);
  // the responder: the other state file's user, preferring the one whose prefix the id names
  const responder = others.find((s) => emailPrefix(s.user) === responderPrefix)?.user ?? others[0]?.user;
  if (emailPrefix(snapshot.owner) !== initiatorPrefix && !responder) return null;
  const users = [snapshot.owner, responder ?? `${responderPrefix}@unknown.invalid`];
  const roleIn = (s: PartyState | undefined) => (s?.role === 'buyer' || s?.role === 'seller' ? s.role : undefined);
  return {
    kind: 'peer',
    users,
    chemical: chemical as Chemical,
    legacy: true,
    roleOf: (user, state) => {
      const own = roleIn(state ?? snapshot.states.find((s) => s.user === user));
      if (own) return own;
      const other = roleIn(snapshot.states.find((s) => s.user !== user && users.includes(s.user)));
      return other === 'buyer' ? 'seller' : other === 'seller' ? 'buyer' : undefined;
    },
  };
}

/**
 * The terms both agreed to, or null. Both offers must have the same canonical terms, and each stored
 * `agreement_key` must be the SHA-256 of those terms. Trees written by seed 000's program hashed the
 * timestamp too, so there a stored key only has to be present (the terms are compared instead).
 */
function agreedTerms(states: PartyState[], parties: Parties): Terms | null {
  const keys = states.map((s) => safeKey(termsOf(s.offer)));
  if (!keys[0] || keys.some((k) => k !== keys[0])) return null;
  const storedOk = parties.legacy
    ? states.every((s) => typeof s.agreement_key === 'string' && s.agreement_key.length > 0)
    : states.every((s) => s.agreement_key === keys[0]);
  if (!storedOk) return null;
  if (parties.kind === 'peer' && states.some((s) => s.chemical !== undefined && s.chemical !== parties.chemical)) return null;
  return termsOf(states[0].offer);
}

function safeKey(terms: Terms | null): string | null {
  if (!terms || Object.keys(terms).length === 0) return null;
  try {
    return agreementKey(terms);
  } catch {
    return null;
  }
}

function tradeProblem(terms: Terms, chemical: Chemical | undefined): string | null {
  if (!chemical || !(CHEMICALS as readonly string[]).includes(chemical)) return 'the negotiation has no chemical';
  const { price, quantity } = terms;
  if (typeof price !== 'number' || typeof quantity !== 'number') return 'the agreed terms have no price and quantity';
  if (!(price >= 0) || !(quantity > 0)) return `invalid terms: price ${price}, quantity ${quantity}`;
  return null;
}

/** Deterministic, so a retry names its files the same way: the later of the two agreements (unix s). */
function tradeTimestamp(states: PartyState[], snapshot: NegotiationSnapshot): number {
  const times = states.map((s) => (typeof s.last_updated === 'number' ? s.last_updated : (s.offer?.timestamp ?? 0)));
  const latest = Math.max(...times.map(toMs));
  if (latest > 0) return Math.floor(latest / 1000);
  return snapshot.meta?.created_at ?? Number(SEED_ID.exec(snapshot.id)?.[4] ?? 0);
}

/** The terms a completed trade settled at (the decision's, which a resumed settler may not have seen agreed). */
function tradeTerms(agreed: Terms | null, trade: Trade): Terms {
  if (agreed && agreed.price === trade.price && agreed.quantity === trade.quantity) return agreed;
  return { price: trade.price, quantity: trade.quantity };
}

const SWEEP_CONCURRENCY = 16;

/** `fn` over `items`, at most `limit` at a time, results in the items' order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
