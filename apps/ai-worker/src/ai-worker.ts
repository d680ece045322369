import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import type { ParleyConfig } from '@parley/config';
import type { NegotiationEngine } from '@parley/negotiation';
import { AiReplyService } from '@parley/ai-reply';
import type { AiResponseWorkerOptions } from './ai-response.processor';
import { AiWorkerModule, NEGOTIATION_ENGINE } from './ai-worker.module';
import { createLogger, PinoNestLogger } from '@parley/config';

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
  const app = await NestFactory.createApplicationContext(
    AiWorkerModule.register(config, logger, { engine: options.engine, worker: options.worker }),
    {
      logger: config.logLevel === 'silent' ? false : new PinoNestLogger(logger),
      abortOnError: false,
    },
  );
  // SIGTERM: the worker stops taking jobs and finishes the running ones (onModuleDestroy), then the
  // connections close (onApplicationShutdown), then the process exits
  if (options.handleSignals !== false) app.enableShutdownHooks();
  const engine = app.get<NegotiationEngine>(NEGOTIATION_ENGINE);
  let closing: Promise<void> | null = null;
  logger.info(
    { engine: engine.name, concurrency: options.worker?.concurrency ?? config.aiConcurrency, redis_prefix: config.redisPrefix },
    'ai-worker started',
  );
  return {
    app,
    service: app.get(AiReplyService),
    engine,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
