import { Body, Controller, Get, Inject, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { ScenarioCatalog } from '@parley/negotiation';
import type { AuthUser } from '../auth/auth.service';
import { CurrentUser, HttpAuthGuard, requireInstructor } from '../auth/http-auth.guard';
import { SessionScenarios } from './session-scenarios';

/** A scenario as the user may see it: without the first side's brief when it is withheld from them. */
function withoutBrief<T extends { id: string; student_brief?: unknown }>(s: T, withheld: Set<string>): T {
  if (!withheld.has(s.id)) return s;
  const { student_brief: _b, ...rest } = s;
  return rest as T;
}

const notFound = (id: string) => new ParleyError(ErrorCode.NotFound, `no scenario ${JSON.stringify(id.slice(0, 64))}`, 404);

/**
 * Scenarios: everyone reads the public part; instructors also see where each comes from (built-in or
 * authored), the files that could not be used and why, and create, edit and duplicate their own.
 */
@Controller('api/scenarios')
@UseGuards(HttpAuthGuard)
export class ScenariosController {
  constructor(
    @Inject(ScenarioCatalog) private readonly catalog: ScenarioCatalog,
    @Inject(SessionScenarios) private readonly sessionScenarios: SessionScenarios,
  ) {}

  @Get()
  async list(@CurrentUser() user: AuthUser) {
    if (user.role === 'instructor') return { scenarios: await this.catalog.listWithOrigin() };
    const withheld = await this.sessionScenarios.withheldFrom(user);
    return { scenarios: (await this.catalog.list()).map((s) => withoutBrief(s, withheld)) };
  }

  /** Every scenario file that is left out, with the field and what is wrong. */
  @Get('problems')
  async problems(@CurrentUser() user: AuthUser) {
    requireInstructor(user);
    return { problems: await this.catalog.problemList() };
  }

  @Post()
  async create(@CurrentUser() user: AuthUser, @Body() body: unknown) {
    requireInstructor(user);
    return { scenario: await this.catalog.create(body), origin: 'authored' };
  }

  @Get(':id')
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    const s = await this.catalog.get(id).catch(() => null);
    if (!s) throw notFound(id);
    return withoutBrief(ScenarioCatalog.toPublic(s), await this.sessionScenarios.withheldFrom(user));
  }

  /** The whole scenario (both briefs, preferences, reservations, persona), for the instructor's form. */
  @Get(':id/full')
  async full(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    requireInstructor(user);
    const found = await this.catalog.find(id);
    if (!found) throw notFound(id);
    return found;
  }

  @Put(':id')
  async update(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: unknown) {
    requireInstructor(user);
    return { scenario: await this.catalog.update(id, body), origin: 'authored' };
  }

  @Post(':id/duplicate')
  async duplicate(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    requireInstructor(user);
    return { scenario: await this.catalog.duplicate(id), origin: 'authored' };
  }
}
