/**
 * Container health probe (docker compose healthchecks, Kubernetes exec probes):
 *
 *   node dist/apps/cli/src/healthcheck.js gateway                 GET http://127.0.0.1:$PORT/health answers 2xx
 *   node dist/apps/cli/src/healthcheck.js worker <queue>          Redis answers and a BullMQ worker on <queue>
 *                                                                 is connected from this container
 *   node dist/apps/cli/src/healthcheck.js worker <queue> --any    any worker on <queue> counts (use when Redis
 *                                                                 sees the workers through NAT or a proxy)
 *
 * Exit 0 healthy, 1 unhealthy, 2 usage error; prints one line either way.
 * It reads only PORT, HOST, REDIS_URL and REDIS_PREFIX (same defaults as libs/config) and, unlike
 * loadConfig(), never touches DATA_DIR: a probe must not create files or fail on unrelated settings.
 */
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { Queue as BullQueue } from 'bullmq';
import { bullPrefix, createRedis, Queue } from '@parley/queues';

export interface HealthResult {
  healthy: boolean;
  message: string;
}

type Env = Record<string, string | undefined>;

export const QUEUE_NAMES: readonly string[] = Object.values(Queue);
const DEFAULT_TIMEOUT_MS = 3000;

const setting = (env: Env, name: string, fallback: string) => (env[name] ? String(env[name]) : fallback);

/** The gateway is alive when its own /health answers 2xx on the loopback interface. */
export function checkGateway(env: Env = process.env, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<HealthResult> {
  const port = Number(setting(env, 'PORT', '3000'));
  const bound = setting(env, 'HOST', '0.0.0.0');
  const host = bound === '0.0.0.0' || bound === '::' ? '127.0.0.1' : bound;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/health`;
  return new Promise((resolve) => {
    const req = request(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve({ healthy: status >= 200 && status < 300, message: `gateway ${url} answered ${status}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ healthy: false, message: `gateway ${url}: ${err.message}` }));
    req.end();
  });
}

/** Addresses of this container/host as Redis would see them in CLIENT LIST. */
function localAddresses(): Set<string> {
  const found = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) found.add(normalizeHost(a.address));
  return found;
}

function normalizeHost(host: string): string {
  return host
    .replace(/^\[|\]$/g, '')
    .replace(/^::ffff:/i, '')
    .replace(/%.*$/, '')
    .toLowerCase();
}

/** CLIENT LIST `addr` is "ip:port" (IPv6 possibly bracketed): keep the ip. */
function hostOfAddr(addr: string): string {
  return normalizeHost(addr.slice(0, addr.lastIndexOf(':')));
}

/**
 * A worker process is healthy when Redis answers and BullMQ lists a worker on its queue connected
 * from one of this machine's addresses (so one hung replica among several still reports unhealthy);
 * with `anyHost`, any worker on the queue counts.
 */
export async function checkWorker(
  queueName: string,
  env: Env = process.env,
  opts: { anyHost?: boolean; timeoutMs?: number } = {},
): Promise<HealthResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const redisUrl = setting(env, 'REDIS_URL', 'redis://127.0.0.1:6379');
  const prefix = bullPrefix(setting(env, 'REDIS_PREFIX', 'parley'));
  const connection = createRedis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  connection.on('error', () => undefined);
  let queue: BullQueue | undefined;
  try {
    await connection.connect();
    if ((await connection.ping()) !== 'PONG') return { healthy: false, message: `Redis ${redisUrl} did not answer PING` };
    queue = new BullQueue(queueName, { connection, prefix });
    const workers = (await queue.getWorkers()) as Array<Record<string, string>>;
    if (workers.length > 0 && workers.every((w) => !w.addr)) {
      return { healthy: true, message: `Redis answers; it does not allow CLIENT LIST, so workers on ${queueName} cannot be counted` };
    }
    if (workers.length === 0) return { healthy: false, message: `no worker is consuming queue ${queueName} (prefix ${prefix})` };
    if (opts.anyHost) return { healthy: true, message: `${workers.length} worker connection(s) on queue ${queueName}` };
    const mine = localAddresses();
    const local = workers.filter((w) => w.addr && mine.has(hostOfAddr(w.addr)));
    if (local.length === 0) {
      return {
        healthy: false,
        message: `${workers.length} worker connection(s) on queue ${queueName}, none from this host (${[...mine].join(', ')}); pass --any if Redis sees workers through NAT`,
      };
    }
    return { healthy: true, message: `${local.length} worker connection(s) on queue ${queueName} from this host` };
  } catch (err) {
    return { healthy: false, message: `Redis ${redisUrl}: ${(err as Error).message}` };
  } finally {
    await queue?.close().catch(() => undefined);
    // disconnect() on a connection that already ended would leave ioredis' 2 s disconnect timer running
    if (connection.status !== 'end') connection.disconnect();
  }
}

const USAGE = 'usage: healthcheck gateway | healthcheck worker <' + QUEUE_NAMES.join('|') + '> [--any]';

/** Parses the command line and runs one probe; returns the process exit code. */
export async function runHealthcheck(argv: string[], env: Env = process.env, log: (line: string) => void = console.log): Promise<number> {
  const [mode, queueName, ...rest] = argv;
  let result: HealthResult;
  if (mode === 'gateway' && queueName === undefined) {
    result = await checkGateway(env);
  } else if (mode === 'worker' && queueName !== undefined && QUEUE_NAMES.includes(queueName) && rest.every((a) => a === '--any')) {
    result = await checkWorker(queueName, env, { anyHost: rest.includes('--any') });
  } else {
    log(
      mode === 'worker' && queueName !== undefined && !QUEUE_NAMES.includes(queueName) ? `unknown queue "${queueName}"; ${USAGE}` : USAGE,
    );
    return 2;
  }
  log(`${result.healthy ? 'healthy' : 'UNHEALTHY'}: ${result.message}`);
  return result.healthy ? 0 : 1;
}

if (require.main === module) {
  // A hard deadline: a probe that hangs is worse than one that fails.
  const deadline = setTimeout(() => {
    console.log('UNHEALTHY: health check did not finish within 10 s');
    process.exit(1);
  }, 10_000);
  deadline.unref();
  runHealthcheck(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.log(`UNHEALTHY: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
