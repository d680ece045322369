import { CanActivate, ExecutionContext, Inject, Injectable, createParamDecorator } from '@nestjs/common';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { AuthService, AuthUser } from './auth.service';

/** Bearer token on every /api route; the verified user goes on the request. */
@Injectable()
export class HttpAuthGuard implements CanActivate {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: AuthUser }>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match) throw new ParleyError(ErrorCode.AuthenticationError, 'Authentication error: send Authorization: Bearer <token>', 401);
    req.user = await this.auth.verify(match[1]);
    return true;
  }
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest().user);

export function requireInstructor(user: AuthUser): void {
  if (user.role !== 'instructor') throw new ParleyError(ErrorCode.Forbidden, 'instructors only', 403);
}
