import { CHEMICALS, Chemical, NegotiationKind, PartyState, Terms } from '@parley/contracts';
import { emailPrefix, isEmail, toMs, type NegotiationSnapshot } from '@parley/store';
import { agreementKey, termsOf, validateTradeTerms } from '@parley/negotiation';

/**
 * The pure half of settling: from what is on disk (a snapshot), who the parties are, which terms both
 * agreed to, and whether the trade is possible. No I/O here; settlement.ts acts on the answer.
 */
export type Decision =
  { type: 'settle'; terms: Terms; states: PartyState[] } | { type: 'reject'; by: string } | { type: 'none'; reason?: string };

export interface Parties {
  kind: NegotiationKind;
  /** The initiator (owner of the directory) first. */
  users: string[];
  chemical?: Chemical;
  /** No negotiation.json: a tree written by seed 000's program. */
  legacy: boolean;
  roleOf(user: string, state: PartyState | undefined): string | undefined;
}

export const SEED_ID = /^([a-z0-9][a-z0-9.+-]*)_([a-z0-9][a-z0-9.+-]*)_([CNDQ])_(\d{9,12})(?:-\d{1,4})?$/;

/** Both parties agreed on the same canonical terms, or one rejected; otherwise nothing. */
export function decide(snapshot: NegotiationSnapshot): Decision {
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

/**
 * The two parties. With negotiation.json: its parties. Without (seed 000's program wrote the tree):
 * the owner (initiator) and the other state file's user, chemical and prefixes from the directory name.
 */
export function resolveParties(snapshot: NegotiationSnapshot): Parties | null {
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

/** The buyer and the seller of an agreed peer trade (decide() made sure there is one of each). */
export function buyerAndSeller(parties: Parties, states: PartyState[]): { buyer: string; seller: string } {
  const buyer = parties.users.find((u, i) => parties.roleOf(u, states[i]) === 'buyer')!;
  const seller = parties.users.find((u, i) => parties.roleOf(u, states[i]) === 'seller')!;
  return { buyer, seller };
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

/** Why the agreed peer trade cannot be made (the trade rules the offer had to pass too), or null when it can. */
export function tradeProblem(terms: Terms, chemical: Chemical | undefined): string | null {
  if (!chemical || !(CHEMICALS as readonly string[]).includes(chemical)) return 'the negotiation has no chemical';
  const { price, quantity } = terms;
  if (typeof price !== 'number' || typeof quantity !== 'number') return 'the agreed terms have no price and quantity';
  return validateTradeTerms(terms);
}

/** Deterministic, so a retry names its files the same way: the later of the two agreements (unix s). */
export function tradeTimestamp(states: PartyState[], snapshot: NegotiationSnapshot): number {
  const times = states.map((s) => (typeof s.last_updated === 'number' ? s.last_updated : (s.offer?.timestamp ?? 0)));
  const latest = Math.max(...times.map(toMs));
  if (latest > 0) return Math.floor(latest / 1000);
  return snapshot.meta?.created_at ?? Number(SEED_ID.exec(snapshot.id)?.[4] ?? 0);
}
