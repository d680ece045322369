import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { isJoinCode } from '@parley/store';

/** A session's link (`join_url`, `/join/<code>`): the web client's join screen with that code. */
@Controller('join')
export class JoinLinkController {
  @Get(':code')
  open(@Param('code') raw: string, @Res() res: Response): void {
    const code = String(raw).trim().toUpperCase();
    res.redirect(302, isJoinCode(code) ? `/#/join/${code}` : '/');
  }
}
