import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DataPaths } from './paths';
import { ensureDir, isNotFound, listDir, writeJsonAtomic } from './files';
import { isScenarioId } from './validate';

/** One scenario file as found on disk: its text, or why it could not be read. Parsing is the caller's. */
export interface ScenarioFileText {
  file: string;
  text: string | null;
  readError?: string;
}

/**
 * The scenario files: built-ins in a folder shipped with the code (read-only), the instructor's own in
 * DATA_DIR/scenarios (one file per id, written atomically).
 */
export class ScenarioFiles {
  private readonly paths: DataPaths;

  constructor(
    dataDir: string,
    private readonly builtinDir: string,
  ) {
    this.paths = new DataPaths(dataDir);
  }

  listBuiltin = () => this.readAll(this.builtinDir);
  listOwn = () => this.readAll(this.paths.scenariosDir());

  readBuiltin(id: string): Promise<ScenarioFileText | null> {
    return isScenarioId(id) ? readText(join(this.builtinDir, `${id}.json`)) : Promise.resolve(null);
  }

  readOwn(id: string): Promise<ScenarioFileText | null> {
    return isScenarioId(id) ? readText(this.paths.scenario(id)) : Promise.resolve(null);
  }

  async writeOwn(id: string, value: unknown): Promise<void> {
    const path = this.paths.scenario(id);
    await ensureDir(this.paths.scenariosDir());
    await writeJsonAtomic(path, value);
  }

  private async readAll(dir: string): Promise<ScenarioFileText[]> {
    const names = (await listDir(dir)).filter((f) => f.endsWith('.json')).sort();
    const out: ScenarioFileText[] = [];
    for (const name of names) {
      const found = await readText(join(dir, name));
      if (found) out.push(found);
    }
    return out;
  }
}

async function readText(path: string): Promise<ScenarioFileText | null> {
  const file = basename(path);
  try {
    return { file, text: await readFile(path, 'utf8') };
  } catch (e) {
    if (isNotFound(e)) return null;
    return { file, text: null, readError: (e as Error).message };
  }
}
