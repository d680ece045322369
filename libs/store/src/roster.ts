import { parse } from 'csv-parse/sync';
import { ErrorCode, ParleyError, Role, TeamInit } from '@parley/contracts';
import { hashPassword, passwordProblem } from './passwords';
import { TeamStore } from './teams';
import { isEmail, normalizeEmail } from './validate';

export interface UserRow {
  email: string;
  name: string;
  role: Role;
  password: string;
  /** Every other column of the roster (e.g. session, group), as written. */
  columns: Record<string, string>;
}

const KNOWN = new Set(['email', 'name', 'role', 'password']);

/** Checks one roster row; returns the problem in words, or null. */
export function rowProblem(row: Partial<Record<string, string>>, existing = false): string | null {
  const email = normalizeEmail(row.email);
  if (!isEmail(email)) return `invalid e-mail ${JSON.stringify(row.email ?? '')} (letters, digits, '.', '_', '+', '-' before the @)`;
  const role = (row.role ?? 'student').trim() || 'student';
  if (role !== 'student' && role !== 'instructor') return `role must be student or instructor, not ${JSON.stringify(role)}`;
  const password = existing && !row.password ? null : passwordProblem(row.password);
  if (password) return password;
  if ((row.name ?? '').length > 100) return 'name is longer than 100 characters';
  return null;
}

export function toRow(raw: Partial<Record<string, string>>): UserRow {
  const email = normalizeEmail(raw.email);
  const columns: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (!KNOWN.has(k) && typeof v === 'string' && v.trim()) columns[k] = v.trim();
  return {
    email,
    name: (raw.name ?? '').trim() || email.split('@')[0],
    role: ((raw.role ?? '').trim() || 'student') as Role,
    password: raw.password!,
    columns,
  };
}

/** Parses roster CSV text (header email,name,role,password[,other columns]); unreadable CSV is one clear error. */
export function parseRoster(text: string, source: string): Record<string, string>[] {
  try {
    return parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: false,
      bom: true,
    });
  } catch (e) {
    throw new ParleyError(ErrorCode.InvalidPayload, `${source}: not a readable CSV (${(e as Error).message})`);
  }
}

/**
 * Imports a roster all-or-nothing: every row is checked first (format, e-mails repeated in the file or
 * already there, and `extraCheck` for other columns) and a bad file writes nothing, with every problem
 * by line number. Any valid e-mail gets an account; each gets its own namespace prefix.
 */
export async function importRoster(
  teams: TeamStore,
  records: Record<string, string>[],
  source: string,
  extraCheck: (row: UserRow) => Promise<string | null> = async () => null,
): Promise<{ rows: UserRow[]; created: TeamInit[]; kept: TeamInit[] }> {
  const existing = await teams.list();
  const problems: { line: number; message: string }[] = [];
  const seen = new Map<string, number>();
  for (const [i, raw] of records.entries()) {
    const line = i + 2; // line 1 is the header
    const had = existing.includes(normalizeEmail(raw.email));
    const problem = rowProblem(raw, had);
    if (problem) {
      problems.push({ line, message: problem });
      continue;
    }
    const row = toRow(raw);
    if (seen.has(row.email)) problems.push({ line, message: `${row.email} repeats line ${seen.get(row.email)}` });
    else if (had) {
      const conflict = await existingConflict(teams, raw, row);
      if (conflict) problems.push({ line, message: conflict });
    }
    seen.set(row.email, line);
    const extra = await extraCheck(row);
    if (extra) problems.push({ line, message: extra });
  }
  if (!records.length)
    problems.push({ line: 1, message: `${source}: no rows (expected a header email,name,role,password and one row per user)` });
  if (problems.length) {
    const text = problems.map((p) => `line ${p.line}: ${p.message}`).join('\n');
    throw new ParleyError(ErrorCode.InvalidPayload, `nothing imported:\n${text}`, 400, { errors: problems });
  }
  const rows = records.map(toRow);
  const created: TeamInit[] = [];
  const kept: TeamInit[] = [];
  for (const row of rows) {
    const { session: _code, ...columns } = row.columns;
    if (existing.includes(row.email)) {
      kept.push(Object.keys(columns).length ? await teams.update(row.email, { columns }) : (await teams.read(row.email))!);
      continue;
    }
    created.push(
      await teams.create({
        email: row.email,
        name: row.name,
        role: row.role,
        password_hash: await hashPassword(row.password),
        ...(Object.keys(columns).length ? { columns } : {}),
      }),
    );
  }
  return { rows, created, kept };
}

/**
 * A row for an account that already exists adds it to the row's session and updates its roster
 * columns; its password stays. A name or role that differs from the account's is a conflict.
 */
async function existingConflict(teams: TeamStore, raw: Partial<Record<string, string>>, row: UserRow): Promise<string | null> {
  const team = await teams.read(row.email);
  if (!team) return null;
  const name = (raw.name ?? '').trim();
  if (name && name !== team.name)
    return `${row.email} already has an account named ${JSON.stringify(team.name)}, not ${JSON.stringify(name)} (rename it in Accounts first, or use the same name)`;
  if ((raw.role ?? '').trim() && row.role !== team.role) return `${row.email} already has an account as ${team.role}, not ${row.role}`;
  return null;
}
