import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { addBots, conservationRun, startWorker, workerEnv } from '../../bench/lib/market-bots';
import { testConfig } from '../support/env';

/**
 * Cash and goods conserved to the cent while bots trade on the free board across two agreement-worker
 * processes, one killed with SIGKILL half way (the CI size; bench/market.ts runs 10,000 trades).
 */
describe('market conservation with a worker killed mid-run', () => {
  const config = testConfig({ ACTIONS_PER_MINUTE: '1000000', MESSAGES_PER_MINUTE: '1000000' });
  const entry = [join(__dirname, '..', 'support', 'worker-entry.js'), 'agreement'];
  let gw: RunningGateway;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    gw = await createGateway(config);
    for (let i = 0; i < 2; i++) workers.push(await startWorker(entry, workerEnv(config)));
  });
  afterAll(async () => {
    workers.forEach((w) => w.exitCode === null && w.kill('SIGTERM'));
    await gw?.close();
    config.cleanup();
  });

  it('every agreed trade settles exactly once and Σ cash and Σ goods over the teams are unchanged', async () => {
    const bots = await addBots(config, gw.url, 'cons', 8, { cash: 100_000, C: 10_000, N: 10_000, D: 10_000, Q: 10_000 });
    const trades = Number(process.env.MARKET_CONSERVATION_TRADES ?? 120);
    const r = await conservationRun({
      url: gw.url,
      config,
      bots,
      trades,
      seed: 'reliability',
      kill: () => workers[0].kill('SIGKILL'),
      timeLimitMs: 120_000,
    });
    bots.forEach((b) => b.socket.close());
    expect(r.killed_at_trade).toBeGreaterThan(0);
    expect(r.trades).toBeGreaterThanOrEqual(trades);
    // every agreement made became exactly one pair of transaction files (none lost, none twice)
    expect(r.transactions).toBeGreaterThanOrEqual(r.trades);
    expect(r.transactions).toBeLessThanOrEqual(r.trades + (r.refused.NEGOTIATION_SETTLING ?? 0));
    expect(r.after).toEqual(r.before);
  });
});
