import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NegotiationMeta, PartyState } from '@parley/contracts';
import { agreementKey } from '@parley/negotiation';
import { DataPaths, MarketStore, NegotiationFiles, NegotiationStore, OrderStore } from '@parley/store';
import { MarketBook } from './market-book';

describe('MarketBook.assertCanHonour on the free board', () => {
  const alice = 'alice@x.edu';
  const bob = 'bob@x.edu';
  let root: string;
  let paths: DataPaths;
  let store: NegotiationStore;
  let book: MarketBook;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'parley-book-'));
    paths = new DataPaths(root);
    for (const email of [alice, bob]) {
      mkdirSync(paths.teamDir(email), { recursive: true });
      const holdings = { cash: 100, C: 100, N: 0, D: 0, Q: 0 };
      writeFileSync(paths.init(email), JSON.stringify({ email, name: email, role: 'student', password_hash: 'x', holdings }));
    }
    store = new NegotiationStore(paths);
    book = new MarketBook(paths, new MarketStore(paths), new OrderStore(paths), store);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** alice agreed to buy 80 C at 1 in a new negotiation with bob */
  const aliceAgreesToBuy80 = async () => {
    const meta = await store.createPeer({ initiator: alice, initiatorRole: 'buyer', responder: bob, chemical: 'C', ttlMs: 86_400_000 });
    const terms = { price: 1, quantity: 80 };
    const state: PartyState = {
      user: alice,
      role: 'buyer',
      chemical: 'C',
      offer: { ...terms, timestamp: 1 },
      status: 'agreed',
      agreement_key: agreementKey(terms),
      last_updated: 1,
    };
    writeFileSync(join(paths.negotiation(alice, meta.id), NegotiationFiles.state('alice')), JSON.stringify(state));
    return meta;
  };
  const buy30 = () => book.assertCanHonour(alice, { id: 'new-order', side: 'buy', chemical: 'C', price_cents: 100, quantity: 30 });

  it('counts the cash promised in an open negotiation; a stray file among the negotiations is no negotiation', async () => {
    await expect(buy30()).resolves.toBeUndefined();
    await aliceAgreesToBuy80();
    writeFileSync(join(paths.negotiationsDir(alice), 'alice_bob_C_1700000000'), 'not a directory');
    await expect(buy30()).rejects.toMatchObject({ code: 'NOT_ENOUGH_CASH' });
  });

  it('remembers a directory read long after its last change, and sees the next state written into it', async () => {
    const meta = await aliceAgreesToBuy80();
    // the directory changed 10 s before the check: what was read is remembered
    const later = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 10_000);
    try {
      await expect(buy30()).rejects.toMatchObject({ code: 'NOT_ENOUGH_CASH' });
      const located = (await store.locate(alice, meta.id))!;
      await store.writeState(located, 'alice', {
        user: alice,
        role: 'buyer',
        chemical: 'C',
        offer: null,
        status: 'rejected',
        last_updated: 2,
      });
      await expect(buy30()).resolves.toBeUndefined();
    } finally {
      later.mockRestore();
    }
  });

  it('reads negotiation.json again when the negotiation was made again under the same id', async () => {
    const meta = await aliceAgreesToBuy80();
    await expect(buy30()).rejects.toMatchObject({ code: 'NOT_ENOUGH_CASH' });
    // the same directory now belongs to a market: its promise no longer counts on the free board
    const inMarket: NegotiationMeta = { ...meta, market_id: 'm1' };
    const metaFile = join(paths.negotiation(alice, meta.id), NegotiationFiles.meta);
    rmSync(metaFile);
    writeFileSync(metaFile, JSON.stringify(inMarket, null, 2) + '\n');
    await expect(buy30()).resolves.toBeUndefined();
  });
});
