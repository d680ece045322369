import { hostname } from 'node:os';
import type IORedis from 'ioredis';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const PUBLISH_EVERY_MS = 5000;
const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Each process keeps its own prom-client registry. Workers have no HTTP port, so every process
 * publishes its metrics to Redis every few seconds and the gateway's /metrics merges them all
 * (prom-client's aggregator, the way its cluster mode does).
 */
export class ParleyMetrics {
  readonly registry = new Registry();
  readonly socketsConnected: Gauge;
  readonly events: Counter;
  readonly messagesSaved: Counter;
  readonly jobWait: Histogram;
  readonly jobRun: Histogram;
  readonly jobsFailed: Counter;
  readonly aiLatency: Histogram;
  readonly aiTokens: Counter;
  readonly settlements: Counter;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly service: string) {
    const r = [this.registry];
    this.registry.setDefaultLabels({ service });
    this.socketsConnected = new Gauge({ name: 'parley_sockets_connected', help: 'Connected Socket.io clients', registers: r });
    this.events = new Counter({ name: 'parley_socket_events_total', help: 'Client events by name and result', labelNames: ['event', 'result'], registers: r });
    this.messagesSaved = new Counter({ name: 'parley_messages_saved_total', help: 'Chat lines saved to disk', labelNames: ['sender_type'], registers: r });
    this.jobWait = new Histogram({ name: 'parley_job_wait_seconds', help: 'Time from enqueue to start', labelNames: ['queue', 'name'], buckets: SECONDS, registers: r });
    this.jobRun = new Histogram({ name: 'parley_job_run_seconds', help: 'Time a job ran', labelNames: ['queue', 'name'], buckets: SECONDS, registers: r });
    this.jobsFailed = new Counter({ name: 'parley_jobs_failed_total', help: 'Jobs that threw', labelNames: ['queue', 'name'], registers: r });
    this.aiLatency = new Histogram({ name: 'parley_ai_reply_seconds', help: 'Negotiator latency per reply', labelNames: ['engine'], buckets: SECONDS, registers: r });
    this.aiTokens = new Counter({ name: 'parley_ai_tokens_total', help: 'LLM tokens used', labelNames: ['kind'], registers: r });
    this.settlements = new Counter({ name: 'parley_settlements_total', help: 'Negotiations settled, by outcome', labelNames: ['status'], registers: r });
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_process_' });
  }

  /** Times one job: wait (enqueue → start) and run time, and failures. */
  async timeJob<T>(queue: string, job: { name: string; timestamp: number; processedOn?: number }, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    this.jobWait.observe({ queue, name: job.name }, Math.max(0, ((job.processedOn ?? started) - job.timestamp) / 1000));
    try {
      return await run();
    } catch (e) {
      this.jobsFailed.inc({ queue, name: job.name });
      throw e;
    } finally {
      this.jobRun.observe({ queue, name: job.name }, (Date.now() - started) / 1000);
    }
  }

  startPublishing(redis: IORedis, redisPrefix: string): void {
    const key = `${redisPrefix}:metrics:${this.service}:${hostname()}:${process.pid}`;
    const publish = async () => {
      const json = await this.registry.getMetricsAsJSON();
      await redis.set(key, JSON.stringify(json), 'PX', PUBLISH_EVERY_MS * 3).catch(() => undefined);
    };
    void publish();
    this.timer = setInterval(() => void publish(), PUBLISH_EVERY_MS);
    this.timer.unref();
  }

  stopPublishing(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Prometheus text for this process plus every other process that published recently. */
  async renderAll(redis: IORedis, redisPrefix: string): Promise<{ contentType: string; body: string }> {
    const own = await this.registry.getMetricsAsJSON();
    const others: object[][] = [];
    const ownKey = `${redisPrefix}:metrics:${this.service}:${hostname()}:${process.pid}`;
    let cursor = '0';
    let rounds = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}:metrics:*`, 'COUNT', 200);
      cursor = next;
      const wanted = keys.filter((k) => k !== ownKey);
      const values = wanted.length ? await redis.mget(...wanted) : [];
      for (const v of values) if (v) others.push(JSON.parse(v) as object[]);
    } while (cursor !== '0' && ++rounds < 100);
    const merged = AggregatorRegistry.aggregate([own as object[], ...others]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }
}
