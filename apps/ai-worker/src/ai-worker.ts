import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import type { ParleyConfig } from '@parley/config';
import { DataPaths, MessageLog, NegotiationStore } from '@parley/store';
import { JobProducer, MessageSequence, ParleyMetrics, RoomEmitter, createRedis } from '@parley/queues';
import { AiReplyService, createNegotiator, NegotiationEngine, RedisAiUsage, RedisLock, ScenarioCatalog } from '@parley/negotiation';
import type { AiResponseWorkerOptions } from './ai-response.processor';
import { AiWorkerModule } from './ai-worker.module';
import { createLogger, PinoNestLogger } from '@parley/config';
import { timedEngine } from './timed-engine';
import { pacedEngine } from './paced-engine';

export interface AiWorkerOptions {
  /** Replaces the engine the config picks (tests, benchmarks). */
  engine?: NegotiationEngine;
  logger?: Logger;
  /** BullMQ lock/stall settings (defaults: BullMQ's 30 s). */
  worker?: Partial<AiResponseWorkerOptions>;
  /**
   * Close gracefully on SIGTERM/SIGINT (default true). A launcher that runs several services in one
   * process should pass false and call close() itself.
   */
  handleSignals?: boolean;
}

export interface RunningAiWorker {
  app: INestApplicationContext;
  service: AiReplyService;
  engine: NegotiationEngine;
  /** Stops taking jobs, waits for the running ones, then closes every connection. */
  close(): Promise<void>;
}

/** Starts an ai-worker in this process: consumes `ai-response` jobs until close(). */
export async function createAiWorker(config: ParleyConfig, options: AiWorkerOptions = {}): Promise<RunningAiWorker> {
  const logger = options.logger ?? createLogger(config.logLevel, 'ai-worker');
  const metrics = new ParleyMetrics('ai-worker');
  const redis = createRedis(config.redisUrl);
  redis.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error'));
  const producer = new JobProducer(redis, config.redisPrefix);
  const engine = pacedEngine(
    timedEngine(
      options.engine ??
        createNegotiator(config, {
          onFallback: (e) => logger.warn({ err: e.message }, 'ai engine failed; the built-in engine answers this turn'),
        }),
      metrics,
    ),
    config.aiTypingDelayMs,
  );
  const paths = new DataPaths(config.dataDir);
  const service = new AiReplyService({
    negotiations: new NegotiationStore(paths),
    messages: new MessageLog(),
    scenarios: new ScenarioCatalog(config.dataDir),
    engine,
    sequence: new MessageSequence(redis, config.redisPrefix),
    room: new RoomEmitter(redis, config.redisPrefix),
    agreementChecks: producer,
    usage: new RedisAiUsage(redis, config.redisPrefix),
    lock: new RedisLock(redis, config.redisPrefix),
    log: logger,
  });

  const closeConnections = async () => {
    metrics.stopPublishing();
    await producer.close().catch(() => undefined);
    await redis.quit().catch(() => redis.disconnect());
    logger.info({}, 'ai-worker stopped');
  };
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(
      AiWorkerModule.register(config, service, logger, metrics, options.worker, closeConnections),
      {
        logger: config.logLevel === 'silent' ? false : new PinoNestLogger(logger),
        abortOnError: false,
      },
    );
  } catch (e) {
    await closeConnections();
    throw e;
  }
  // SIGTERM: the worker stops taking jobs and finishes the running ones (onModuleDestroy), then the
  // connections close (onApplicationShutdown), then the process exits
  if (options.handleSignals !== false) app.enableShutdownHooks();
  metrics.startPublishing(redis, config.redisPrefix);
  let closing: Promise<void> | null = null;
  logger.info(
    { engine: engine.name, concurrency: options.worker?.concurrency ?? config.aiConcurrency, redis_prefix: config.redisPrefix },
    'ai-worker started',
  );
  return {
    app,
    service,
    engine,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
