import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataPaths } from './paths';
import { Trade, negotiationTsPart, removeTransaction, transactionFileName, writeTransaction } from './transactions';

describe('transaction files (seed 000 names and fields)', () => {
  let dir: string;
  let paths: DataPaths;
  const trade: Trade = {
    negotiation_id: 'alice_bob_C_1704312345-2',
    chemical: 'C',
    price: 5.5,
    quantity: 1000,
    buyer: 'alice@stonybrook.edu',
    seller: 'bob@stonybrook.edu',
    timestamp: 1704312400,
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-tx-'));
    paths = new DataPaths(dir);
    for (const t of [trade.buyer, trade.seller]) mkdirSync(paths.teamDir(t), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const read = (email: string, name: string) => JSON.parse(readFileSync(paths.transaction(email, name), 'utf8'));

  it('names both sides after seed 000, ended with the negotiation id timestamp part', () => {
    expect(negotiationTsPart('alice_bob_C_1704312345')).toBe('1704312345');
    expect(transactionFileName('buy', trade)).toBe('1704312400_buy_C_from_bob_1704312345-2.json');
    expect(transactionFileName('sell', trade)).toBe('1704312400_sell_C_to_alice_1704312345-2.json');
  });

  it('writes exactly the seed fields, and a retry rewrites the same file', async () => {
    const buy = await writeTransaction(paths, 'buy', trade);
    const sell = await writeTransaction(paths, 'sell', trade);
    expect(await writeTransaction(paths, 'buy', trade)).toBe(buy);
    expect(readdirSync(paths.transactionsDir(trade.buyer))).toEqual([buy]);
    expect(read(trade.buyer, buy)).toEqual({
      type: 'buy',
      chemical: 'C',
      price: 5.5,
      quantity: 1000,
      counterparty: 'bob@stonybrook.edu',
      negotiation_id: 'alice_bob_C_1704312345-2',
      timestamp: 1704312400,
      settled: false,
    });
    expect(Object.keys(read(trade.seller, sell))).toEqual([
      'type',
      'chemical',
      'price',
      'quantity',
      'counterparty',
      'negotiation_id',
      'timestamp',
      'settled',
    ]);
    expect(read(trade.seller, sell)).toMatchObject({ type: 'sell', counterparty: 'alice@stonybrook.edu' });
  });

  it('never overwrites another negotiation whose name clashes (bob_alice_C_T beside alice_bob_C_T)', async () => {
    const other: Trade = { ...trade, negotiation_id: 'bob_alice_C_1704312345-2' };
    const first = await writeTransaction(paths, 'buy', trade);
    const second = await writeTransaction(paths, 'buy', other);
    expect(second).not.toBe(first);
    expect(readdirSync(paths.transactionsDir(trade.buyer)).sort()).toEqual([first, second].sort());
    expect(await writeTransaction(paths, 'buy', other)).toBe(second);
    await removeTransaction(paths, 'buy', other);
    expect(readdirSync(paths.transactionsDir(trade.buyer))).toEqual([first]);
  });

  it('removes only this negotiation’s file on rollback', async () => {
    const name = await writeTransaction(paths, 'sell', trade);
    writeFileSync(join(paths.transactionsDir(trade.seller), 'keep.json'), '{}');
    await removeTransaction(paths, 'sell', trade);
    await removeTransaction(paths, 'sell', trade);
    expect(readdirSync(paths.transactionsDir(trade.seller))).toEqual(['keep.json']);
    expect(name).toMatch(/_sell_/);
  });
});
