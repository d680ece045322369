import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
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

  it('a negotiation that cannot be completed is removed again, and what was already there is kept', async () => {
    const id = randomUUID();
    const blocking = paths().negotiation('bob@x.edu', id);
    mkdirSync(paths().negotiationsDir('bob@x.edu'), { recursive: true });
    writeFileSync(blocking, 'not ours');
    const made = store.createRoleplay({
      a: { user: 'alice@x.edu', role: 'buyer' },
      b: { user: 'bob@x.edu', role: 'seller' },
      scenarioId: 'used-car',
      ttlMs: 1000,
      session: { session_id: 's1', round: 1 },
      id,
    });
    await expect(made).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readdirSync(paths().negotiationsDir('alice@x.edu'))).toEqual([]);
    expect(readFileSync(blocking, 'utf8')).toBe('not ours');
    expect((await store.listIds('alice@x.edu')).active).toEqual([]);
  });
});
