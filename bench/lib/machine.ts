import { execFileSync } from 'node:child_process';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  freeGiB: number;
  loadAvg: number[];
  os: string;
  node: string;
  redis: string;
  fileLimit: string;
  uvThreadpool: string;
}

/** What the figures were measured on, from `os` (and `ulimit -n`, the Redis server's INFO). */
export function machine(redisVersion: string): Machine {
  let fileLimit = '?';
  try {
    fileLimit = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  } catch {
    /* not a shell platform */
  }
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model?.trim() ?? '?',
    memoryGiB: totalmem() / 2 ** 30,
    freeGiB: freemem() / 2 ** 30,
    loadAvg: loadavg(),
    os: `${platform()} ${release()}`,
    node: process.version,
    redis: redisVersion,
    fileLimit,
    uvThreadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
  };
}
