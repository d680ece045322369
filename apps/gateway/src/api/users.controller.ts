import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { SessionService } from '@parley/sessions';
import { TeamStore, hashPassword, importRoster, normalizeEmail, parseRoster, passwordProblem, rowProblem, toRow } from '@parley/store';
import type { AuthUser } from '../auth/auth.service';
import { publicUser } from '../auth/auth.service';
import { CurrentUser, HttpAuthGuard, requireInstructor } from '../auth/http-auth.guard';
import { parseBody } from './parse-body';

const addSchema = z.object({
  email: z.string().max(254),
  name: z.string().max(100).optional(),
  password: z.string().max(200),
  role: z.enum(['student', 'instructor']).optional(),
});
const patchSchema = z
  .object({ name: z.string().trim().min(1, 'a name cannot be empty').max(100).optional(), password: z.string().max(200).optional() })
  .refine((p) => p.name !== undefined || p.password !== undefined, 'send a new name or a new password');
const importSchema = z.object({ csv: z.string().min(1).max(2_000_000) });

/** An account as the instructor's list shows it: no password hash, prefix or holdings. */
const accountOf = (team: { email: string; name: string; role: string }) => ({ email: team.email, name: team.name, role: team.role });

/**
 * Accounts for instructors (the CLI's `users add/import` over HTTP, plus list, rename, reset password,
 * remove). Rows and roster files are checked by the same code as the CLI; any valid e-mail gets an
 * account with its own namespace prefix. A roster's `session` column (a join code) pre-assigns the student.
 */
@Controller('api/users')
@UseGuards(HttpAuthGuard)
export class UsersController {
  constructor(
    @Inject(TeamStore) private readonly teams: TeamStore,
    @Inject(SessionService) private readonly sessions: SessionService,
  ) {}

  @Get()
  async list(@CurrentUser() user: AuthUser) {
    requireInstructor(user);
    const users = [];
    for (const email of await this.teams.list()) {
      const team = await this.teams.read(email).catch(() => null);
      if (team) users.push(accountOf(team));
    }
    return { users };
  }

  @Post()
  async add(@CurrentUser() user: AuthUser, @Body() body: unknown) {
    requireInstructor(user);
    const raw = parseBody(addSchema, body);
    const problem = rowProblem(raw);
    if (problem) throw new ParleyError(ErrorCode.InvalidPayload, problem);
    const row = toRow(raw);
    const team = await this.teams.create({
      email: row.email,
      name: row.name,
      role: row.role,
      password_hash: await hashPassword(row.password),
    });
    return accountOf(team);
  }

  /** `{csv}`: all-or-nothing, every problem by line as the CLI reports them. */
  @Post('import')
  async import(@CurrentUser() user: AuthUser, @Body() body: unknown) {
    requireInstructor(user);
    const text = parseBody(importSchema, body).csv;
    const records = parseRoster(text, 'roster');
    const { rows, created, kept } = await importRoster(this.teams, records, 'roster', async (row) => {
      const code = row.columns.session;
      if (!code) return null;
      const session = await this.sessions.byCode(code.toUpperCase()).catch(() => null);
      if (!session) return `no session has the join code ${JSON.stringify(code)}`;
      if (session.instructor !== user.email) return `the session ${code} is not yours`;
      return null;
    });
    const had = new Set(kept.map((t) => t.email));
    const lines: { line: number; email: string; result: string }[] = [];
    for (const [i, row] of rows.entries()) {
      const code = row.columns.session;
      const session = code ? await this.sessions.byCode(code.toUpperCase()) : null;
      const joined = session ? await this.sessions.addMember(session, row.email, row.columns) : false;
      const where = session ? (joined ? `added to session ${session.code}` : `already in session ${session.code}`) : '';
      const result = had.has(row.email)
        ? `already had an account: ${where || (Object.keys(row.columns).length ? 'columns updated' : 'unchanged')}`
        : `added${where ? `, ${where}` : ''}`;
      lines.push({ line: i + 2, email: row.email, result });
    }
    return { imported: created.map(accountOf), lines };
  }

  @Patch(':email')
  async update(@CurrentUser() user: AuthUser, @Param('email') rawEmail: string, @Body() body: unknown) {
    requireInstructor(user);
    const patch = parseBody(patchSchema, body);
    if (patch.password !== undefined) {
      const problem = passwordProblem(patch.password);
      if (problem) throw new ParleyError(ErrorCode.InvalidPayload, problem);
    }
    const team = await this.teams.update(normalizeEmail(rawEmail), {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.password !== undefined ? { password_hash: await hashPassword(patch.password) } : {}),
    });
    const { holdings: _h, prefix: _p, ...shown } = publicUser(team);
    return shown;
  }

  @Delete(':email')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('email') rawEmail: string): Promise<void> {
    requireInstructor(user);
    const email = normalizeEmail(rawEmail);
    if (email === user.email) throw new ParleyError(ErrorCode.Conflict, 'you cannot remove your own account', 409);
    await this.teams.remove(email);
  }
}
