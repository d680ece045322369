import { Body, Controller, Get, HttpCode, Inject, Ip, Post } from '@nestjs/common';
import { SetupService } from './setup.service';

/** The browser's first run: is setup needed, and create the first instructor with the setup code. */
@Controller('api/setup')
export class SetupController {
  constructor(@Inject(SetupService) private readonly setup: SetupService) {}

  @Get()
  status() {
    return this.setup.status();
  }

  @Post()
  @HttpCode(201)
  create(@Body() body: { email?: unknown; name?: unknown; password?: unknown; token?: unknown } | undefined, @Ip() ip: string) {
    return this.setup.createFirstInstructor(body, ip ?? 'unknown');
  }
}
