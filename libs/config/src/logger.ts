import type { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';
import type { ParleyConfig } from './config';

/** `auto`: readable lines on a terminal, JSON otherwise (containers, pipes, log collectors). */
export type LogFormat = 'auto' | 'json' | 'pretty';

const LOG_FORMATS: readonly LogFormat[] = ['auto', 'json', 'pretty'];

/** LOG_FORMAT from the environment; loadConfig has already refused a bad value, so anything else is `auto`. */
export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const value = env.LOG_FORMAT as LogFormat | undefined;
  return value && LOG_FORMATS.includes(value) ? value : 'auto';
}

/** Whether logs written to stdout should be human-readable lines. */
export function prettyLogs(format: LogFormat = logFormatFromEnv()): boolean {
  return format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
}

/**
 * Logs on stdout, one event per line, tagged with the service name: JSON for machines, or (on a
 * terminal) `12:00:01 INFO gateway: message` through pino-pretty, written synchronously so nothing
 * is lost when a process exits.
 */
export function createLogger(level: ParleyConfig['logLevel'], service: string, format: LogFormat = logFormatFromEnv()): Logger {
  const options = { level, base: { service, pid: process.pid } };
  if (!prettyLogs(format)) return pino(options);
  // loaded only for a terminal: JSON logging never needs it
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pretty = require('pino-pretty') as (opts: object) => DestinationStream;
  const stream = pretty({
    sync: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service,context',
    singleLine: true,
    messageFormat: (log: Record<string, unknown>, messageKey: string) => `${String(log.service)}: ${String(log[messageKey] ?? '')}`,
  });
  return pino(options, stream);
}

/** Nest's start-up chatter (one line per module, route and gateway) is only interesting when debugging. */
const START_UP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'WebSocketsController']);

/** Nest's own messages (start-up, shutdown, uncaught handler errors) go through the same logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    if (context && START_UP_CONTEXTS.has(context)) this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
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
