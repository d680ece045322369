import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CHEMICALS, Chemical, Holdings, PartyState, Terms, Transaction } from '@parley/contracts';
import { DataPaths, NegotiationStore, TeamStore, teamHoldings, writeJsonAtomic } from '@parley/store';
import { agreementKey } from '@parley/negotiation';
import { Settlement } from '@parley/settlement';
import { BadInputRow, recordSuite, reliabilityMode } from '../support/reliability-report';

/**
 * Properties that must hold for every input, not just the examples in the unit tests:
 * agreement keys (canonical terms) and settlement (holdings never negative, each agreement settles at
 * most once, a withdrawn agreement never settles). Settlement runs on real files in a temp DATA_DIR.
 */
const long = reliabilityMode() === 'long';
const rows: BadInputRow[] = [];
const row = (input: string, tried: number, answered: string) =>
  rows.push({ input, tried, answered, server_stayed_up: true, wrote_outside_data_dir: false });

afterAll(() => recordSuite({ suite: 'attack-properties', mode: reliabilityMode(), bad_inputs: rows }));

// ---------------------------------------------------------------- agreement keys

/** Issue names as the socket schema allows them (lower-case words). */
const issueName = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
/** Realistic term values: whole numbers up to 1e9 or thousandths up to 1e6 (prices, quantities, days). */
const gridValue = fc.oneof(
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }).map((k) => k / 1000),
);
const termsArb = fc.dictionary(issueName, gridValue, { minKeys: 1, maxKeys: 8 });

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The same number as a client might type it: trailing zeros, exponent form, via JSON. */
function retyped(v: number, zeros: number, style: number): number {
  const fixed = v.toFixed(3) + '0'.repeat(zeros); // 5.5 → "5.500000"
  if (style === 0) return Number(fixed);
  if (style === 1) return JSON.parse(`{"v":${fixed}}`).v;
  return Number(`${(v * 1000).toFixed(0)}e-3`);
}

describe('agreement key properties', () => {
  const runs = long ? 3000 : 300;

  it('same terms in any key order and number format give the same key', () => {
    fc.assert(
      fc.property(termsArb, fc.nat(), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 }), (terms, seed, zeros, style) => {
        const keys = shuffled(Object.keys(terms), seed);
        const again: Terms = {};
        for (const k of keys) again[k] = retyped(terms[k], zeros, style);
        expect(agreementKey(again)).toBe(agreementKey(terms));
      }),
      { numRuns: runs },
    );
    row('agreement key: same terms, keys shuffled, numbers retyped (5.5 / 5.50 / 5500e-3 / JSON)', runs, `same key ×${runs}`);
  });

  it('float noise (sums like 0.1 + 0.2, ±1e-8) and -0 do not change the key', () => {
    const cents = fc.integer({ min: 0, max: 10_000_000 });
    fc.assert(
      fc.property(issueName, cents, cents, fc.double({ min: -1e-8, max: 1e-8, noNaN: true }), (name, a, b, noise) => {
        const exact = (a + b) / 100;
        const summed = a / 100 + b / 100; // 0.1 + 0.2 = 0.30000000000000004
        expect(agreementKey({ [name]: summed })).toBe(agreementKey({ [name]: exact }));
        expect(agreementKey({ [name]: exact + noise })).toBe(agreementKey({ [name]: exact }));
        expect(agreementKey({ [name]: -0 })).toBe(agreementKey({ [name]: 0 }));
      }),
      { numRuns: runs },
    );
    row('agreement key: float noise (a/100 + b/100 vs (a+b)/100, ±1e-8 added, -0 vs 0)', runs, `same key ×${runs}`);
  });

  it('different terms give different keys (a changed value, an added, removed or renamed issue)', () => {
    const change = fc.oneof(
      fc.record({ type: fc.constant('value' as const), delta: fc.integer({ min: 1, max: 1_000_000 }), sign: fc.boolean() }),
      fc.record({ type: fc.constant('add' as const), name: issueName, value: gridValue }),
      fc.record({ type: fc.constant('remove' as const) }),
      fc.record({ type: fc.constant('rename' as const), name: issueName }),
    );
    let compared = 0;
    fc.assert(
      fc.property(termsArb, change, fc.nat(), (terms, c, pick) => {
        const keys = Object.keys(terms);
        const k = keys[pick % keys.length];
        const other: Terms = { ...terms };
        if (c.type === 'value') other[k] = Math.round((terms[k] + ((c.sign ? 1 : -1) * c.delta) / 1000) * 1000) / 1000;
        if (c.type === 'add') {
          fc.pre(!(c.name in terms));
          other[c.name] = c.value;
        }
        if (c.type === 'remove') {
          fc.pre(keys.length > 1);
          delete other[k];
        }
        if (c.type === 'rename') {
          fc.pre(!(c.name in terms));
          delete other[k];
          other[c.name] = terms[k];
        }
        compared++;
        expect(agreementKey(other)).not.toBe(agreementKey(terms));
      }),
      { numRuns: runs },
    );
    row('agreement key: terms that differ (value ≥ 0.001 apart, issue added/removed/renamed)', compared, `different key ×${compared}`);
  });

  it('non-finite values (NaN, ±Infinity, 1e309) are refused, never hashed', () => {
    const bad = [NaN, Infinity, -Infinity, Number('1e309'), -Number('1e309')];
    for (const v of bad) expect(() => agreementKey({ price: 5, quantity: v })).toThrow();
    row('agreement key: NaN / Infinity / -Infinity / 1e309 / -1e309 in terms', bad.length, `refused (throws) ×${bad.length}`);
  });
});

