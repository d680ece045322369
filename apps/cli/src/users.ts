import { readFile } from 'node:fs/promises';
import { DataPaths, TeamStore, hashPassword, importRoster, parseRoster, rowProblem, toRow } from '@parley/store';

export async function addUser(dataDir: string, raw: Partial<Record<string, string>>): Promise<string> {
  const problem = rowProblem(raw);
  if (problem) throw new Error(problem);
  const row = toRow(raw);
  const teams = new TeamStore(new DataPaths(dataDir));
  const team = await teams.create({ email: row.email, name: row.name, role: row.role, password_hash: await hashPassword(row.password) });
  return `added ${row.role} ${row.email}${team.prefix && team.prefix !== row.email.split('@')[0] ? ` (file prefix ${team.prefix})` : ''}`;
}

/**
 * Imports a roster CSV (email,name,role,password). Every row is checked first — format and repeated
 * or existing e-mails — and a bad file writes nothing, with every problem listed by line number.
 */
export async function importUsers(dataDir: string, file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const teams = new TeamStore(new DataPaths(dataDir));
  const { created } = await importRoster(teams, parseRoster(text, file), file);
  return created.map((t) => `added ${t.role} ${t.email}`);
}
