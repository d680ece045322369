import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataPaths } from './paths';
import { TeamStore } from './teams';
import { teamHoldings } from './holdings';
import { closeWithoutTrade, readDecision } from './ledger';
import { Trade, settleTrade } from './transactions';

describe('the trade ledger: exclusive creation instead of locks', () => {
  let dir: string;
  let paths: DataPaths;
  const seller = 'seller@x.edu';
  const [b1, b2] = ['b1@x.edu', 'b2@x.edu'];
  const T = 1_800_000_000;
  const trade = (buyer: string, n: number): Trade => ({
    negotiation_id: `seller_${buyer.split('@')[0]}_C_${T + n}`,
    chemical: 'C',
    price: 2,
    quantity: 1500,
    buyer,
    seller,
    timestamp: T + n,
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-ledger-'));
    paths = new DataPaths(dir);
    const teams = new TeamStore(paths);
    await teams.create({ email: seller, name: 's', role: 'student', password_hash: 'x', holdings: { cash: 0, C: 2000, N: 0, D: 0, Q: 0 } });
    for (const email of [b1, b2])
      await teams.create({ email, name: email, role: 'student', password_hash: 'x', holdings: { cash: 10_000, C: 0, N: 0, D: 0, Q: 0 } });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A settler that stops at `point` until released: the pause of a stopped process, any length. */
  function pausedAt(point: 'beforeLeg' | 'beforeDecision') {
    let release!: () => void;
    let reached!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const atPoint = new Promise<void>((r) => (reached = r));
    const hook = async () => {
      reached();
      await gate;
    };
    return { hooks: { [point]: hook }, release, atPoint };
  }

  it('a settler paused after its holdings check loses its slot: its sale fails, the other one settles, never both', async () => {
    const p = pausedAt('beforeLeg');
    const first = settleTrade(paths, seller, trade(b1, 1), { hooks: p.hooks });
    await p.atPoint;
    expect((await settleTrade(paths, seller, trade(b2, 2))).status).toBe('completed');
    p.release();
    const d = await first;
    expect(d.status).toBe('failed');
    expect(await teamHoldings(paths, seller)).toMatchObject({ C: 500, cash: 3000 });
    expect(await teamHoldings(paths, b1)).toMatchObject({ C: 0, cash: 10_000 });
  });

  it('a resumed settler that finds the trade decided failed writes nothing', async () => {
    const p = pausedAt('beforeLeg');
    const first = settleTrade(paths, seller, trade(b1, 1), { hooks: p.hooks });
    await p.atPoint;
    // meanwhile another settler sells 1,500 elsewhere and a sweep judges the paused sale
    expect((await settleTrade(paths, seller, trade(b2, 2))).status).toBe('completed');
    expect((await settleTrade(paths, seller, trade(b1, 1))).status).toBe('failed');
    p.release();
    expect((await first).status).toBe('failed');
    expect(await teamHoldings(paths, seller)).toMatchObject({ C: 500 });
  });

  it('legs written before a pause hold the goods: a competing sale fails, the paused one completes on resume', async () => {
    const p = pausedAt('beforeDecision');
    const first = settleTrade(paths, seller, trade(b1, 1), { hooks: p.hooks });
    await p.atPoint;
    expect(await settleTrade(paths, seller, trade(b2, 2))).toMatchObject({ status: 'failed', reason: `${seller} holds 500 C, needs 1500` });
    // undecided: nothing owned has moved yet
    expect(await teamHoldings(paths, seller)).toMatchObject({ C: 2000, cash: 0 });
    p.release();
    expect((await first).status).toBe('completed');
    expect(await teamHoldings(paths, seller)).toMatchObject({ C: 500, cash: 3000 });
    expect(await teamHoldings(paths, b1)).toMatchObject({ C: 1500, cash: 7000 });
  });

  it('a negotiation closed without a trade cannot be completed later by a paused settler', async () => {
    const p = pausedAt('beforeDecision');
    const first = settleTrade(paths, seller, trade(b1, 1), { hooks: p.hooks });
    await p.atPoint;
    expect((await closeWithoutTrade(paths, seller, trade(b1, 1).negotiation_id, 'rejected')).status).toBe('failed');
    p.release();
    expect((await first).status).toBe('failed');
    expect(await readDecision(paths, seller, trade(b1, 1).negotiation_id)).toMatchObject({ status: 'failed', reason: 'rejected' });
    expect(await teamHoldings(paths, seller)).toMatchObject({ C: 2000 });
    // the held-back 1,500 C are free again
    expect((await settleTrade(paths, seller, trade(b2, 2))).status).toBe('completed');
  });
});
