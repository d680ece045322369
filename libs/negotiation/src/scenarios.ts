import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { ScenarioFileText, ScenarioFiles, isScenarioId } from '@parley/store';
import { ScenarioFieldError, scenarioErrors, scenarioSchema } from './scenario-schema';
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

/** Where a scenario comes from: shipped with Parley (read-only) or written by an instructor in DATA_DIR/scenarios. */
export type ScenarioOrigin = 'built-in' | 'authored';

/** A scenario file that could not be used: which file, which field and what is wrong. */
export interface ScenarioProblem {
  file: string;
  origin: ScenarioOrigin;
  path: string;
  message: string;
}

type Read = { scenario: FullScenario; problems: [] } | { scenario: null; problems: ScenarioFieldError[] };

/**
 * Built-in scenarios (shipped in the repo) plus the instructor's own in DATA_DIR/scenarios. An
 * instructor file with a built-in's id replaces the built-in. A bad file is left out of the list and
 * reported by `problemList` (the instructor sees it). Files are re-read on each call (there are only a
 * handful), so an instructor's edit shows at once, also in the other processes.
 */
export class ScenarioCatalog {
  private readonly files: ScenarioFiles;

  constructor(dataDir: string, builtinDir?: string) {
    this.files = new ScenarioFiles(dataDir, builtinDir ?? findBuiltinScenariosDir());
  }

  async list(): Promise<ScenarioPublic[]> {
    return (await this.listWithOrigin()).map(({ origin: _o, ...s }) => s);
  }

  /** The public part of each usable scenario and where it comes from, sorted by id. */
  async listWithOrigin(): Promise<(ScenarioPublic & { origin: ScenarioOrigin })[]> {
    const { scenarios } = await this.load();
    return [...scenarios.values()]
      .map(({ scenario, origin }) => ({ ...ScenarioCatalog.toPublic(scenario), origin }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<FullScenario | null> {
    return (await this.find(id))?.scenario ?? null;
  }

  /** A scenario with its origin (the instructor's file wins over a built-in of the same id). */
  async find(id: string): Promise<{ scenario: FullScenario; origin: ScenarioOrigin } | null> {
    const own = read(await this.files.readOwn(id));
    if (own?.scenario) return { scenario: own.scenario, origin: 'authored' };
    const builtin = read(await this.files.readBuiltin(id));
    return builtin?.scenario ? { scenario: builtin.scenario, origin: 'built-in' } : null;
  }

  /** One line per problem: file name, field and what is wrong. */
  async problems(): Promise<string[]> {
    return (await this.problemList()).map(
      (p) => `${p.origin === 'built-in' ? 'built-in' : 'instructor'} scenario ${p.file}: ${p.path}: ${p.message}`,
    );
  }

  async problemList(): Promise<ScenarioProblem[]> {
    return (await this.load()).problems;
  }

  /** A new instructor-authored scenario; refused with every field error, or when the id is taken. */
  async create(raw: unknown): Promise<FullScenario> {
    const scenario = validOrThrow(raw);
    // a broken authored file counts too: it is fixed with PUT, never overwritten by a create
    if ((await this.files.readOwn(scenario.id)) || (await this.find(scenario.id))) {
      throw new ParleyError(ErrorCode.Conflict, `a scenario "${scenario.id}" exists already: edit it, or duplicate it`, 409);
    }
    await this.files.writeOwn(scenario.id, scenario);
    return scenario;
  }

  /** Replaces an instructor-authored scenario; a built-in is read-only. The id in the body must be the file's id. */
  async update(id: string, raw: unknown): Promise<FullScenario> {
    const existing = isScenarioId(id) ? await this.files.readOwn(id) : null;
    if (!existing) {
      if (await this.find(id)) {
        throw new ParleyError(
          ErrorCode.ReadOnlyScenario,
          `"${id}" is a built-in scenario and cannot be changed: duplicate it and edit the copy`,
          403,
        );
      }
      throw new ParleyError(ErrorCode.NotFound, `no scenario ${JSON.stringify(id.slice(0, 64))}`, 404);
    }
    const scenario = validOrThrow(raw);
    if (scenario.id !== id) throw invalid([{ path: 'id', message: `must stay "${id}" (duplicate the scenario to give it a new id)` }]);
    await this.files.writeOwn(id, scenario);
    return scenario;
  }

  /** Copies any scenario into a new instructor-authored one: id `<id>-copy` (or `-copy-2`, ...), title "(copy)". */
  async duplicate(id: string): Promise<FullScenario> {
    const source = await this.get(id);
    if (!source) throw new ParleyError(ErrorCode.NotFound, `no scenario ${JSON.stringify(id.slice(0, 64))}`, 404);
    const base = `${source.id.slice(0, 52)}-copy`;
    for (let n = 1; n <= 100; n++) {
      const newId = n === 1 ? base : `${base}-${n}`;
      if (await this.find(newId)) continue;
      const copy = { ...source, id: newId, title: `${source.title.slice(0, 112)} (copy)` };
      await this.files.writeOwn(newId, copy);
      return copy;
    }
    throw new ParleyError(ErrorCode.Conflict, `too many copies of "${source.id}" already`, 409);
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

  private async load(): Promise<{
    scenarios: Map<string, { scenario: FullScenario; origin: ScenarioOrigin }>;
    problems: ScenarioProblem[];
  }> {
    const scenarios = new Map<string, { scenario: FullScenario; origin: ScenarioOrigin }>();
    const problems: ScenarioProblem[] = [];
    for (const [origin, files] of [
      ['built-in', await this.files.listBuiltin()],
      ['authored', await this.files.listOwn()],
    ] as const) {
      for (const file of files) {
        const result = read(file)!;
        problems.push(...result.problems.map((p) => ({ file: file.file, origin, ...p })));
        if (result.scenario) scenarios.set(result.scenario.id, { scenario: result.scenario, origin });
      }
    }
    return { scenarios, problems };
  }
}

function invalid(errors: ScenarioFieldError[]): ParleyError {
  return new ParleyError(ErrorCode.InvalidScenario, `${errors[0].path}: ${errors[0].message}`, 400, { errors });
}

function validOrThrow(raw: unknown): FullScenario {
  const errors = scenarioErrors(raw);
  if (errors.length) throw invalid(errors);
  return scenarioSchema.parse(raw) as FullScenario;
}

/** Parses and validates one file; its id must match its file name. */
function read(found: ScenarioFileText | null): Read | null {
  if (!found) return null;
  if (found.text === null) return { scenario: null, problems: [{ path: '(file)', message: `cannot be read (${found.readError})` }] };
  let raw: unknown;
  try {
    raw = JSON.parse(found.text);
  } catch (e) {
    return { scenario: null, problems: [{ path: '(file)', message: `not valid JSON (${(e as Error).message})` }] };
  }
  const errors = scenarioErrors(raw);
  if (errors.length) return { scenario: null, problems: errors };
  const scenario = scenarioSchema.parse(raw) as FullScenario;
  const expected = found.file.replace(/\.json$/, '');
  if (scenario.id !== expected) {
    return {
      scenario: null,
      problems: [{ path: 'id', message: `"${scenario.id}" does not match the file name (expected "${expected}")` }],
    };
  }
  return { scenario, problems: [] };
}
