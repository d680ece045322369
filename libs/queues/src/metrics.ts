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
    const registers = [this.registry];
    const counter = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers });
    const histogram = (name: string, help: string, labelNames: string[]) =>
      new Histogram({ name, help, labelNames, buckets: SECONDS, registers });
    this.registry.setDefaultLabels({ service });
    this.socketsConnected = new Gauge({ name: 'parley_sockets_connected', help: 'Connected Socket.io clients', registers });
    this.events = counter('parley_socket_events_total', 'Client events by name and result', ['event', 'result']);
    this.messagesSaved = counter('parley_messages_saved_total', 'Chat lines saved to disk', ['sender_type']);
    this.jobWait = histogram('parley_job_wait_seconds', 'Time from enqueue to start', ['queue', 'name']);
    this.jobRun = histogram('parley_job_run_seconds', 'Time a job ran', ['queue', 'name']);
    this.jobsFailed = counter('parley_jobs_failed_total', 'Jobs that threw', ['queue', 'name']);
    this.aiLatency = histogram('parley_ai_reply_seconds', 'Negotiator latency per reply', ['engine']);
    this.aiTokens = counter('parley_ai_tokens_total', 'LLM tokens used', ['kind']);
    this.settlements = counter('parley_settlements_total', 'Negotiations settled, by outcome', ['status']);
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
