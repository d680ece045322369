import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue as BullQueue } from 'bullmq';
import type { Logger } from 'pino';
import type { ParleyConfig } from '@parley/config';
import { ServerEvent } from '@parley/contracts';
import { AuditLog, DataPaths, owedAiTurns } from '@parley/store';
import { JobProducer, ParleyMetrics, Queue, RoomEmitter, createRedis } from '@parley/queues';
import { Scorer, Settlement, SettlementHooks, SettlementResult, createRelationshipRubric } from '@parley/negotiation';
import type { AgreementHandlers, AgreementWorkerOptions } from './agreement.processor';
import { AgreementWorkerModule } from './agreement-worker.module';
import { createLogger, PinoNestLogger } from '@parley/config';
import { scenarioScorer } from './scorer';

export interface AgreementWorkerRunOptions {
  /** The clock stale cleanup and outcome times use (tests move it forward). */
  now?: () => number;
  /** Crash and race seams for tests. */
  hooks?: SettlementHooks;
  /** Replaces the scenario scorer; null turns scoring off. */
  scorer?: Scorer | null;
  /** A claimed negotiation untouched this long is finished by the sweep (default 30 s). */
  claimStaleMs?: number;
  /** How often the `stale-cleanup` job runs (default 10 min). */
  staleCleanupEveryMs?: number;
  logger?: Logger;
  worker?: Partial<AgreementWorkerOptions>;
  /** Register the repeatable `sweep` and `stale-cleanup` jobs (default true). */
  schedule?: boolean;
  /**
   * Close gracefully on SIGTERM/SIGINT (default true). A launcher that runs several services in one
   * process should pass false and call close() itself.
   */
  handleSignals?: boolean;
}

export interface RunningAgreementWorker {
  app: INestApplicationContext;
  settlement: Settlement;
  /** Stops taking jobs, waits for the running ones, then closes every connection. */
  close(): Promise<void>;
}

const REPEAT_OPTS = { removeOnComplete: true, removeOnFail: 50 };
/** A student line this old with no AI line after it lost its reply job (e.g. Redis came back empty). */
const OWED_AI_TURN_AFTER_MS = 5_000;

