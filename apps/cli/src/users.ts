import { readFile } from 'node:fs/promises';
import {
  DataPaths,
  TeamStore,
  hashPassword,
  importRoster,
  isEmail,
  normalizeEmail,
  parseRoster,
  passwordProblem,
  rowProblem,
  toRow,
} from '@parley/store';

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
  const { created, kept } = await importRoster(teams, parseRoster(text, file), file);
  return [...created.map((t) => `added ${t.role} ${t.email}`), ...kept.map((t) => `${t.email} already had an account: kept`)];
}

/** One line per account: e-mail, role and name (tab-separated, sorted by e-mail). */
export async function listUsers(dataDir: string): Promise<string[]> {
  const teams = new TeamStore(new DataPaths(dataDir));
  const lines: string[] = [];
  for (const email of await teams.list()) {
    const team = await teams.read(email).catch(() => null);
    if (team) lines.push(`${team.email}\t${team.role}\t${team.name}`);
  }
  return lines;
}

/** Renames an account and/or gives it a new password (the same checks as the Accounts screen). */
export async function updateUser(
  dataDir: string,
  rawEmail: string | undefined,
  patch: { name?: string; password?: string },
): Promise<string> {
  const email = requireEmail(rawEmail);
  const name = patch.name?.trim();
  if (patch.name !== undefined && !name) throw new Error('a name cannot be empty');
  if (name && name.length > 100) throw new Error('name is longer than 100 characters');
  if (patch.password !== undefined) {
    const problem = passwordProblem(patch.password);
    if (problem) throw new Error(problem);
  }
  const team = await new TeamStore(new DataPaths(dataDir)).update(email, {
    ...(name ? { name } : {}),
    ...(patch.password !== undefined ? { password_hash: await hashPassword(patch.password) } : {}),
  });
  return [name ? `renamed ${team.email} to ${team.name}` : '', patch.password !== undefined ? `new password for ${team.email}` : '']
    .filter(Boolean)
    .join('\n');
}

/** Removes an account; its folder moves whole to DATA_DIR/teams_removed/ (its records stay). */
export async function removeUser(dataDir: string, rawEmail: string | undefined): Promise<string> {
  const email = requireEmail(rawEmail);
  await new TeamStore(new DataPaths(dataDir)).remove(email);
  return `removed ${email} (its folder is kept in teams_removed/)`;
}

function requireEmail(raw: string | undefined): string {
  const email = normalizeEmail(raw);
  if (!isEmail(email)) throw new Error(`invalid e-mail ${JSON.stringify(raw ?? '')}; pass --email E`);
  return email;
}
