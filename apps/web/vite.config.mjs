// The browser client's build (Vite + Preact): apps/web/index.html → apps/web/dist, served by the gateway at /.
// Everything is bundled (Preact, socket.io-client, Chart.js): no CDN, no web font.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const libs = join(here, '..', '..', 'libs');
const gateway = process.env.PARLEY_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  resolve: {
    alias: [
      { find: /^@parley\/(contracts|negotiation)\/(.+)$/, replacement: `${libs}/$1/src/$2` },
      { find: /^@parley\/(contracts|negotiation)$/, replacement: `${libs}/$1/src` },
    ],
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    sourcemap: true,
    reportCompressedSize: false,
  },
  // `npm run dev:web`: the client with hot reload against a running gateway (`npm start`)
  server: {
    proxy: {
      '/api': gateway,
      '/auth': gateway,
      '/admin': gateway,
      '/join': gateway,
      '/socket.io': { target: gateway, ws: true },
    },
  },
});
