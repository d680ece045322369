import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const ROOT = resolve(__dirname, '..', '..', '..');

async function pgAnswers(url: string): Promise<string | null> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    const r = await c.query<{ v: string }>("select current_setting('server_version') as v");
    return r.rows[0].v;
  } catch {
    return null;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * The PostgreSQL the chat suite's peer baseline writes to: PG_URL, else 127.0.0.1:5432/test. The full
 * run starts (or installs) it with scripts/postgres-env.sh when it does not answer; the smoke run only
 * uses one that already answers. Returns why it is skipped otherwise.
 */
export async function postgresForBench(
  smoke: boolean,
  log: (m: string) => void,
): Promise<{ url: string; version: string } | { skipped: string }> {
  const url = process.env.PG_URL ?? DEFAULT_PG_URL;
  let version = await pgAnswers(url);
  if (version) return { url, version };
  if (smoke) return { skipped: `PostgreSQL does not answer at ${url} (the smoke run does not start it; the full run does)` };
  if (process.env.PG_URL) return { skipped: `PG_URL ${url} does not answer` };
  try {
    log(`PostgreSQL does not answer at ${url}: running scripts/postgres-env.sh`);
    execFileSync('bash', [join(ROOT, 'scripts', 'postgres-env.sh')], { stdio: 'inherit', timeout: 600_000 });
  } catch (e) {
    return { skipped: `PostgreSQL could not be started: ${(e as Error).message.split('\n')[0]}` };
  }
  version = await pgAnswers(url);
  return version ? { url, version } : { skipped: `PostgreSQL was started but does not answer at ${url}` };
}
