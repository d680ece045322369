/**
 * Counts file-system calls made through Node's `fs` and `fs/promises` APIs in this process, by
 * wrapping the module functions (compiled CommonJS looks them up on the module object at every
 * call, so libs/store's calls are counted too). One API call is one unit, whatever it costs in
 * syscalls, for Parley's sweep and the seed's poll alike.
 */
// the CommonJS module object itself: its functions are wrapped in place to count calls
// eslint-disable-next-line @typescript-eslint/no-require-imports
import fs = require('node:fs');

const NAMES = [
  'readdir',
  'readFile',
  'lstat',
  'stat',
  'open',
  'rename',
  'mkdir',
  'readlink',
  'symlink',
  'unlink',
  'writeFile',
  'access',
  'realpath',
  'rmdir',
  'rm',
  'opendir',
  'link',
  'write',
];

/** Module-level fsync/fdatasync (the journal's) count with FileHandle syncs (settle-breakdown.ts) as `fsync`. */
const SYNCS = ['fsync', 'fdatasync'];

const counts = new Map<string, number>();
let installed = false;

function wrap(target: Record<string, unknown>, name: string, label: string): void {
  const original = target[name];
  if (typeof original !== 'function') return;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    counts.set(label, (counts.get(label) ?? 0) + 1);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  try {
    Object.defineProperty(target, name, { value: wrapped, writable: true, configurable: true, enumerable: true });
  } catch {
    /* a frozen binding: left uncounted */
  }
}

export function installFsCounter(): void {
  if (installed) return;
  installed = true;
  const promises = fs.promises as unknown as Record<string, unknown>;
  const sync = fs as unknown as Record<string, unknown>;
  for (const name of NAMES) {
    wrap(promises, name, name);
    wrap(sync, name, name);
    wrap(sync, `${name}Sync`, name);
  }
  for (const name of SYNCS) {
    wrap(sync, name, 'fsync');
    wrap(sync, `${name}Sync`, 'fsync');
  }
}

export function resetFsCounts(): void {
  counts.clear();
}

export function fsCounts(): { total: number; byCall: Record<string, number> } {
  const byCall = Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]));
  return { total: [...counts.values()].reduce((a, b) => a + b, 0), byCall };
}
