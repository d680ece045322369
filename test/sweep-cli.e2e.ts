import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { sweepCommand } from '../apps/cli/src/sweep-command';
import { DataPaths, teamHoldings } from '@parley/store';

const ROOT = resolve(__dirname, '..');
const alice = 'alice@stonybrook.edu';
const bob = 'bob@stonybrook.edu';
const charlie = 'charlie@stonybrook.edu';
const dave = 'dave@stonybrook.edu';

/** seed 000's generateAgreementKey($offer): a hash of the whole offer, timestamp included. */
const seedKey = (offer: object) => createHash('sha256').update(JSON.stringify(offer)).digest('hex');

/**
 * A DATA_DIR written by seed 000's own program: no negotiation.json, init.json without holdings or
 * password, state files with `offer {price, quantity, timestamp}`, the responder holding a relative
 * symlink to the initiator's directory, and a transaction file from before.
 */
function seedTree(root: string) {
  const team = (email: string) => {
    mkdirSync(join(root, 'teams', email, 'negotiations'), { recursive: true });
    mkdirSync(join(root, 'teams', email, 'transactions'), { recursive: true });
    writeFileSync(join(root, 'teams', email, 'init.json'), JSON.stringify({ email, name: email.split('@')[0] }));
  };
  [alice, bob, charlie, dave].forEach(team);
  const negotiation = (initiator: string, responder: string, id: string, states: object[]) => {
    const dir = join(root, 'teams', initiator, 'negotiations', id);
    mkdirSync(dir);
    for (const s of states as { user: string }[])
      writeFileSync(join(dir, `${s.user.split('@')[0]}_state.json`), JSON.stringify(s, null, 4));
    symlinkSync(`../../${initiator}/negotiations/${id}/`, join(root, 'teams', responder, 'negotiations', id));
  };
  const state = (user: string, role: string | null, chemical: string, offer: object, status: string) => ({
    user,
    ...(role ? { role, chemical } : {}),
    offer,
    status,
    ...(status === 'agreed' ? { agreement_key: seedKey(offer) } : {}),
    last_updated: (offer as { timestamp: number }).timestamp,
  });

  // the seed's example: alice buys 1000 C from bob at 5.50; the two keys differ only by the timestamp
  negotiation(alice, bob, 'alice_bob_C_1704312345', [
    state(alice, 'buyer', 'C', { price: 5.5, quantity: 1000, timestamp: 1704312345 }, 'agreed'),
    state(bob, 'seller', 'C', { price: 5.5, quantity: 1000, timestamp: 1704312400 }, 'agreed'),
  ]);
  // still negotiating
  negotiation(alice, charlie, 'alice_charlie_D_1704312401', [
    state(alice, 'buyer', 'D', { price: 3, quantity: 10, timestamp: 1704312401 }, 'agreed'),
    state(charlie, 'seller', 'D', { price: 4, quantity: 10, timestamp: 1704312402 }, 'pending'),
  ]);
  // charlie walked away
  negotiation(bob, charlie, 'bob_charlie_N_1704312500', [
    state(bob, 'seller', 'N', { price: 2, quantity: 5, timestamp: 1704312500 }, 'pending'),
    state(charlie, 'buyer', 'N', { price: 1, quantity: 5, timestamp: 1704312501 }, 'rejected'),
  ]);
  // dave sells more Q than he has (no holdings in init.json: the default 2000)
  negotiation(dave, alice, 'dave_alice_Q_1704312600', [
    state(dave, 'seller', 'Q', { price: 1, quantity: 5000, timestamp: 1704312600 }, 'agreed'),
    state(alice, 'buyer', 'Q', { price: 1, quantity: 5000, timestamp: 1704312601 }, 'agreed'),
  ]);
  // written by the seed's updateNegotiationState(): no role, no chemical
  negotiation(charlie, dave, 'charlie_dave_C_1704312700', [
    state(charlie, null, 'C', { price: 1, quantity: 1, timestamp: 1704312700 }, 'agreed'),
    state(dave, null, 'C', { price: 1, quantity: 1, timestamp: 1704312701 }, 'agreed'),
  ]);
  // the seed's directory diagram uses a four-digit "timestamp": not a valid id
  mkdirSync(join(root, 'teams', alice, 'negotiations', 'alice_bob_C_1234'));
  // a transaction from before, in the seed's first naming (no negotiation_id)
  writeFileSync(
    join(root, 'teams', bob, 'transactions', '1234567890_buy_C.json'),
    JSON.stringify({ type: 'buy', chemical: 'C', price: 2, quantity: 100, counterparty: dave, timestamp: 1234567890, settled: false }),
  );
}

