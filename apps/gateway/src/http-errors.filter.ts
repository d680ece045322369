import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { CorruptFileError } from '@parley/store';
import { storageFailure } from './storage-failure';
import { RetryLaterError } from './retry-later';

/** Every HTTP error body is `{code, message}`; unexpected errors are logged, never leaked. */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (err instanceof ParleyError) {
      // a damaged or unwritable file is the operator's to fix: name it in the log
      if (err.httpStatus >= 500) this.logger.error(`${err.code}: ${err.message}${err instanceof CorruptFileError ? ` (${err.file})` : ''}`);
      if (err.httpStatus === 429) res.setHeader('Retry-After', String(err instanceof RetryLaterError ? err.retryAfterSeconds : 60));
      res.status(err.httpStatus).json({ ...err.details, code: err.code, message: err.message });
      return;
    }
    if (err instanceof HttpException) {
      const status = err.getStatus();
      const code =
        status === 404
          ? ErrorCode.NotFound
          : status === 413
            ? ErrorCode.InvalidPayload
            : status < 500
              ? ErrorCode.InvalidPayload
              : ErrorCode.Internal;
      res.status(status).json({ code, message: status === 404 ? 'not found' : err.message });
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed' || e?.type === 'entity.too.large' || (e?.status && e.status < 500)) {
      res.status(e.status ?? 400).json({ code: ErrorCode.InvalidPayload, message: 'malformed request body' });
      return;
    }
    this.logger.error(err instanceof Error ? err.stack : String(err));
    const storage = storageFailure(err);
    if (storage) {
      res.status(storage.httpStatus).json({ code: storage.code, message: storage.message });
      return;
    }
    res.status(500).json({ code: ErrorCode.Internal, message: 'internal error' });
  }
}
