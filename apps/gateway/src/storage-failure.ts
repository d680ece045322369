import { ErrorCode, ParleyError } from '@parley/contracts';

/** errno codes that mean DATA_DIR could not take the write: full, over quota, read-only, failing. */
const STORAGE_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);

/**
 * A write to DATA_DIR that failed because of the storage is STORAGE_FAILED (503) for the sender,
 * not INTERNAL: the request was fine and can be sent again once the operator has fixed the disk.
 */
export function storageFailure(e: unknown): ParleyError | null {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (!code || !STORAGE_ERRNOS.has(code)) return null;
  const why = code === 'EROFS' ? 'its storage is read-only' : 'its storage is full or failing';
  return new ParleyError(ErrorCode.StorageFailed, `the server could not save this (${why}); nothing was saved, try again later`, 503);
}
