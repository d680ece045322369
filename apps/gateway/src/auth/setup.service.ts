import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { ErrorCode, ParleyError, PublicUser } from '@parley/contracts';
import { LOGGER } from '@parley/config';
import { AuditLog, DataPaths, SetupCodeStore, TeamStore, hashPassword, normalizeEmail, rowProblem } from '@parley/store';
import { AuthService, publicUser } from './auth.service';

/**
 * First run without the CLI: while no instructor account exists, a one-time setup code is printed in
 * the log (and in `npm start`'s ready line); whoever types it at #/setup becomes the first instructor.
 */
@Injectable()
export class SetupService implements OnApplicationBootstrap {
  private readonly codes: SetupCodeStore;

  constructor(
    @Inject(DataPaths) paths: DataPaths,
    @Inject(TeamStore) private readonly teams: TeamStore,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.codes = new SetupCodeStore(paths);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (await this.teams.firstInstructor()) return;
    const code = await this.codes.ensure();
    this.log.info({ setup: '/#/setup' }, `no instructor account yet: open /#/setup and enter the setup code ${code}`);
  }

  async status(): Promise<{ needed: boolean; token_required: true }> {
    return { needed: !(await this.teams.firstInstructor()), token_required: true };
  }

  async createFirstInstructor(
    body: { email?: unknown; name?: unknown; password?: unknown; token?: unknown } | undefined,
    ip: string,
  ): Promise<{ accessToken: string; user: PublicUser }> {
    const email = normalizeEmail(body?.email);
    const reservation = await this.auth.reserveAttempt(`setup ${email}`, ip);
    if (await this.teams.firstInstructor()) throw alreadySetUp();
    if (!(await this.codes.matches(body?.token))) {
      this.audit.record({ who: 'anonymous', what: 'setup', result: ErrorCode.InvalidCredentials, detail: ip });
      throw new ParleyError(ErrorCode.InvalidCredentials, 'wrong setup code: use the one printed where Parley was started', 401);
    }
    const row = { email, name: typeof body?.name === 'string' ? body.name : '', role: 'instructor', password: body?.password as string };
    const problem = rowProblem(row);
    if (problem) throw new ParleyError(ErrorCode.InvalidPayload, problem, 400);
    if (!(await this.codes.claim(email))) throw alreadySetUp();
    let team;
    try {
      team = await this.teams.create({
        email,
        name: row.name.trim() || email.split('@')[0],
        role: 'instructor',
        password_hash: await hashPassword(row.password),
      });
    } catch (e) {
      await this.codes.release();
      throw e;
    }
    await this.codes.spend();
    await this.auth.attemptSucceeded(reservation);
    this.audit.record({ who: email, what: 'setup', result: 'ok', detail: ip });
    return { accessToken: this.auth.sign(team), user: publicUser(team) };
  }
}

const alreadySetUp = () => new ParleyError(ErrorCode.Conflict, 'an instructor account already exists; sign in instead', 409);