/** Starts an agreement-worker in this process: consumes `agreement-check` jobs until close(). */
export async function createAgreementWorker(
  config: ParleyConfig,
  options: AgreementWorkerRunOptions = {},
): Promise<RunningAgreementWorker> {
  const logger = options.logger ?? createLogger(config.logLevel, 'agreement-worker');
  const metrics = new ParleyMetrics('agreement-worker');
  const redis = createRedis(config.redisUrl);
  redis.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error'));
  const room = new RoomEmitter(redis, config.redisPrefix);
  const producer = new JobProducer(redis, config.redisPrefix);
  const paths = new DataPaths(config.dataDir);
  const audit = new AuditLog(paths, 'agreement-worker');
  const claimStaleMs = options.claimStaleMs ?? 30_000;
  const settlement = new Settlement({
    paths,
    events: { negotiationUpdate: (u) => room.toNegotiation(u.negotiation_id, ServerEvent.NegotiationUpdate, u) },
    scorer: options.scorer === undefined ? scenarioScorer(config.dataDir, createRelationshipRubric(config)) : (options.scorer ?? undefined),
    hooks: options.hooks,
    now: options.now,
  });
  const report = (r: SettlementResult) => {
    if (['untouched', 'busy', 'missing'].includes(r.action)) return;
    if (r.action !== 'skipped') {
      metrics.settlements.inc({ status: r.action });
      audit.record({
        who: 'system',
        what: 'settle',
        negotiation_id: r.negotiation_id,
        result: r.action,
        ...(r.reason ? { detail: r.reason } : {}),
      });
    }
    const level = r.action === 'error' ? 'error' : r.action === 'skipped' ? 'warn' : 'info';
    logger[level]({ negotiation_id: r.negotiation_id, owner: r.owner, action: r.action, reason: r.reason }, `negotiation ${r.action}`);
  };
  const summary = (results: SettlementResult[]) => {
    // what a pass could not judge stays as it is; saying so every minute would only be noise
    results.filter((r) => r.action !== 'skipped').forEach(report);
    const counts: Record<string, number> = {};
    for (const r of results) counts[r.action] = (counts[r.action] ?? 0) + 1;
    return counts;
  };
  const handlers: AgreementHandlers = {
    check: async ({ negotiation_id, owner }) => {
      const r = await settlement.check(owner, negotiation_id);
      report(r);
      return { action: r.action, reason: r.reason };
    },
    sweep: async () => {
      const counts = summary(await settlement.sweep({ claimStaleMs }));
      // reply jobs are idempotent (one id per turn, and the AI skips a turn it answered): re-adding is safe
      const owed = await owedAiTurns(paths, OWED_AI_TURN_AFTER_MS).catch((e) => {
        logger.warn({ err: (e as Error).message }, 'could not look for unanswered AI turns');
        return [];
      });
      for (const t of owed) await producer.enqueueAiReply({ ...t, reason: 'message' });
      if (owed.length) logger.warn({ count: owed.length }, 'AI turns without a reply job re-queued');
      return { ...counts, ai_turns_requeued: owed.length };
    },
    'stale-cleanup': async () => summary(await settlement.staleCleanup(config.staleAfterMs)),
  };

  // after the worker has finished its jobs, on close() and on SIGTERM alike
  let watchdog: NodeJS.Timeout | undefined;
  const closeConnections = async () => {
    clearInterval(watchdog);
    metrics.stopPublishing();
    await producer.close().catch(() => undefined);
    await audit.flush();
    await redis.quit().catch(() => redis.disconnect());
    logger.info({}, 'agreement-worker stopped');
  };
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(
      AgreementWorkerModule.register(config, handlers, logger, metrics, options.worker, closeConnections),
      {
        logger: config.logLevel === 'silent' ? false : new PinoNestLogger(logger),
        abortOnError: false,
      },
    );
    if (options.schedule !== false) {
      const queue = app.get<BullQueue>(getQueueToken(Queue.AgreementCheck));
      // one pass now (checks lost while no worker ran, or while Redis was empty); workers share it
      const sweepNow = () => queue.add('sweep', {}, { jobId: 'sweep-on-start', removeOnComplete: true, removeOnFail: true });
      const schedule = {
        sweep: () => queue.upsertJobScheduler('sweep', { every: config.sweepIntervalMs }, { name: 'sweep', data: {}, opts: REPEAT_OPTS }),
        'stale-cleanup': () =>
          queue.upsertJobScheduler(
            'stale-cleanup',
            { every: options.staleCleanupEveryMs ?? 600_000 },
            { name: 'stale-cleanup', data: {}, opts: REPEAT_OPTS },
          ),
      };
      // at start: upsert, so N workers share one schedule (and the newest interval wins)
      await schedule.sweep();
      await schedule['stale-cleanup']();
      await sweepNow();
      // later only what is missing: a Redis that came back empty gets both again without a worker restart
      const ensureSchedules = async () => {
        for (const name of ['sweep', 'stale-cleanup'] as const) {
          if (await queue.getJobScheduler(name)) continue;
          await schedule[name]();
          if (name === 'sweep') await sweepNow();
        }
      };
      watchdog = setInterval(
        () => ensureSchedules().catch((e) => logger.warn({ err: (e as Error).message }, 'could not check the schedules')),
        Math.max(1000, Math.min(config.sweepIntervalMs, 30_000)),
      );
      watchdog.unref();
    }
  } catch (e) {
    redis.disconnect();
    throw e;
  }
  if (options.handleSignals !== false) app.enableShutdownHooks();
  metrics.startPublishing(redis, config.redisPrefix);
  logger.info(
    { concurrency: options.worker?.concurrency ?? config.agreementConcurrency, redis_prefix: config.redisPrefix },
    'agreement-worker started',
  );
  let closing: Promise<void> | null = null;
  return {
    app,
    settlement,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
