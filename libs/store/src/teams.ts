import { mkdir } from 'node:fs/promises';
import { ErrorCode, Holdings, ParleyError, Role, TeamInit } from '@parley/contracts';
import { DIR_MODE, ensureDir, isExists, listDir, readJson, syncDir, writeJsonAtomic } from './files';
import { DataPaths } from './paths';
import { emailPrefix, isEmail } from './validate';

export const DEFAULT_HOLDINGS: Holdings = { cash: 50000, C: 2000, N: 2000, D: 2000, Q: 2000 };

/** Prefixes the system's own parties use for their file names in a negotiation (ai_state.json, ...). */
export const RESERVED_PREFIXES: readonly string[] = ['ai'];

export interface NewTeam {
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  holdings?: Holdings;
}

/** data/teams/<email>/init.json: profiles, roles, password hashes, starting holdings. */
export class TeamStore {
  constructor(private readonly paths: DataPaths) {}

  async read(email: string): Promise<TeamInit | null> {
    if (!isEmail(email)) return null;
    return readJson<TeamInit>(this.paths.init(email));
  }

  async list(): Promise<string[]> {
    return (await listDir(this.paths.teamsDir())).filter(isEmail).sort();
  }

  /** Refuses a second team with the same e-mail or the same prefix, or a reserved prefix (file names depend on it). */
  async create(team: NewTeam): Promise<TeamInit> {
    const existing = await this.list();
    this.assertNew(team.email, existing);
    const init: TeamInit = { ...team, holdings: team.holdings ?? { ...DEFAULT_HOLDINGS } };
    try {
      await mkdir(this.paths.teamDir(team.email), DIR_MODE);
    } catch (e) {
      if (isExists(e)) throw new ParleyError(ErrorCode.Conflict, `team ${team.email} already exists`, 409);
      await ensureDir(this.paths.teamsDir());
      await mkdir(this.paths.teamDir(team.email), DIR_MODE);
    }
    await syncDir(this.paths.teamsDir());
    await writeJsonAtomic(this.paths.init(team.email), init);
    return init;
  }

  assertNew(email: string, existing: string[]): void {
    if (existing.includes(email)) throw new ParleyError(ErrorCode.Conflict, `team ${email} already exists`, 409);
    const prefix = emailPrefix(email);
    if (RESERVED_PREFIXES.includes(prefix)) {
      throw new ParleyError(
        ErrorCode.Conflict,
        `e-mail prefix "${prefix}" is reserved for Parley's own files; choose another address`,
        409,
      );
    }
    const clash = existing.find((e) => emailPrefix(e) === prefix);
    if (clash) {
      throw new ParleyError(ErrorCode.Conflict, `e-mail prefix "${prefix}" is already used by ${clash}; prefixes must be unique`, 409);
    }
  }
}
