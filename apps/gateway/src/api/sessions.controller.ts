import { Body, Controller, Get, Header, HttpCode, Inject, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import type { Session } from '@parley/contracts';
import { SessionRecords, SessionReports, SessionService } from '@parley/sessions';
import type { AuthUser } from '../auth/auth.service';
import { CurrentUser, HttpAuthGuard } from '../auth/http-auth.guard';
import { parseBody } from './parse-body';

const email = z.string().min(3).max(254);
const createSchema = z
  .object({
    title: z.string().trim().min(1, 'give the session a title').max(120),
    mode: z.enum(['ai', 'peer', 'market'], { message: 'mode must be "ai", "peer" or "market"' }),
    scenario_ids: z.array(z.string().min(1).max(64)).max(10).default([]),
    market_design_id: z.string().min(1).max(64).optional(),
    round_seconds: z.number().int().min(3, 'a round lasts at least 3 seconds').max(86_400, 'a round lasts at most a day'),
    pairing: z.enum(['random', 'column', 'manual']).default('random'),
    pairing_column: z.string().trim().min(1).max(40).optional(),
    start_when_all_joined: z.boolean().optional(),
    expected_members: z.number().int().min(1).max(1000).optional(),
  })
  .strict();
const joinSchema = z.object({ code: z.string().min(1, 'type the join code').max(20) });
const roundSchema = z.object({
  pairs: z
    .array(z.object({ a: email.or(z.literal('ai')), b: email.or(z.literal('ai')) }))
    .max(500)
    .optional(),
});
const broadcastSchema = z.object({ text: z.string().trim().min(1, 'empty message').max(500) });
const debriefQuery = z.object({
  // a round number, or "all" (the same as leaving it out)
  round: z
    .string()
    .regex(/^(all|[1-9]\d{0,5})$/, 'round must be a round number (1, 2, …) or "all"')
    .transform((r) => (r === 'all' ? undefined : Number(r)))
    .optional(),
  anonymise: z.enum(['0', '1', 'true', 'false']).optional(),
});

/** Class sessions over HTTP (docs/SESSIONS.md): wiring only; the rules are in libs/sessions. */
@Controller('api/sessions')
@UseGuards(HttpAuthGuard)
export class SessionsController {
  constructor(
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(SessionRecords) private readonly records: SessionRecords,
    @Inject(SessionReports) private readonly reports: SessionReports,
  ) {}

  @Post()
  create(@CurrentUser() user: AuthUser, @Body() body: unknown) {
    return this.sessions.create(user, parseBody(createSchema, body));
  }

  @Get()
  async list(@CurrentUser() user: AuthUser) {
    return { sessions: await this.sessions.list(user) };
  }

  @Post('join')
  @HttpCode(200)
  join(@CurrentUser() user: AuthUser, @Body() body: unknown) {
    return this.sessions.join(user, parseBody(joinSchema, body).code);
  }

  @Get(':id')
  one(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.sessions.view(user, id);
  }

  @Post(':id/rounds')
  startRound(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: unknown) {
    return this.sessions.startRound(user, id, parseBody(roundSchema, body).pairs);
  }

  @Post(':id/rounds/current/end')
  @HttpCode(200)
  endRound(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.sessions.endRound(user, id);
  }

  @Get(':id/live')
  async live(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    const { session } = await this.sessions.reachAsOwner(user, id);
    return this.records.live(session);
  }

  @Post(':id/broadcast')
  @HttpCode(200)
  broadcast(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: unknown) {
    return this.sessions.broadcast(user, id, parseBody(broadcastSchema, body).text);
  }

  @Get(':id/debrief')
  async debrief(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() query: unknown) {
    const { session } = await this.sessions.reachAsOwner(user, id);
    const q = parseBody(debriefQuery, query);
    return this.reports.debrief(session, q.round, q.anonymise === '1' || q.anonymise === 'true');
  }

  @Get(':id/grades.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('cache-control', 'no-store')
  async grades(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    return this.reports.gradesCsv(await this.downloadOf(user, id, res, 'grades', 'csv'));
  }

  @Get(':id/transcripts.csv')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('cache-control', 'no-store')
  async transcripts(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    return this.reports.transcriptsCsv(await this.downloadOf(user, id, res, 'transcripts', 'csv'));
  }

  @Get(':id/export.json')
  @Header('cache-control', 'no-store')
  async exportJson(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    return this.reports.exportJson(await this.downloadOf(user, id, res, 'session', 'json'));
  }

  /** The session for its instructor, the response set to download as `<name>-<join code>.<ext>`. */
  private async downloadOf(user: AuthUser, id: string, res: Response, name: string, ext: string): Promise<Session> {
    const { session } = await this.sessions.reachAsOwner(user, id);
    res.setHeader('content-disposition', `attachment; filename="${name}-${session.code}.${ext}"`);
    return session;
  }
}
