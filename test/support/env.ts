import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ParleyConfig } from '@parley/config';

/** A private DATA_DIR and Redis key prefix per test file, so tests never see each other's data. */
export function testConfig(overrides: Record<string, string> = {}): ParleyConfig & { cleanup: () => void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `t${randomBytes(5).toString('hex')}`,
    DATA_DIR: dataDir,
    JWT_SECRET: 'test-secret-test-secret-test-secret',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    AI_TYPING_DELAY_MS: '0',
    ...overrides,
  });
  return { ...config, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}
