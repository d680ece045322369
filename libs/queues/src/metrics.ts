import { hostname } from 'node:os';
import type IORedis from 'ioredis';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const PUBLISH_EVERY_MS = 5000;
/** The set of every process's snapshot key, so /metrics never has to SCAN a large Redis. */
const indexKey = (redisPrefix: string) => `${redisPrefix}:metrics-index`;
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
    this.events = new Counter({
      name: 'parley_socket_events_total',
      help: 'Client events by name and result',
      labelNames: ['event', 'result'],
      registers: r,
    });
    this.messagesSaved = new Counter({
      name: 'parley_messages_saved_total',
      help: 'Chat lines saved to disk',
      labelNames: ['sender_type'],
      registers: r,
    });
    this.jobWait = new Histogram({
      name: 'parley_job_wait_seconds',
      help: 'Time from enqueue to start',
      labelNames: ['queue', 'name'],
      buckets: SECONDS,
      registers: r,
    });
    this.jobRun = new Histogram({
      name: 'parley_job_run_seconds',
      help: 'Time a job ran',
      labelNames: ['queue', 'name'],
      buckets: SECONDS,
      registers: r,
    });
    this.jobsFailed = new Counter({
      name: 'parley_jobs_failed_total',
      help: 'Jobs that threw',
      labelNames: ['queue', 'name'],
      registers: r,
    });
    this.aiLatency = new Histogram({
      name: 'parley_ai_reply_seconds',
      help: 'Negotiator latency per reply',
      labelNames: ['engine'],
      buckets: SECONDS,
      registers: r,
    });
    this.aiTokens = new Counter({ name: 'parley_ai_tokens_total', help: 'LLM tokens used', labelNames: ['kind'], registers: r });
    this.settlements = new Counter({
      name: 'parley_settlements_total',
      help: 'Negotiations settled, by outcome',
      labelNames: ['status'],
      registers: r,
    });
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

  private keyOf(redisPrefix: string): string {
    return `${redisPrefix}:metrics:${this.service}:${hostname()}:${process.pid}`;
  }

  startPublishing(redis: IORedis, redisPrefix: string): void {
    const key = this.keyOf(redisPrefix);
    const publish = async () => {
      const json = await this.registry.getMetricsAsJSON();
      await redis
        .multi()
        .set(key, JSON.stringify(json), 'PX', PUBLISH_EVERY_MS * 3)
        .sadd(indexKey(redisPrefix), key)
        .exec()
        .catch(() => undefined);
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
    const ownKey = this.keyOf(redisPrefix);
    const keys = (await redis.smembers(indexKey(redisPrefix))).filter((k) => k !== ownKey);
    const values = keys.length ? await redis.mget(...keys) : [];
    const others: object[][] = [];
    const gone: string[] = [];
    values.forEach((v, i) => (v ? others.push(JSON.parse(v) as object[]) : gone.push(keys[i])));
    // a process that stopped publishing leaves the index once its last snapshot has expired
    if (gone.length) await redis.srem(indexKey(redisPrefix), ...gone);
    const merged = AggregatorRegistry.aggregate([own as object[], ...others]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }
}
