/**
 * Imported first by the gateway's entry point, before anything uses libuv's thread pool: a durable
 * append holds a pool thread for a whole disk flush, so with Node's default of 4 every other file
 * call would wait behind four flushes, and the disk's own grouping of concurrent flushes is capped at 4.
 */
process.env.UV_THREADPOOL_SIZE ??= '16';
