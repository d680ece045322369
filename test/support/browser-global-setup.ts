import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import redisSetup from './global-setup';

/** A real Redis (as for every test), then a fresh build of the web client the gateway serves. */
export default async function globalSetup(): Promise<void> {
  await redisSetup();
  const root = join(__dirname, '..', '..');
  execFileSync(process.execPath, [join(root, 'apps', 'web', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (!existsSync(join(root, 'apps', 'web', 'dist', 'index.html')))
    throw new Error('apps/web/build.mjs did not produce apps/web/dist/index.html');
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) throw new Error(`Chromium not found at ${chromium}: apt-get install -y chromium, or set CHROMIUM_PATH`);
}
