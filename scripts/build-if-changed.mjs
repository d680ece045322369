// `npm start` / `npm run parley`: runs `npm run build` only when a source file changed since the last
// build. The stamp is a hash of every input's path, size and modification time, kept in dist/.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(root, 'dist', '.build-stamp');
const outputs = ['dist/apps/cli/src/start-all.js', 'dist/apps/gateway/src/main.js', 'apps/web/dist/index.html'];
const SKIP = new Set(['node_modules', 'dist', 'data', '.git']);

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

function inputsHash() {
  const hash = createHash('sha256');
  const inputs = [...files(join(root, 'apps')), ...files(join(root, 'libs'))];
  for (const name of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) inputs.push(join(root, name));
  for (const path of inputs.sort()) {
    const { size, mtimeMs } = statSync(path);
    hash.update(`${relative(root, path)}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

const wanted = inputsHash();
const built = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
if (built === wanted && outputs.every((o) => existsSync(join(root, o)))) process.exit(0);

console.log(built ? 'Sources changed since the last build: building…' : 'Building Parley (first start)…');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
mkdirSync(dirname(stampFile), { recursive: true });
writeFileSync(stampFile, `${wanted}\n`);
