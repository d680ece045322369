import { mkdir, rename } from 'node:fs/promises';
import { ErrorCode, Holdings, ParleyError, Role, TeamInit } from '@parley/contracts';
import { DIR_MODE, createFileExclusive, ensureDir, isExists, listDir, readJson, syncDir, writeJsonAtomic } from './files';
import { DataPaths } from './paths';
import { emailPrefix, isEmail, namespacePrefix } from './validate';

export const DEFAULT_HOLDINGS: Holdings = { cash: 50000, C: 2000, N: 2000, D: 2000, Q: 2000 };

/** Prefixes the system's own parties use for their file names in a negotiation (ai_state.json, ...). */
export const RESERVED_PREFIXES: readonly string[] = ['ai'];

export interface NewTeam {
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  holdings?: Holdings;
  columns?: Record<string, string>;
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

  /** The name people read: the account's name (its e-mail when it has none or is gone), "AI" for the AI. */
  async nameOf(user: string): Promise<string> {
    if (user === 'ai') return 'AI';
    return (await this.read(user).catch(() => null))?.name || user;
  }

  /** nameOf for each distinct user, read at once. */
  async namesOf(users: Iterable<string>): Promise<Map<string, string>> {
    const distinct = [...new Set(users)];
    const names = await Promise.all(distinct.map((u) => this.nameOf(u)));
    return new Map(distinct.map((u, i) => [u, names[i]]));
  }

  /** The first instructor account, if any (the browser's first-run setup is open only while there is none). */
  async firstInstructor(): Promise<TeamInit | null> {
    for (const email of await this.list().catch(() => [] as string[])) {
      const team = await this.read(email).catch(() => null);
      if (team?.role === 'instructor') return team;
    }
    return null;
  }

  /**
   * Refuses a second team with the same e-mail. Any valid e-mail gets an account: its namespace prefix
   * (file names in negotiations, seed 000 ids) is derived unique against every existing prefix.
   */
  async create(team: NewTeam): Promise<TeamInit> {
    const existing = await this.list();
    this.assertNew(team.email, existing);
    const prefix = await this.claimPrefix(team.email, existing);
    const init: TeamInit = { ...team, holdings: team.holdings ?? { ...DEFAULT_HOLDINGS }, prefix };
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
  }

  /** Takes the first free prefix; the exclusive claim file settles two accounts made at the same moment. */
  private async claimPrefix(email: string, existing: string[]): Promise<string> {
    const taken = await this.prefixes(existing);
    for (let i = 0; i < 1000; i++) {
      const prefix = namespacePrefix(email, taken, RESERVED_PREFIXES);
      if (await createFileExclusive(this.paths.prefixesDir(), this.paths.prefixFileName(prefix), { prefix, email })) return prefix;
      taken.push(prefix);
    }
    throw new ParleyError(ErrorCode.Conflict, `no free namespace prefix for ${email}`, 409);
  }

  /** The account's namespace prefix: the stored one, or (accounts made before prefixes were stored) the local part. */
  async prefixOf(email: string): Promise<string> {
    return prefixOf(await this.read(email), email);
  }

  /** Every prefix in use (accounts in `emails`, default all). */
  async prefixes(emails?: string[]): Promise<string[]> {
    const all = emails ?? (await this.list());
    return Promise.all(all.map((e) => this.prefixOf(e)));
  }

  /** Rename, new password hash or roster columns (merged); e-mail, role, prefix and holdings never change here. */
  async update(email: string, patch: { name?: string; password_hash?: string; columns?: Record<string, string> }): Promise<TeamInit> {
    const init = await this.read(email);
    if (!init) throw new ParleyError(ErrorCode.NotFound, `no account ${email}`, 404);
    const next: TeamInit = {
      ...init,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.password_hash ? { password_hash: patch.password_hash } : {}),
      ...(patch.columns ? { columns: { ...init.columns, ...patch.columns } } : {}),
    };
    await writeJsonAtomic(this.paths.init(email), next);
    return next;
  }

  /**
   * Removes an account from the class: its folder moves whole to teams_removed/ (nothing saved is lost;
   * an operator can move it back). Login and tokens stop working at once, as init.json is gone.
   */
  async remove(email: string): Promise<void> {
    if (!(await this.read(email))) throw new ParleyError(ErrorCode.NotFound, `no account ${email}`, 404);
    await ensureDir(this.paths.removedTeamsDir());
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await rename(this.paths.teamDir(email), this.paths.removedTeam(email, stamp));
    await Promise.all([syncDir(this.paths.teamsDir()), syncDir(this.paths.removedTeamsDir())]);
  }
}

/** A team's namespace prefix from its init.json (the local part for accounts older than stored prefixes). */
export function prefixOf(init: Pick<TeamInit, 'prefix'> | null, email: string): string {
  return init?.prefix ?? emailPrefix(email);
}

/** The prefix of a team read straight from its init.json (for stores that have only paths). */
export async function readPrefix(paths: DataPaths, email: string): Promise<string> {
  return prefixOf(isEmail(email) ? await readJson<TeamInit>(paths.init(email)) : null, email);
}
