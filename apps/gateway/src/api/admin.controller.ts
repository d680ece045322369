import { Controller, Get, Inject, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { readAudit } from '@parley/store';
import { Infra } from '../infra';
import type { AuthUser } from '../auth/auth.service';
import { CurrentUser, HttpAuthGuard, requireInstructor } from '../auth/http-auth.guard';

@Controller()
export class AdminController {
  constructor(@Inject(Infra) private readonly infra: Infra) {}

  /** Prometheus text: this gateway plus every worker and gateway that published to Redis lately. */
  @Get('metrics')
  async metrics(@Res() res: Response) {
    const { contentType, body } = await this.infra.metrics.renderAll(this.infra.redis, this.infra.config.redisPrefix);
    res.setHeader('content-type', contentType);
    res.send(body);
  }

  /** The audit trail (who, what, when, result), newest last; instructors only. */
  @Get('api/admin/audit')
  @UseGuards(HttpAuthGuard)
  async audit(@CurrentUser() user: AuthUser, @Query('limit') limit?: string) {
    requireInstructor(user);
    await this.infra.audit.flush();
    const n = Math.min(Math.max(Number(limit) || 1000, 1), 100_000);
    return { entries: await readAudit(this.infra.paths, n) };
  }
}
