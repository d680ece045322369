import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { Role } from '@parley/contracts';
import { DataPaths, TeamStore, emailPrefix, hashPassword, isEmail, normalizeEmail, passwordProblem } from '@parley/store';

export interface UserRow {
  email: string;
  name: string;
  role: Role;
  password: string;
}

/** Checks one roster row; returns the problem in words, or null. */
export function rowProblem(row: Partial<Record<string, string>>): string | null {
  const email = normalizeEmail(row.email);
  if (!isEmail(email)) return `invalid e-mail ${JSON.stringify(row.email ?? '')} (letters, digits, '.', '+', '-' before the @; no '_')`;
  const role = (row.role ?? 'student').trim() || 'student';
  if (role !== 'student' && role !== 'instructor') return `role must be student or instructor, not ${JSON.stringify(role)}`;
  const password = passwordProblem(row.password);
  if (password) return password;
  if ((row.name ?? '').length > 100) return 'name is longer than 100 characters';
  return null;
}

function toRow(raw: Partial<Record<string, string>>): UserRow {
  const email = normalizeEmail(raw.email);
  return {
    email,
    name: (raw.name ?? '').trim() || emailPrefix(email),
    role: ((raw.role ?? '').trim() || 'student') as Role,
    password: raw.password!,
  };
}

export async function addUser(dataDir: string, raw: Partial<Record<string, string>>): Promise<string> {
  const problem = rowProblem(raw);
  if (problem) throw new Error(problem);
  const row = toRow(raw);
  const teams = new TeamStore(new DataPaths(dataDir));
  await teams.create({ email: row.email, name: row.name, role: row.role, password_hash: await hashPassword(row.password) });
  return `added ${row.role} ${row.email}`;
}

/**
 * Imports a roster CSV (email,name,role,password). Every row is checked first — format, duplicate
 * e-mails and duplicate prefixes within the file and against existing teams — and a bad file writes
 * nothing, with every problem listed by line number.
 */
export async function importUsers(dataDir: string, file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: false,
      bom: true,
    });
  } catch (e) {
    throw new Error(`${file}: not a readable CSV (${(e as Error).message})`, { cause: e });
  }
  const teams = new TeamStore(new DataPaths(dataDir));
  const existing = await teams.list();
  const problems: string[] = [];
  const seen = new Map<string, number>();
  records.forEach((raw, i) => {
    const line = i + 2; // line 1 is the header
    const problem = rowProblem(raw);
    if (problem) return void problems.push(`line ${line}: ${problem}`);
    const email = normalizeEmail(raw.email);
    const prefix = emailPrefix(email);
    if (seen.has(prefix)) return void problems.push(`line ${line}: e-mail prefix "${prefix}" repeats line ${seen.get(prefix)}`);
    seen.set(prefix, line);
    try {
      teams.assertNew(email, existing);
    } catch (e) {
      problems.push(`line ${line}: ${(e as Error).message}`);
    }
  });
  if (!records.length) problems.push(`${file}: no rows (expected a header email,name,role,password and one row per user)`);
  if (problems.length) throw new Error(`nothing imported:\n${problems.join('\n')}`);
  const out: string[] = [];
  for (const raw of records) {
    const row = toRow(raw);
    await teams.create({ email: row.email, name: row.name, role: row.role, password_hash: await hashPassword(row.password) });
    out.push(`added ${row.role} ${row.email}`);
  }
  return out;
}
