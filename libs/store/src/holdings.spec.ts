import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataPaths } from './paths';
import { applyTransaction, teamHoldings, tradeShortfall } from './holdings';
import { DEFAULT_HOLDINGS } from './teams';

describe('team holdings = init.json + transactions', () => {
  let dir: string;
  let paths: DataPaths;
  const alice = 'alice@x.edu';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-holdings-'));
    paths = new DataPaths(dir);
    mkdirSync(paths.transactionsDir(alice), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const init = (value: object) => writeFileSync(paths.init(alice), JSON.stringify(value));
  const tx = (name: string, value: object) => writeFileSync(join(paths.transactionsDir(alice), name), JSON.stringify(value));

  it('applies buys and sells at price per unit, whatever the files are called', async () => {
    init({ email: alice, holdings: { cash: 1000, C: 10, N: 0, D: 0, Q: 0 } });
    tx('1704312400_buy_C_from_bob_1704312345.json', {
      type: 'buy',
      chemical: 'C',
      price: 5.5,
      quantity: 100,
      counterparty: 'bob@x.edu',
      negotiation_id: 'alice_bob_C_1704312345',
      timestamp: 1704312400,
      settled: false,
    });
    tx('1234567890_sell_N.json', {
      type: 'sell',
      chemical: 'N',
      price: 0.1,
      quantity: 3,
      counterparty: 'bob@x.edu',
      timestamp: 1234567890,
      settled: false,
    });
    expect(await teamHoldings(paths, alice)).toEqual({ cash: 1000 - 550 + 0.3, C: 110, N: -3, D: 0, Q: 0 });
    expect(await teamHoldings(paths, alice, { excludeNegotiationId: 'alice_bob_C_1704312345' })).toEqual({
      cash: 1000.3,
      C: 10,
      N: -3,
      D: 0,
      Q: 0,
    });
  });

  it('uses the default holdings when a hand-made init.json has none', async () => {
    init({ email: alice, name: 'Alice' });
    expect(await teamHoldings(paths, alice)).toEqual(DEFAULT_HOLDINGS);
  });

  it('keeps cash free of float noise', () => {
    let h = { cash: 0.3, C: 0, N: 0, D: 0, Q: 0 };
    h = applyTransaction(h, { type: 'buy', chemical: 'C', price: 0.1, quantity: 2 });
    expect(h.cash).toBe(0.1);
  });

  it('names the file that is not a transaction, and an unknown team', async () => {
    init({ email: alice });
    tx('bad.json', { type: 'gift', chemical: 'C', price: 1, quantity: 1 });
    await expect(teamHoldings(paths, alice)).rejects.toThrow('bad.json');
    await expect(teamHoldings(paths, 'nobody@x.edu')).rejects.toThrow('does not exist');
  });

  it('says which side cannot afford a trade', () => {
    const h = { cash: 100, C: 5, N: 0, D: 0, Q: 0 };
    const trade = { chemical: 'C' as const, price: 10, quantity: 5, buyer: 'b@x.edu', seller: 's@x.edu' };
    expect(tradeShortfall(trade, h, h)).toBeNull();
    expect(tradeShortfall({ ...trade, quantity: 6 }, { ...h, cash: 1000 }, h)).toMatch(/s@x.edu holds 5 C, needs 6/);
    expect(tradeShortfall({ ...trade, price: 21 }, h, h)).toMatch(/b@x.edu has 100 cash, needs 105/);
  });
});

describe('cash is summed in whole cents', () => {
  it('0.10 + 0.20 + … is exact: ten sales of 0.1 and three buys of 19.99 leave exactly the cents they should', () => {
    let h = { ...DEFAULT_HOLDINGS, cash: 0.3 };
    for (let i = 0; i < 10; i++) h = applyTransaction(h, { type: 'sell', chemical: 'C', price: 0.1, quantity: 1 });
    for (let i = 0; i < 3; i++) h = applyTransaction(h, { type: 'buy', chemical: 'N', price: 19.99, quantity: 1 });
    // 0.30 + 1.00 − 59.97
    expect(h.cash).toBe(-58.67);
    expect(String(h.cash)).toBe('-58.67');
  });

  it('a buyer one cent short is refused; with exactly the cost it is not', () => {
    const trade = { chemical: 'C' as const, price: 0.1, quantity: 3, buyer: 'a@x.edu', seller: 'b@x.edu' };
    const seller = { ...DEFAULT_HOLDINGS };
    expect(tradeShortfall(trade, { ...DEFAULT_HOLDINGS, cash: 0.29 }, seller)).toMatch(/needs 0.3/);
    expect(tradeShortfall(trade, { ...DEFAULT_HOLDINGS, cash: 0.1 + 0.2 }, seller)).toBeNull();
  });
});
