import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, NegotiationUpdate, Outcome, PartyState, Terms } from '@parley/contracts';
import { DataPaths, MessageLog, NegotiationStore, TeamStore, teamHoldings, writeJsonAtomic } from '@parley/store';
import { agreementKey } from '@parley/negotiation';
import { Scorer, Settlement, SettlementDeps } from '.';

const alice = 'alice@x.edu';
const bob = 'bob@x.edu';
const carol = 'carol@x.edu';
const T = 1704312400;

describe('Settlement (claim, re-read, write, archive)', () => {
  let dir: string;
  let paths: DataPaths;
  let negotiations: NegotiationStore;
  let events: NegotiationUpdate[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-settle-'));
    paths = new DataPaths(dir);
    negotiations = new NegotiationStore(paths);
    events = [];
    const teams = new TeamStore(paths);
    for (const email of [alice, bob, carol]) {
      await teams.create({ email, name: email, role: 'student', password_hash: 'x', holdings: { cash: 10_000, C: 100, N: 0, D: 0, Q: 0 } });
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const settlement = (deps: Partial<SettlementDeps> = {}) =>
    new Settlement({ paths, events: { negotiationUpdate: (u) => void events.push(u) }, ...deps });

  const peer = (initiator = alice, responder = bob, initiatorRole: 'buyer' | 'seller' = 'buyer') =>
    negotiations.createPeer({ initiator, responder, initiatorRole, chemical: 'C', ttlMs: 3600_000 });

  const agreed = (user: string, role: string, terms: Terms, t = T): PartyState => ({
    user,
    role,
    chemical: 'C',
    offer: { ...terms, timestamp: t },
    status: 'agreed',
    agreement_key: agreementKey(terms),
    last_updated: t,
  });
  const pending = (user: string, role: string, terms: Terms): PartyState => ({
    user,
    role,
    chemical: 'C',
    offer: { ...terms, timestamp: T },
    status: 'pending',
    last_updated: T,
  });
  const write = (owner: string, id: string, s: PartyState) =>
    writeJsonAtomic(join(paths.negotiation(owner, id), `${s.user === 'ai' ? 'ai' : s.user.split('@')[0]}_state.json`), s);
  const txFiles = (email: string) => readdirSync(paths.transactionsDir(email)).sort();
  const outcomeOf = (owner: string, id: string): Outcome =>
    JSON.parse(readFileSync(join(paths.archivedNegotiation(owner, id), 'outcome.json'), 'utf8'));

  it('settles matching agreements: two transaction files, holdings, outcome, archive, responder link, event', async () => {
    const meta = await peer();
    await write(alice, meta.id, agreed(alice, 'buyer', { price: 5.5, quantity: 10 }));
    await write(alice, meta.id, agreed(bob, 'seller', { quantity: 10, price: 5.5 }, T + 5));

    const result = await settlement().check(alice, meta.id);

    expect(result.action).toBe('settled');
    const part = meta.id.split('_')[3];
    expect(txFiles(alice)).toEqual([`${T + 5}_buy_C_from_bob_${part}.json`]);
    expect(txFiles(bob)).toEqual([`${T + 5}_sell_C_to_alice_${part}.json`]);
    expect(JSON.parse(readFileSync(paths.transaction(alice, txFiles(alice)[0]), 'utf8'))).toEqual({
      type: 'buy',
      chemical: 'C',
      price: 5.5,
      quantity: 10,
      counterparty: bob,
      negotiation_id: meta.id,
      timestamp: T + 5,
      settled: false,
    });
    expect(await teamHoldings(paths, alice)).toMatchObject({ cash: 10_000 - 55, C: 110 });
    expect(await teamHoldings(paths, bob)).toMatchObject({ cash: 10_000 + 55, C: 90 });
    expect(existsSync(paths.negotiation(alice, meta.id))).toBe(false);
    expect(outcomeOf(alice, meta.id)).toMatchObject({
      status: 'completed',
      kind: 'peer',
      deal_terms: { agreed: true, terms: { price: 5.5, quantity: 10 } },
    });
    expect(lstatSync(paths.negotiation(bob, meta.id), { throwIfNoEntry: false })).toBeUndefined();
    expect(readlinkSync(paths.archivedNegotiation(bob, meta.id))).toBe(`../../${alice}/negotiations_archive/${meta.id}`);
    expect(existsSync(join(paths.archivedNegotiation(bob, meta.id), 'outcome.json'))).toBe(true);
    expect(events).toEqual([
      expect.objectContaining({
        negotiation_id: meta.id,
        status: 'completed',
        deal_terms: { agreed: true, terms: { price: 5.5, quantity: 10 } },
      }),
    ]);
    expect((await negotiations.locate(bob, meta.id))?.place).toBe('archived');
  });

  it('leaves different terms, a stale stored key, or one pending party untouched and unclaimed', async () => {
    const s = settlement();
    const a = await peer();
    await write(alice, a.id, agreed(alice, 'buyer', { price: 5.5, quantity: 10 }));
    await write(alice, a.id, agreed(bob, 'seller', { price: 5.6, quantity: 10 }));
    const b = await peer(alice, carol);
    await write(alice, b.id, agreed(alice, 'buyer', { price: 5, quantity: 10 }));
    await write(alice, b.id, {
      ...agreed(carol, 'seller', { price: 5, quantity: 10 }),
      agreement_key: agreementKey({ price: 6, quantity: 10 }),
    });
    const c = await peer(bob, carol);
    await write(bob, c.id, agreed(bob, 'buyer', { price: 5, quantity: 10 }));
    await write(bob, c.id, pending(carol, 'seller', { price: 5, quantity: 10 }));

    for (const [owner, id] of [
      [alice, a.id],
      [alice, b.id],
      [bob, c.id],
    ]) {
      expect((await s.check(owner, id)).action).toBe('untouched');
      expect(existsSync(join(paths.negotiation(owner, id), 'negotiation.json'))).toBe(true);
    }
    expect(existsSync(paths.transactionsDir(alice))).toBe(false);
    expect(events).toEqual([]);
  });

  it('archives a rejection as rejected without transactions', async () => {
    const meta = await peer();
    await write(alice, meta.id, agreed(alice, 'buyer', { price: 5, quantity: 10 }));
    await write(alice, meta.id, { ...pending(bob, 'seller', { price: 9, quantity: 10 }), status: 'rejected' });
    const result = await settlement().check(alice, meta.id);
    expect(result.action).toBe('rejected');
    expect(outcomeOf(alice, meta.id)).toMatchObject({ status: 'rejected', deal_terms: { agreed: false, terms: null } });
    expect(existsSync(paths.transactionsDir(alice))).toBe(false);
    expect(events[0]).toMatchObject({ status: 'rejected' });
  });

  it('never settles against a withdrawn agreement (pending written right before the claim)', async () => {
    const meta = await peer();
    await write(alice, meta.id, agreed(alice, 'buyer', { price: 5, quantity: 10 }));
    await write(alice, meta.id, agreed(bob, 'seller', { price: 5, quantity: 10 }));
    const s = settlement({ hooks: { beforeClaim: () => write(alice, meta.id, pending(bob, 'seller', { price: 5, quantity: 10 })) } });
    expect((await s.check(alice, meta.id)).action).toBe('untouched');
    expect(existsSync(paths.transactionsDir(alice))).toBe(false);
    const states = await negotiations.readStates(paths.negotiation(alice, meta.id));
    expect(states.find((x) => x.user === bob)?.status).toBe('pending');
  });

  it('a state write after the claim fails with NEGOTIATION_SETTLING instead of landing nowhere', async () => {
    const meta = await peer();
    await write(alice, meta.id, agreed(alice, 'buyer', { price: 5, quantity: 10 }));
    await write(alice, meta.id, agreed(bob, 'seller', { price: 5, quantity: 10 }));
    const located = (await negotiations.locate(bob, meta.id))!;
    let lateWrite: Promise<unknown> = Promise.resolve();
    const s = settlement({
      hooks: {
        betweenTransactions: async () => {
          lateWrite = negotiations.writeState(located, 'bob', pending(bob, 'seller', { price: 1, quantity: 1 })).then(
            () => 'written',
            (e) => e.code,
          );
          await lateWrite;
        },
      },
    });
    expect((await s.check(alice, meta.id)).action).toBe('settled');
    expect(await lateWrite).toBe(ErrorCode.NegotiationSettling);
    const archived = await negotiations.readStates(paths.archivedNegotiation(alice, meta.id));
    expect(archived.find((x) => x.user === bob)?.status).toBe('agreed');
  });

  it('a settler that dies between the two transaction files is finished by a resume: exactly one pair', async () => {
    const meta = await peer(bob, alice, 'seller');
    await write(bob, meta.id, agreed(bob, 'seller', { price: 2, quantity: 30 }));
    await write(bob, meta.id, agreed(alice, 'buyer', { price: 2, quantity: 30 }));
    const crashing = settlement({ hooks: { betweenTransactions: () => Promise.reject(new Error('killed')) } });
    await expect(crashing.check(bob, meta.id)).rejects.toThrow('killed');
    expect(existsSync(paths.claimedNegotiation(bob, meta.id))).toBe(true);
    expect(txFiles(alice)).toHaveLength(1);
    expect(existsSync(paths.transactionsDir(bob))).toBe(false);

    const again = settlement();
    expect((await again.check(bob, meta.id)).action).toBe('busy');
    const swept = await again.sweep({ claimStaleMs: 0 });
    expect(swept.find((r) => r.negotiation_id === meta.id)?.action).toBe('settled');
    expect(txFiles(alice)).toHaveLength(1);
    expect(txFiles(bob)).toHaveLength(1);
    expect(await teamHoldings(paths, alice)).toMatchObject({ cash: 10_000 - 60, C: 130 });
    expect(await teamHoldings(paths, bob)).toMatchObject({ cash: 10_000 + 60, C: 70 });
    expect(readlinkSync(paths.archivedNegotiation(alice, meta.id))).toContain(`${bob}/negotiations_archive/`);
  });

  it('a settler that dies after the trade was decided is finished as decided; a later deal sees the sale', async () => {
    const meta = await peer(bob, alice, 'seller');
    await write(bob, meta.id, agreed(bob, 'seller', { price: 1, quantity: 80 }));
    await write(bob, meta.id, agreed(alice, 'buyer', { price: 1, quantity: 80 }));
    await expect(
      settlement({ hooks: { betweenTransactions: () => Promise.reject(new Error('killed')) } }).check(bob, meta.id),
    ).rejects.toThrow();
    // meanwhile bob tries to sell 50 of his 100 C to carol: 80 are already sold
    const other = await peer(bob, carol, 'seller');
    await write(bob, other.id, agreed(bob, 'seller', { price: 1, quantity: 50 }));
    await write(bob, other.id, agreed(carol, 'buyer', { price: 1, quantity: 50 }));
    expect(await settlement().check(bob, other.id)).toMatchObject({
      action: 'failed',
      reason: expect.stringContaining('holds 20 C, needs 50'),
    });

    const swept = await settlement().sweep({ claimStaleMs: 0 });
    expect(swept.find((r) => r.negotiation_id === meta.id)).toMatchObject({ action: 'settled' });
    expect(txFiles(alice)).toHaveLength(1);
    expect(txFiles(bob)).toHaveLength(1);
    expect((await teamHoldings(paths, bob)).C).toBe(20);
  });

  it('a settler that dies before deciding holds back only what it was about to sell: a resume decides it', async () => {
    const meta = await peer(bob, alice, 'seller');
    await write(bob, meta.id, agreed(bob, 'seller', { price: 1, quantity: 80 }));
    await write(bob, meta.id, agreed(alice, 'buyer', { price: 1, quantity: 80 }));
    await expect(
      settlement({ hooks: { beforeDecision: () => Promise.reject(new Error('killed')) } }).check(bob, meta.id),
    ).rejects.toThrow();
    // undecided, so nothing moved yet and nothing is written, but the 80 C cannot be sold twice
    expect(existsSync(paths.transactionsDir(bob)) ? txFiles(bob) : []).toEqual([]);
    expect((await teamHoldings(paths, bob)).C).toBe(100);
    const other = await peer(bob, carol, 'seller');
    await write(bob, other.id, agreed(bob, 'seller', { price: 1, quantity: 50 }));
    await write(bob, other.id, agreed(carol, 'buyer', { price: 1, quantity: 50 }));
    expect(await settlement().check(bob, other.id)).toMatchObject({
      action: 'failed',
      reason: expect.stringContaining('holds 20 C, needs 50'),
    });
    const swept = await settlement().sweep({ claimStaleMs: 0 });
    expect(swept.find((r) => r.negotiation_id === meta.id)).toMatchObject({ action: 'settled' });
    expect((await teamHoldings(paths, bob)).C).toBe(20);
    expect((await teamHoldings(paths, alice)).C).toBe(180);
  });

  it('two deals that together would oversell: one settles, the other fails with a reason', async () => {
    const one = await peer(alice, bob, 'seller');
    const two = await peer(alice, carol, 'seller');
    for (const [m, buyer] of [
      [one, bob],
      [two, carol],
    ] as const) {
      await write(alice, m.id, agreed(alice, 'seller', { price: 1, quantity: 60 }));
      await write(alice, m.id, agreed(buyer, 'buyer', { price: 1, quantity: 60 }));
    }
    const results = await Promise.all([settlement().check(alice, one.id), settlement().check(alice, two.id)]);
    expect(results.map((r) => r.action).sort()).toEqual(['failed', 'settled']);
    expect(results.find((r) => r.action === 'failed')?.reason).toMatch(/alice@x.edu holds 40 C, needs 60/);
    expect((await teamHoldings(paths, alice)).C).toBe(40);
    expect(events.map((e) => e.status).sort()).toEqual(['completed', 'failed']);
    expect(events.find((e) => e.status === 'failed')?.reason).toMatch(/needs 60/);
  });

  it('one settler, two deals of one seller at once that together overdraw: one settles, the other is refused; the rest still fits', async () => {
    const s = settlement();
    const deal = async (buyer: string, quantity: number) => {
      const m = await peer(alice, buyer, 'seller');
      await write(alice, m.id, agreed(alice, 'seller', { price: 1, quantity }));
      await write(alice, m.id, agreed(buyer, 'buyer', { price: 1, quantity }));
      return m.id;
    };
    const [one, two] = [await deal(bob, 60), await deal(carol, 60)];
    const results = await Promise.all([s.check(alice, one), s.check(alice, two)]);
    expect(results.map((r) => r.action).sort()).toEqual(['failed', 'settled']);
    expect(results.find((r) => r.action === 'failed')?.reason).toMatch(/alice@x.edu holds 40 C, needs 60/);
    // what this settler remembers of alice's ledger after both: exactly the 40 C left can still be sold, not one more
    expect((await s.check(alice, await deal(bob, 41))).reason).toMatch(/holds 40 C, needs 41/);
    expect((await s.check(alice, await deal(carol, 40))).action).toBe('settled');
    expect(await teamHoldings(paths, alice)).toMatchObject({ C: 0, cash: 10_100 });
    expect(txFiles(alice)).toHaveLength(2);
    // every file the journal named is written and durable: its segment is retired on shutdown
    await s.shutdown();
    expect(readdirSync(join(dir, 'settlement_journal'))).toEqual([]);
  });

  it("recovery writes what a dead settler's journal names and the disk lost: a transaction file gone, an outcome torn", async () => {
    const m = await peer(alice, bob, 'buyer');
    await write(alice, m.id, agreed(alice, 'buyer', { price: 2, quantity: 10 }));
    await write(alice, m.id, agreed(bob, 'seller', { price: 2, quantity: 10 }));
    const first = settlement();
    expect((await first.check(alice, m.id)).action).toBe('settled');
    await first.shutdown();
    // what a power loss can leave when the records were on disk but the files were not yet
    const decision = JSON.parse(readFileSync(paths.tradeDecision(alice, m.id), 'utf8'));
    const outcomeFile = join(paths.archivedNegotiation(alice, m.id), 'outcome.json');
    const outcome = JSON.parse(readFileSync(outcomeFile, 'utf8'));
    const [sellFile] = txFiles(bob);
    rmSync(join(paths.transactionsDir(bob), sellFile));
    writeFileSync(outcomeFile, '{"negotiation_');
    // the records, in the segment of a process that is gone
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const segment = join(dir, 'settlement_journal', `${hostname().replace(/[^A-Za-z0-9-]/g, '-')}.${dead}.0.jsonl`);
    const records = [
      { kind: 'trade', owner: alice, decision },
      { kind: 'outcome', owner: alice, id: m.id, outcome },
    ];
    writeFileSync(segment, records.map((r) => JSON.stringify(r) + '\n').join(''));

    expect(await settlement().recover()).toEqual({ records: 2, failed: 0 });
    expect(txFiles(bob)).toEqual([sellFile]);
    expect(txFiles(alice)).toHaveLength(1);
    expect(outcomeOf(alice, m.id)).toEqual(outcome);
    expect(await teamHoldings(paths, bob)).toMatchObject({ cash: 10_020, C: 90 });
    expect(existsSync(segment)).toBe(false);
  });

  it('settles an AI negotiation with the injected scorer, and scores a walk-away too', async () => {
    const final_score = { claiming_value: 80, creating_value: 70, managing_relationships: 90, overall: 80 };
    const score_explanations = { claiming_value: 'a', creating_value: 'b', managing_relationships: 'c', overall: 'd' };
    const calls: unknown[] = [];
    const scorer: Scorer = {
      score: async (input) => (
        calls.push({ status: input.status, terms: input.terms, lines: input.transcript.length }),
        { final_score, score_explanations }
      ),
    };
    const s = settlement({ scorer });
    const deal = await negotiations.createAi(alice, 'salary', 'candidate', 'recruiter', 3600_000);
    await new MessageLog().append(paths.negotiation(alice, deal.id), 'alice', [
      { id: 'm1', seq: 1, negotiation_id: deal.id, sender_type: 'user', sender: alice, content: 'hi', timestamp: new Date().toISOString() },
    ]);
    await write(alice, deal.id, agreed(alice, 'candidate', { salary: 80000, bonus: 5 }));
    await write(alice, deal.id, agreed('ai', 'recruiter', { bonus: 5, salary: 80000 }));
    expect((await s.check(alice, deal.id)).action).toBe('settled');
    expect(outcomeOf(alice, deal.id)).toMatchObject({ kind: 'ai', status: 'completed', final_score, score_explanations });
    expect(events[0]).toMatchObject({ status: 'completed', final_score, deal_terms: { agreed: true, terms: { salary: 80000, bonus: 5 } } });

    const walk = await negotiations.createAi(alice, 'salary', 'candidate', 'recruiter', 3600_000);
    await write(alice, walk.id, pending(alice, 'candidate', { salary: 90000 }));
    await write(alice, walk.id, { ...pending('ai', 'recruiter', { salary: 70000 }), status: 'rejected' });
    expect((await s.check(alice, walk.id)).action).toBe('rejected');
    expect(outcomeOf(alice, walk.id)).toMatchObject({ status: 'rejected', final_score, reason: 'the AI walked away' });
    expect(calls).toEqual([
      { status: 'completed', terms: { salary: 80000, bonus: 5 }, lines: 1 },
      { status: 'rejected', terms: null, lines: 0 },
    ]);
  });

  it('expires a negotiation without activity for staleAfterMs (injected clock), and not a recent one', async () => {
    let now = Date.now();
    const s = settlement({ now: () => now });
    const idle = await peer();
    await write(alice, idle.id, pending(alice, 'buyer', { price: 5, quantity: 10 }));
    const busy = await peer(alice, carol);
    await write(alice, busy.id, {
      ...pending(alice, 'buyer', { price: 5, quantity: 10 }),
      last_updated: Math.floor((now + 24 * 3600_000) / 1000),
    });
    now += 25 * 3600_000;
    const results = await s.staleCleanup(24 * 3600_000);
    expect(results.find((r) => r.negotiation_id === idle.id)?.action).toBe('expired');
    expect(results.find((r) => r.negotiation_id === busy.id)?.action).toBe('untouched');
    expect(outcomeOf(alice, idle.id)).toMatchObject({ status: 'expired', deal_terms: { agreed: false, terms: null } });
    expect(readlinkSync(paths.archivedNegotiation(bob, idle.id))).toContain('negotiations_archive');
    expect(events).toEqual([expect.objectContaining({ negotiation_id: idle.id, status: 'expired' })]);
  });

  it('never expires a directory that is still being created (no negotiation.json, no state yet)', async () => {
    const id = 'alice_bob_C_1704312999';
    mkdirSync(paths.negotiation(alice, id), { recursive: true });
    const results = await settlement({ now: () => Date.now() + 25 * 3600_000 }).staleCleanup(24 * 3600_000);
    expect(results.find((r) => r.negotiation_id === id)?.action).toBe('untouched');
    expect(existsSync(paths.negotiation(alice, id))).toBe(true);
    expect(existsSync(paths.claimedDir(alice))).toBe(false);
  });

  it('a scorer that throws does not keep an AI negotiation claimed: it settles without a score', async () => {
    const s = settlement({ scorer: { score: () => Promise.reject(new Error('broken scenario file')) } });
    const deal = await negotiations.createAi(alice, 'salary', 'candidate', 'recruiter', 3600_000);
    await write(alice, deal.id, agreed(alice, 'candidate', { salary: 1 }));
    await write(alice, deal.id, agreed('ai', 'recruiter', { salary: 1 }));
    expect((await s.check(alice, deal.id)).action).toBe('settled');
    expect(outcomeOf(alice, deal.id).final_score).toBeUndefined();
  });

  it('finishes an archive whose responder link was not moved yet (sweep repairs the dangling link)', async () => {
    const meta = await peer();
    await write(alice, meta.id, agreed(alice, 'buyer', { price: 5, quantity: 10 }));
    await write(alice, meta.id, agreed(bob, 'seller', { price: 5, quantity: 10 }));
    const s = settlement();
    await s.files.claim(alice, meta.id);
    await s.files.writeOutcome(alice, meta.id, {
      negotiation_id: meta.id,
      kind: 'peer',
      status: 'rejected',
      deal_terms: { agreed: false, terms: null },
      settled_at: T,
    });
    await s.files.archive(alice, meta.id);
    expect(lstatSync(paths.negotiation(bob, meta.id)).isSymbolicLink()).toBe(true);
    await s.sweep();
    expect(lstatSync(paths.negotiation(bob, meta.id), { throwIfNoEntry: false })).toBeUndefined();
    expect(existsSync(join(paths.archivedNegotiation(bob, meta.id), 'outcome.json'))).toBe(true);
  });

  it('a later pass of the same sweeper finds an agreement written since (its check lost) and leaves the quiet ones', async () => {
    // a clock a minute ahead: every directory counts as settled since the last pass, so the quick path is taken
    const s = settlement({ now: () => Date.now() + 60_000 });
    const quiet = await peer(alice, bob);
    const later = await peer(alice, carol);
    await write(alice, quiet.id, pending(alice, 'buyer', { price: 1, quantity: 1 }));
    await write(alice, later.id, pending(alice, 'buyer', { price: 2, quantity: 5 }));
    expect((await s.sweep()).map((r) => r.action)).toEqual(['untouched', 'untouched']);
    expect((await s.sweep()).map((r) => r.action)).toEqual(['untouched', 'untouched']);

    // as the gateway writes: NegotiationStore.writeState
    const located = (await negotiations.locate(carol, later.id))!;
    await negotiations.writeState(located, 'alice', agreed(alice, 'buyer', { price: 2, quantity: 5 }));
    await negotiations.writeState(located, 'carol', agreed(carol, 'seller', { price: 2, quantity: 5 }));
    const next = await s.sweep();
    expect(next.find((r) => r.negotiation_id === later.id)?.action).toBe('settled');
    expect(next.find((r) => r.negotiation_id === quiet.id)?.action).toBe('untouched');
    expect(txFiles(carol)).toHaveLength(1);
    expect(lstatSync(paths.negotiation(carol, later.id), { throwIfNoEntry: false })).toBeUndefined();
  });

  it('an agreement written past the marker (another program) is found by the periodic full pass', async () => {
    const s = settlement({ now: () => Date.now() + 60_000 });
    const meta = await peer(alice, bob);
    await write(alice, meta.id, pending(alice, 'buyer', { price: 1, quantity: 1 }));
    await s.sweep();
    await s.sweep();
    // straight into the directory, as seed 000's program would: the team's marker does not move
    await write(alice, meta.id, agreed(alice, 'buyer', { price: 1, quantity: 1 }));
    await write(alice, meta.id, agreed(bob, 'seller', { price: 1, quantity: 1 }));
    const actions: string[] = [];
    for (let pass = 0; pass < 10 && !actions.includes('settled'); pass++) actions.push((await s.sweep())[0].action);
    expect(actions).toEqual([...new Array(8).fill('untouched'), 'settled']);
    expect(txFiles(bob)).toHaveLength(1);
  });

  it('a pass that gives way to checks still finishes and finds a lost agreement; a second call meanwhile does not run another', async () => {
    const s = settlement();
    const metas = [];
    for (let i = 0; i < 30; i++) metas.push(await peer(alice, bob));
    for (const m of metas) await write(alice, m.id, pending(alice, 'buyer', { price: 1, quantity: 1 }));
    const lost = metas[29];
    await write(alice, lost.id, agreed(alice, 'buyer', { price: 1, quantity: 1 }));
    await write(alice, lost.id, agreed(bob, 'seller', { price: 1, quantity: 1 }));
    // a check that runs for the whole pass (a stream of them): the pass paces itself, it does not wait forever
    s.activity.checking++;
    try {
      const pass = s.sweep();
      expect(await s.sweep()).toEqual([]);
      const results = await pass;
      expect(results.find((r) => r.negotiation_id === lost.id)?.action).toBe('settled');
      expect(results.filter((r) => r.action === 'untouched')).toHaveLength(29);
    } finally {
      s.activity.ended();
    }
    expect(txFiles(bob)).toHaveLength(1);
  });

  it("counts only the checks jobs ask for as the activity the sweep gives way to, not the sweep's own", async () => {
    const s = settlement();
    const m = await peer(alice, bob);
    await write(alice, m.id, agreed(alice, 'buyer', { price: 1, quantity: 1 }));
    await write(alice, m.id, agreed(bob, 'seller', { price: 1, quantity: 1 }));
    const results = await s.sweep();
    expect(results.find((r) => r.negotiation_id === m.id)?.action).toBe('settled');
    expect(s.activity.recent(60_000)).toBe(false);
    expect((await s.checkJob(alice, m.id)).action).toBe('missing');
    expect(s.activity.recent(60_000)).toBe(true);
  });

  it('refuses ids and e-mails that are not valid before touching a path', async () => {
    await expect(settlement().check('../etc@x.y', 'alice_bob_C_1704312345')).rejects.toMatchObject({ code: ErrorCode.InvalidPayload });
    await expect(settlement().check(alice, '../../x')).rejects.toMatchObject({ code: ErrorCode.InvalidPayload });
  });
});
