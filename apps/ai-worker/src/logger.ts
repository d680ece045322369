import type { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import type { ParleyConfig } from '@parley/config';

/** JSON logs on stdout, one line per event. */
export function createLogger(level: ParleyConfig['logLevel'], service = 'ai-worker'): Logger {
  return pino({ level, base: { service } });
}

/** Nest's own messages (start-up, shutdown) go through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
