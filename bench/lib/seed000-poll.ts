import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface SeedPollResult {
  /** initiator-owned negotiation directories looked at */
  negotiations: number;
  /** of those, with two state files carrying the same agreement_key */
  agreed: number;
}

/**
 * Seed 000's `pollNegotiations()`, line for line, in synchronous Node as the PHP is synchronous:
 *   glob('data/teams/*@*', GLOB_ONLYDIR) → glob("$userDir/negotiations/*", GLOB_ONLYDIR) →
 *   skip is_link → glob("$negPath/*_state.json") → when two: file_get_contents + json_decode both,
 *   compare agreement_key. It only detects; creating transactions is not part of the timed scan.
 * GLOB_ONLYDIR follows symlinks (so the responder's link is listed, then skipped by is_link).
 */
export function seedPoll(dataDir: string): SeedPollResult {
  let negotiations = 0;
  let agreed = 0;
  for (const userDir of globOnlyDirs(join(dataDir, 'teams'), (n) => n.includes('@'))) {
    for (const negPath of globOnlyDirs(join(userDir, 'negotiations'), () => true)) {
      if (isLink(negPath)) continue;
      negotiations++;
      const stateFiles = globFiles(negPath, (n) => n.endsWith('_state.json'));
      if (stateFiles.length !== 2) continue;
      const states = stateFiles.map((f) => {
        try {
          return JSON.parse(readFileSync(f, 'utf8')) as { agreement_key?: string };
        } catch {
          return null;
        }
      });
      const [a, b] = states;
      if (a?.agreement_key && b?.agreement_key && a.agreement_key === b.agreement_key) agreed++;
    }
  }
  return { negotiations, agreed };
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => !n.startsWith('.'))
      .sort();
  } catch {
    return [];
  }
}

function globOnlyDirs(dir: string, match: (name: string) => boolean): string[] {
  return list(dir)
    .filter(match)
    .map((n) => join(dir, n))
    .filter((p) => {
      try {
        return statSync(p).isDirectory();
      } catch {
        return false;
      }
    });
}

function globFiles(dir: string, match: (name: string) => boolean): string[] {
  return list(dir)
    .filter(match)
    .map((n) => join(dir, n));
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