// ---------------------------------------------------------------- settlement

const TEAMS = ['ann@x.edu', 'ben@x.edu', 'cat@x.edu', 'dan@x.edu'];
const prefix = (email: string) => email.split('@')[0];

interface Deal {
  initiator: number;
  responder: number;
  initiatorRole: 'buyer' | 'seller';
  chemical: Chemical;
  /** Price per unit, in cents on the grid the gateway accepts. */
  priceCents: number;
  quantity: number;
  /** The responder rewrites its state to pending right before the claim. */
  withdrawn: boolean;
  /** The two parties agreed to different prices. */
  mismatch: boolean;
}

const dealArb: fc.Arbitrary<Deal> = fc
  .record({
    initiator: fc.integer({ min: 0, max: TEAMS.length - 1 }),
    offset: fc.integer({ min: 1, max: TEAMS.length - 1 }),
    initiatorRole: fc.constantFrom('buyer' as const, 'seller' as const),
    chemical: fc.constantFrom(...CHEMICALS),
    priceCents: fc.integer({ min: 1, max: 2_000 }),
    quantity: fc.integer({ min: 1, max: 250 }),
    // one in five withdrawn before the claim, one in ten agreed to different prices
    kind: fc.integer({ min: 0, max: 9 }),
  })
  .map(({ offset, kind, ...d }) => ({ ...d, responder: (d.initiator + offset) % TEAMS.length, withdrawn: kind < 2, mismatch: kind === 2 }));

const holdingsArb: fc.Arbitrary<Holdings> = fc.record({
  cash: fc.integer({ min: 0, max: 20_000 }),
  C: fc.integer({ min: 0, max: 600 }),
  N: fc.integer({ min: 0, max: 600 }),
  D: fc.integer({ min: 0, max: 600 }),
  Q: fc.integer({ min: 0, max: 600 }),
});

interface RunStats {
  deals: number;
  settled: number;
  failed: number;
  withdrawn: number;
  mismatched: number;
}

