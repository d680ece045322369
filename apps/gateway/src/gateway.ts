import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ParleyConfig } from '@parley/config';
import { GatewayModule } from './app.module';
import { RedisIoAdapter } from './redis-io.adapter';
import { QUEUE_DASHBOARD_PATH, mountQueueDashboard } from './queue-dashboard';
import { dashboardSecurityHeaders, securityHeaders } from './security-headers';
import { createLogger, PinoNestLogger } from '@parley/config';

export interface RunningGateway {
  app: NestExpressApplication;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Builds and starts one gateway: HTTP API, static web client and Socket.io on one port. */
export async function createGateway(config: ParleyConfig): Promise<RunningGateway> {
  const logger = createLogger(config.logLevel, 'gateway');
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.register(config, logger), {
    logger: config.logLevel === 'silent' ? false : new PinoNestLogger(logger),
    bodyParser: true,
  });
  app.use(securityHeaders);
  app.use(QUEUE_DASHBOARD_PATH, dashboardSecurityHeaders);
  mountQueueDashboard(app);
  app.useBodyParser('json', { limit: '32kb' });
  app.set(
    'trust proxy',
    config.trustProxy.split(',').map((s) => s.trim()),
  );
  app.disable('x-powered-by');
  const adapter = new RedisIoAdapter(app, config.redisUrl, config.redisPrefix);
  await adapter.connect();
  app.useWebSocketAdapter(adapter);
  const web = findWebDir();
  if (web) {
    // a session's join link (/join/<code>) is answered by JoinLinkController: a redirect to #/join/<code>
    app.useStaticAssets(web, { index: 'index.html' });
  }
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    app,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await adapter.closeRedis();
    },
  };
}

/** The built browser client (apps/web/dist), found from source or from dist/. */
function findWebDir(): string | null {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'apps', 'web', 'dist');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return null;
}
