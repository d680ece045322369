/**
 * An ai-worker in its own process for the crash test (test/ai-worker.e2e.ts bundles this file with
 * esbuild and kills the process with SIGKILL). Config comes from the environment as in production.
 *
 *   CRASH_MODE=block        the engine never answers: the process dies mid-job, before any write
 *   CRASH_MODE=after-reply  the process kills itself right after the reply is on disk and sent,
 *                           before BullMQ marks the job completed
 *   CRASH_MODE=slow         the built-in engine, one second late (for a SIGTERM mid-job)
 *
 * Prints one JSON line per milestone on stdout: {"event":"started"}, {"event":"engine-called"}.
 */
import pino from 'pino';
import { loadConfig } from '@parley/config';
import { BuiltinEngine, NegotiationEngine } from '@parley/negotiation';
import { createAiWorker } from '../../apps/ai-worker/src/ai-worker';

const say = (event: string) => process.stdout.write(JSON.stringify({ event }) + '\n');

async function main(): Promise<void> {
  const config = loadConfig();
  const mode = process.env.CRASH_MODE;
  const blocking: NegotiationEngine = {
    name: 'blocking',
    respond: () => {
      say('engine-called');
      return new Promise(() => undefined);
    },
  };
  const builtin = new BuiltinEngine();
  const slow: NegotiationEngine = {
    name: 'slow-builtin',
    respond: async (input) => {
      say('engine-called');
      await new Promise((r) => setTimeout(r, 1000));
      return builtin.respond(input);
    },
  };
  const logger = pino(
    {
      level: 'info',
      hooks: {
        logMethod(args, method) {
          if (mode === 'after-reply' && args.includes('ai replied')) process.kill(process.pid, 'SIGKILL');
          return method.apply(this, args);
        },
      },
    },
    pino.destination(2),
  );
  await createAiWorker(config, {
    engine: mode === 'block' ? blocking : mode === 'slow' ? slow : undefined,
    logger,
    worker: { lockDuration: 1000, stalledInterval: 500 },
  });
  say('started');
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