/** Builds the deals in a fresh DATA_DIR, settles them with two concurrent "workers" (each check twice), then sweeps. */
async function settleScenario(startHoldings: Holdings[], deals: Deal[], stats: RunStats): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-prop-'));
  try {
    const paths = new DataPaths(dir);
    const teams = new TeamStore(paths);
    const store = new NegotiationStore(paths);
    for (const [i, email] of TEAMS.entries())
      await teams.create({ email, name: email, role: 'student', password_hash: 'x', holdings: startHoldings[i] });

    const created: { id: string; owner: string; deal: Deal; buyer: string; seller: string; terms: Terms }[] = [];
    const withdrawnIds = new Map<string, PartyState>();
    for (const deal of deals) {
      const initiator = TEAMS[deal.initiator];
      const responder = TEAMS[deal.responder];
      const meta = await store.createPeer({
        initiator,
        responder,
        initiatorRole: deal.initiatorRole,
        chemical: deal.chemical,
        ttlMs: 3_600_000,
      });
      const responderRole = deal.initiatorRole === 'buyer' ? 'seller' : 'buyer';
      const terms: Terms = { price: deal.priceCents / 100, quantity: deal.quantity };
      const theirs: Terms = deal.mismatch
        ? { quantity: deal.quantity, price: (deal.priceCents + 1) / 100 }
        : { quantity: deal.quantity, price: deal.priceCents / 100 };
      const t = Math.floor(Date.now() / 1000);
      const state = (user: string, role: string, tm: Terms, status: 'agreed' | 'pending'): PartyState => ({
        user,
        role,
        chemical: deal.chemical,
        offer: { ...tm, timestamp: t },
        status,
        ...(status === 'agreed' ? { agreement_key: agreementKey(tm) } : {}),
        last_updated: t,
      });
      const dirOf = paths.negotiation(initiator, meta.id);
      await writeJsonAtomic(join(dirOf, `${prefix(initiator)}_state.json`), state(initiator, deal.initiatorRole, terms, 'agreed'));
      await writeJsonAtomic(join(dirOf, `${prefix(responder)}_state.json`), state(responder, responderRole, theirs, 'agreed'));
      if (deal.withdrawn) withdrawnIds.set(meta.id, state(responder, responderRole, theirs, 'pending'));
      const buyer = deal.initiatorRole === 'buyer' ? initiator : responder;
      created.push({ id: meta.id, owner: initiator, deal, buyer, seller: buyer === initiator ? responder : initiator, terms });
    }

    // the withdrawal lands between the settler's first look and its claim
    const hooks = {
      beforeClaim: async (owner: string, id: string) => {
        const pending = withdrawnIds.get(id);
        // the other settler may hold the claim right now; the first hook already wrote the withdrawal
        if (pending)
          await writeJsonAtomic(join(paths.negotiation(owner, id), `${prefix(pending.user)}_state.json`), pending).catch(() => undefined);
      },
    };
    const workers = [new Settlement({ paths, hooks }), new Settlement({ paths, hooks })];
    // two workers check every negotiation at the same time, three negotiations at once
    for (let i = 0; i < created.length; i += 3) {
      const batch = created.slice(i, i + 3);
      // allSettled: a failing check must not leave its twin writing into a directory we are about to delete
      const results = await Promise.allSettled(batch.flatMap((c) => workers.map((w) => w.check(c.owner, c.id))));
      for (const r of results) if (r.status === 'rejected') throw r.reason;
    }
    await workers[0].sweep({ claimStaleMs: 0 });
    await workers[1].sweep({ claimStaleMs: 0 });

    // holdings never negative, and trading moves cash and goods without creating or losing any
    const totalsBefore = sum(startHoldings);
    const after: Holdings[] = [];
    for (const email of TEAMS) {
      const h = await teamHoldings(paths, email);
      after.push(h);
      for (const [k, v] of Object.entries(h)) if (v < 0) throw new Error(`${email} holds ${v} ${k}`);
    }
    const totalsAfter = sum(after);
    for (const k of Object.keys(totalsBefore) as (keyof Holdings)[]) expect(totalsAfter[k]).toBeCloseTo(totalsBefore[k], 4);

    // each agreement: exactly one pair of transaction files if settled, none otherwise
    const txByTeam = new Map(TEAMS.map((e) => [e, readTx(paths, e)]));
    let pairs = 0;
    for (const c of created) {
      const buys = txByTeam.get(c.buyer)!.filter((t) => t.negotiation_id === c.id);
      const sells = txByTeam.get(c.seller)!.filter((t) => t.negotiation_id === c.id);
      const located = await store.locate(c.owner, c.id);
      const outcome = located?.place === 'archived' ? await store.readOutcome(located.dir) : null;
      if (c.deal.withdrawn || c.deal.mismatch) {
        expect(located?.place).toBe('active');
        expect(buys.length + sells.length).toBe(0);
        if (c.deal.withdrawn) stats.withdrawn++;
        else stats.mismatched++;
        continue;
      }
      expect(located?.place).toBe('archived');
      if (outcome?.status === 'completed') {
        expect(buys).toEqual([
          expect.objectContaining({
            type: 'buy',
            price: c.terms.price,
            quantity: c.terms.quantity,
            chemical: c.deal.chemical,
            counterparty: c.seller,
          }),
        ]);
        expect(sells).toEqual([
          expect.objectContaining({
            type: 'sell',
            price: c.terms.price,
            quantity: c.terms.quantity,
            chemical: c.deal.chemical,
            counterparty: c.buyer,
          }),
        ]);
        pairs++;
        stats.settled++;
      } else {
        expect(outcome?.status).toBe('failed');
        expect(buys.length + sells.length).toBe(0);
        stats.failed++;
      }
    }
    const allTx = [...txByTeam.values()].reduce((n, list) => n + list.length, 0);
    expect(allTx).toBe(2 * pairs);
    stats.deals += created.length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readTx(paths: DataPaths, email: string): Transaction[] {
  let names: string[];
  try {
    names = readdirSync(paths.transactionsDir(email));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json'))
    .map((n) => JSON.parse(readFileSync(join(paths.transactionsDir(email), n), 'utf8')) as Transaction);
}

function sum(list: Holdings[]): Holdings {
  const out: Holdings = { cash: 0, C: 0, N: 0, D: 0, Q: 0 };
  for (const h of list) for (const k of Object.keys(out) as (keyof Holdings)[]) out[k] += h[k];
  return out;
}

describe('settlement properties (real files, two concurrent settlers)', () => {
  it('holdings never go negative, each agreement settles at most once, a withdrawn one never settles', async () => {
    const runs = long ? 200 : 12;
    const stats: RunStats = { deals: 0, settled: 0, failed: 0, withdrawn: 0, mismatched: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(holdingsArb, { minLength: TEAMS.length, maxLength: TEAMS.length }),
        fc.array(dealArb, { minLength: 1, maxLength: long ? 14 : 6 }),
        (h, deals) => settleScenario(h, deals, stats),
      ),
      { numRuns: runs },
    );
    console.log(
      `settlement properties: ${runs} runs, ${stats.deals} deals — settled ${stats.settled}, failed (could not afford) ${stats.failed}, withdrawn ${stats.withdrawn}, mismatched ${stats.mismatched}`,
    );
    expect(stats.settled).toBeGreaterThan(0);
    expect(stats.withdrawn).toBeGreaterThan(0);
    row(
      `settlement: random deal sequences between ${TEAMS.length} teams (random holdings), each checked by 2 settlers at once, then 2 sweeps`,
      stats.deals,
      `settled once ×${stats.settled}, refused as unaffordable ×${stats.failed}, withdrawn-before-claim never settled ×${stats.withdrawn}, mismatched never settled ×${stats.mismatched}; holdings never negative, totals conserved`,
    );
  }, 120_000);
});
