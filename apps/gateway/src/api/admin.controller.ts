import { Controller, Get, Inject, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type IORedis from 'ioredis';
import { CONFIG, ParleyConfig } from '@parley/config';
import { AuditLog, DataPaths, readAudit } from '@parley/store';
import { ParleyMetrics, REDIS } from '@parley/queues';
import type { AuthUser } from '../auth/auth.service';
import { CurrentUser, HttpAuthGuard, requireInstructor } from '../auth/http-auth.guard';

@Controller()
export class AdminController {
  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(ParleyMetrics) private readonly parleyMetrics: ParleyMetrics,
    @Inject(AuditLog) private readonly auditLog: AuditLog,
    @Inject(DataPaths) private readonly paths: DataPaths,
  ) {}

  /** Prometheus text: this gateway plus every worker and gateway that published to Redis lately. */
  @Get('metrics')
  async metrics(@Res() res: Response) {
    const { contentType, body } = await this.parleyMetrics.renderAll(this.redis, this.config.redisPrefix);
    res.setHeader('content-type', contentType);
    res.send(body);
  }

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