describe('parley sweep over a tree written by seed 000’s program (no Redis)', () => {
  let dir: string;
  let paths: DataPaths;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-sweep-'));
    paths = new DataPaths(dir);
    seedTree(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('settles the agreed one with exactly the seed fields, archives the rejected, fails the oversold, reports the rest', async () => {
    const lines: string[] = [];
    const code = await sweepCommand(dir, (l) => lines.push(l));

    expect(code).toBe(0);
    expect(lines).toEqual(
      expect.arrayContaining([
        `settled alice_bob_C_1704312345 (${alice}): price 5.5, quantity 1000`,
        `rejected bob_charlie_N_1704312500 (${bob}): ${charlie} walked away`,
        `failed dave_alice_Q_1704312600 (${dave}): ${dave} holds 2000 Q, needs 5000`,
        `skipped charlie_dave_C_1704312700 (${charlie}): cannot tell the buyer from the seller (no role in the state files)`,
        `skipped ${alice}/negotiations/alice_bob_C_1234: not a negotiation id`,
      ]),
    );
    expect(lines[lines.length - 1]).toBe('sweep: 1 settled, 1 failed, 1 rejected, 1 still open, 2 skipped');

    expect(readdirSync(paths.transactionsDir(alice))).toEqual(['1704312400_buy_C_from_bob_1704312345.json']);
    expect(readdirSync(paths.transactionsDir(bob)).sort()).toEqual(['1234567890_buy_C.json', '1704312400_sell_C_to_alice_1704312345.json']);
    const buy = JSON.parse(readFileSync(join(paths.transactionsDir(alice), '1704312400_buy_C_from_bob_1704312345.json'), 'utf8'));
    expect(buy).toEqual({
      type: 'buy',
      chemical: 'C',
      price: 5.5,
      quantity: 1000,
      counterparty: bob,
      negotiation_id: 'alice_bob_C_1704312345',
      timestamp: 1704312400,
      settled: false,
    });
    const sell = JSON.parse(readFileSync(join(paths.transactionsDir(bob), '1704312400_sell_C_to_alice_1704312345.json'), 'utf8'));
    expect(sell).toEqual({
      type: 'sell',
      chemical: 'C',
      price: 5.5,
      quantity: 1000,
      counterparty: alice,
      negotiation_id: 'alice_bob_C_1704312345',
      timestamp: 1704312400,
      settled: false,
    });

    expect(await teamHoldings(paths, alice)).toEqual({ cash: 50000 - 5500, C: 3000, N: 2000, D: 2000, Q: 2000 });
    expect(await teamHoldings(paths, bob)).toEqual({ cash: 50000 - 200 + 5500, C: 2000 + 100 - 1000, N: 2000, D: 2000, Q: 2000 });
    expect(existsSync(paths.transactionsDir(dave)) && readdirSync(paths.transactionsDir(dave))).toEqual([]);

    // archived, the responder's symlink moved along
    expect(existsSync(paths.negotiation(alice, 'alice_bob_C_1704312345'))).toBe(false);
    expect(
      JSON.parse(readFileSync(join(paths.archivedNegotiation(alice, 'alice_bob_C_1704312345'), 'outcome.json'), 'utf8')),
    ).toMatchObject({ status: 'completed', kind: 'peer' });
    expect(lstatSync(paths.negotiation(bob, 'alice_bob_C_1704312345'), { throwIfNoEntry: false })).toBeUndefined();
    expect(readlinkSync(paths.archivedNegotiation(bob, 'alice_bob_C_1704312345'))).toBe(
      `../../${alice}/negotiations_archive/alice_bob_C_1704312345`,
    );
    expect(existsSync(join(paths.archivedNegotiation(bob, 'alice_bob_C_1704312345'), 'alice_state.json'))).toBe(true);
    expect(
      JSON.parse(readFileSync(join(paths.archivedNegotiation(bob, 'bob_charlie_N_1704312500'), 'outcome.json'), 'utf8')),
    ).toMatchObject({ status: 'rejected' });
    expect(existsSync(join(paths.archivedNegotiation(dave, 'dave_alice_Q_1704312600'), 'outcome.json'))).toBe(true);
    // the open one and the ones it could not judge are where they were
    expect(existsSync(join(paths.negotiation(alice, 'alice_charlie_D_1704312401'), 'charlie_state.json'))).toBe(true);
    expect(existsSync(join(paths.negotiation(charlie, 'charlie_dave_C_1704312700'), 'dave_state.json'))).toBe(true);

    // a second pass changes nothing
    const again: string[] = [];
    expect(await sweepCommand(dir, (l) => again.push(l))).toBe(0);
    expect(again[again.length - 1]).toBe('sweep: 0 settled, 0 failed, 0 rejected, 1 still open, 2 skipped');
    expect(readdirSync(paths.transactionsDir(alice))).toHaveLength(1);
  });

  it('runs as `parley sweep` in its own process with no Redis reachable', async () => {
    const out = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    try {
      await build({
        entryPoints: [join(ROOT, 'apps/cli/src/parley.ts')],
        bundle: true,
        platform: 'node',
        target: 'node20',
        outfile: join(out, 'parley.js'),
        packages: 'external',
        tsconfig: join(ROOT, 'tsconfig.json'),
        logLevel: 'error',
      });
      const run = spawnSync(process.execPath, [join(out, 'parley.js'), 'sweep'], {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_PATH: join(ROOT, 'node_modules'),
          DATA_DIR: dir,
          REDIS_URL: 'redis://127.0.0.1:1',
          JWT_SECRET: 'x'.repeat(32),
        },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`settled alice_bob_C_1704312345 (${alice}): price 5.5, quantity 1000`);
      expect(run.stdout.trim().split('\n').pop()).toBe('sweep: 1 settled, 1 failed, 1 rejected, 1 still open, 2 skipped');
      expect(readdirSync(paths.transactionsDir(bob))).toContain('1704312400_sell_C_to_alice_1704312345.json');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('says so when DATA_DIR does not exist', async () => {
    const lines: string[] = [];
    expect(await sweepCommand(join(dir, 'nope'), (l) => lines.push(l))).toBe(1);
    expect(lines[0]).toMatch(/^error: DATA_DIR .*nope does not exist$/);
  });
});
