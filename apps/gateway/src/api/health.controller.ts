import { access, constants } from 'node:fs/promises';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type IORedis from 'ioredis';
import { CONFIG, ParleyConfig } from '@parley/config';
import { JobProducer, ParleyMetrics, REDIS } from '@parley/queues';

/** The operator's endpoints: alive, ready, and the metrics of every process. */
@Controller()
export class HealthController {
  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(JobProducer) private readonly producer: JobProducer,
    @Inject(ParleyMetrics) private readonly metrics: ParleyMetrics,
  ) {}

  /** Alive: the process answers. */
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  /** Ready: Redis answers, DATA_DIR is writable, and each queue has at least one consumer. */
  @Get('ready')
  async ready(@Res() res: Response) {
    const checks: Record<string, boolean> = {};
    checks.redis = await this.redis
      .ping()
      .then((r) => r === 'PONG')
      .catch(() => false);
    checks.data_dir = await access(this.config.dataDir, constants.W_OK)
      .then(() => true)
      .catch(() => false);
    const { aiResponse, agreementCheck } = this.producer;
    checks['ai-response workers'] = checks.redis && (await aiResponse.getWorkersCount().catch(() => 0)) > 0;
    checks['agreement-check workers'] = checks.redis && (await agreementCheck.getWorkersCount().catch(() => 0)) > 0;
    const ok = Object.values(checks).every(Boolean);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready', checks });
  }

  /** Prometheus text: this gateway plus every worker and gateway that published to Redis lately. */
  @Get('metrics')
  async metricsText(@Res() res: Response) {
    const { contentType, body } = await this.metrics.renderAll(this.redis, this.config.redisPrefix);
    res.setHeader('content-type', contentType);
    res.send(body);
  }
}
