import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DataPaths, isScenarioId } from '@parley/store';
import { checkScenario } from './scenario-schema';
import { FullScenario, ScenarioPublic } from './types';

/**
 * Finds `libs/negotiation/scenarios` by walking up from `start`: works from the ts sources (jest) and
 * from the compiled `dist/libs/negotiation/src` alike, as long as the repo (or image) ships the folder.
 */
export function findBuiltinScenariosDir(start: string = __dirname): string {
  for (const from of [start, process.cwd()]) {
    let dir = from;
    for (let i = 0; i < 12; i++) {
      const candidate = join(dir, 'libs', 'negotiation', 'scenarios');
      if (existsSync(candidate)) return candidate;
      const sibling = join(dir, 'scenarios');
      if (basename(dir) === 'negotiation' && existsSync(sibling)) return sibling;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(`libs/negotiation/scenarios not found above ${start} or the working directory`);
}

interface Loaded {
  scenarios: Map<string, FullScenario>;
  problems: string[];
}

/**
 * Built-in scenarios (shipped in the repo) plus the instructor's own in DATA_DIR/scenarios. An
 * instructor file with a built-in's id replaces the built-in. A bad file is skipped and reported.
 * Files are re-read on each call (there are only a handful), so an instructor's edit shows at once.
 */
export class ScenarioCatalog {
  private readonly paths: DataPaths;
  private readonly builtinDir: string;

  constructor(dataDir: string, builtinDir?: string) {
    this.paths = new DataPaths(dataDir);
    this.builtinDir = builtinDir ?? findBuiltinScenariosDir();
  }

  async list(): Promise<ScenarioPublic[]> {
    const { scenarios } = await this.load();
    return [...scenarios.values()].map((s) => ScenarioCatalog.toPublic(s)).sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<FullScenario | null> {
    if (!isScenarioId(id)) return null;
    const own = await readScenarioFile(this.paths.scenario(id), 'instructor');
    if (own.scenario && own.scenario.id === id) return own.scenario;
    const builtin = await readScenarioFile(join(this.builtinDir, `${id}.json`), 'built-in');
    return builtin.scenario && builtin.scenario.id === id ? builtin.scenario : null;
  }

  /** One line per problem: file name, field and what is wrong. */
  async problems(): Promise<string[]> {
    return (await this.load()).problems;
  }

  /** The public part only: built field by field, so a private field can never slip through. */
  static toPublic(s: ScenarioPublic): ScenarioPublic {
    return {
      id: s.id,
      title: s.title,
      summary: s.summary,
      student_role: s.student_role,
      ai_role: s.ai_role,
      student_brief: s.student_brief,
      issues: s.issues.map((i) => ({
        name: i.name,
        label: i.label,
        ...(i.unit !== undefined ? { unit: i.unit } : {}),
        min: i.min,
        max: i.max,
        ...(i.step !== undefined ? { step: i.step } : {}),
      })),
    };
  }

  private async load(): Promise<Loaded> {
    const scenarios = new Map<string, FullScenario>();
    const problems: string[] = [];
    for (const [dir, origin] of [
      [this.builtinDir, 'built-in'],
      [this.paths.scenariosDir(), 'instructor'],
    ] as const) {
      for (const file of await jsonFiles(dir)) {
        const result = await readScenarioFile(join(dir, file), origin);
        if (result.problems.length) problems.push(...result.problems);
        if (result.scenario) scenarios.set(result.scenario.id, result.scenario);
      }
    }
    return { scenarios, problems };
  }
}

async function jsonFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
}

async function readScenarioFile(path: string, origin: string): Promise<{ scenario: FullScenario | null; problems: string[] }> {
  const name = `${origin} scenario ${basename(path)}`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { scenario: null, problems: [] };
    return { scenario: null, problems: [`${name}: (file): cannot be read (${(e as Error).message})`] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { scenario: null, problems: [`${name}: (file): not valid JSON (${(e as Error).message})`] };
  }
  const check = checkScenario(raw, name);
  if (!check.ok) return { scenario: null, problems: check.problems };
  const expected = basename(path, '.json');
  if (check.scenario.id !== expected) {
    return { scenario: null, problems: [`${name}: id: "${check.scenario.id}" does not match the file name (expected "${expected}")`] };
  }
  return { scenario: check.scenario, problems: [] };
}
