import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reliability tests record what they did here; `reliability-compose-report.ts` turns every suite's rows into
 * docs/RELIABILITY.md. Rows are plain counts, so the report shows what was survived, not adjectives.
 */
export const RESULTS_DIR = join(__dirname, '..', '..', 'test-artifacts', 'reliability');

export interface FaultRow {
  fault: string;
  attempted: number;
  acknowledged: number;
  persisted: number;
  lost: number;
  duplicated: number;
  notes?: string;
}

export interface BadInputRow {
  input: string;
  tried: number;
  /** e.g. "INVALID_PAYLOAD ×120, 401 ×4" */
  answered: string;
  server_stayed_up: boolean;
  wrote_outside_data_dir: boolean;
}

export interface SuiteResult {
  suite: string;
  mode: 'short' | 'long';
  faults?: FaultRow[];
  bad_inputs?: BadInputRow[];
}

export function recordSuite(result: SuiteResult): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${result.suite}.json`), JSON.stringify(result, null, 2));
}

export function readSuites(): SuiteResult[] {
  let names: string[];
  try {
    names = readdirSync(RESULTS_DIR).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.sort().map((n) => JSON.parse(readFileSync(join(RESULTS_DIR, n), 'utf8')) as SuiteResult);
}

/** `RELIABILITY=long` runs the long version; the default (and .ci/run) is short. */
export const reliabilityMode = (): 'short' | 'long' => (process.env.RELIABILITY === 'long' ? 'long' : 'short');
