// `npm run build:web` (and the browser tests' setup): the Vite production build into apps/web/dist.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
// jest sets NODE_ENV=test, which would make Vite bundle Preact's development build: test what ships
process.env.NODE_ENV = 'production';
await build({ configFile: join(here, 'vite.config.mjs'), mode: 'production' });

const assets = join(here, 'dist', 'assets');
const bytes = readdirSync(assets)
  .filter((name) => !name.endsWith('.map'))
  .reduce((n, name) => n + statSync(join(assets, name)).size, 0);
console.log(`apps/web/dist built (${Math.round(bytes / 1024)} KiB of scripts and styles, source maps aside)`);
