import { Body, Controller, HttpCode, Inject, Ip, Post } from '@nestjs/common';
import { AuthService } from './auth.service';

@Controller('auth')
export class AuthController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  /** Same 401 for an unknown e-mail and a wrong password; repeated failures get 429. */
  @Post('login')
  @HttpCode(200)
  login(@Body() body: { email?: unknown; password?: unknown } | undefined, @Ip() ip: string) {
    return this.auth.login(body?.email, body?.password, ip ?? 'unknown');
  }
}
