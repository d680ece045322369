import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataPaths } from './paths';
import { NegotiationStore } from './negotiations';

describe('NegotiationStore.createPeer ids', () => {
  let dir: string;
  let store: NegotiationStore;
  const paths = () => new DataPaths(dir);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-neg-'));
    store = new NegotiationStore(paths());
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = (nowMs: number) =>
    store.createPeer({ initiator: 'alice@x.edu', initiatorRole: 'buyer', responder: 'bob@x.edu', chemical: 'C', ttlMs: 1000, nowMs });

  it('gives two negotiations of one pair in one second different ids', async () => {
    const a = await open(1_700_000_000_000);
    const b = await open(1_700_000_000_400);
    expect(a.id).toBe('alice_bob_C_1700000000');
    expect(b.id).toBe('alice_bob_C_1700000000-1');
  });

  it('never reuses the name of a settled negotiation, and leaves no empty directory behind', async () => {
    const id = 'alice_bob_C_1700000000';
    mkdirSync(paths().archivedNegotiation('alice@x.edu', id), { recursive: true });
    mkdirSync(paths().archivedNegotiation('bob@x.edu', id), { recursive: true });
    const meta = await open(1_700_000_000_000);
    expect(meta.id).toBe(`${id}-1`);
    expect(readdirSync(paths().negotiationsDir('alice@x.edu'))).toEqual([`${id}-1`]);
  });
});
