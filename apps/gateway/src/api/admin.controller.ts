import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { AuditLog, DataPaths, readAudit } from '@parley/store';
import type { AuthUser } from '../auth/auth.service';
import { CurrentUser, HttpAuthGuard, requireInstructor } from '../auth/http-auth.guard';

@Controller()
export class AdminController {
  constructor(
    @Inject(AuditLog) private readonly auditLog: AuditLog,
    @Inject(DataPaths) private readonly paths: DataPaths,
  ) {}

  /** The audit trail (who, what, when, result), newest last; instructors only. */
  @Get('api/admin/audit')
  @UseGuards(HttpAuthGuard)
  async audit(@CurrentUser() user: AuthUser, @Query('limit') limit?: string) {
    requireInstructor(user);
    await this.auditLog.flush();
    const n = Math.min(Math.max(Number(limit) || 1000, 1), 100_000);
    return { entries: await readAudit(this.paths, n) };
  }
}
