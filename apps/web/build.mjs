// Bundles the browser client: apps/web/src/main.ts → apps/web/dist/app.js, plus the static files.
// Everything is bundled (socket.io-client included): no CDN, no web font.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
const watch = process.argv.includes('--dev');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: !watch,
  sourcemap: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

// cache-busting: index.html refers to app.js and style.css with a version derived from the build
const version = Date.now().toString(36);
for (const name of readdirSync(join(here, 'public'))) {
  const from = join(here, 'public', name);
  if (name === 'index.html') {
    writeFileSync(join(out, name), readFileSync(from, 'utf8').replaceAll('__VERSION__', version));
  } else {
    copyFileSync(from, join(out, name));
  }
}

const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`apps/web/dist built (${Math.round(bytes / 1024)} KiB incl. source map)`);
