import { z } from 'zod';
import { ErrorCode, ParleyError } from '@parley/contracts';

/** Validates a request body (or query) against a schema; a clear 400 naming the field otherwise. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ParleyError(ErrorCode.InvalidPayload, `${issue.path.join('.') || 'body'}: ${issue.message}`, 400);
  }
  return parsed.data;
}
