/**
 * Checks that `docker compose up` (and the Kubernetes manifests) can run Parley, without a Docker
 * engine: every command points at a file `npm run build` emits, all services share one data volume
 * and one configuration, the workers can be scaled, every setting is documented, and the container
 * health probe really tells a live service from a dead one (real Redis, real BullMQ worker, real HTTP).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join, posix, resolve } from 'node:path';
import Ajv from 'ajv';
import { Worker } from 'bullmq';
import * as ts from 'typescript';
import YAML from 'yaml';
import { loadConfig, ParleyConfig } from '@parley/config';
import { bullPrefix, createRedis, Queue } from '@parley/queues';
import { checkGateway, checkWorker, QUEUE_NAMES, runHealthcheck } from '../apps/cli/src/healthcheck';
import { testConfig } from './support/env';

const ROOT = resolve(__dirname, '..');
const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');

type Dict = Record<string, any>; // parsed YAML
const compose: Dict = YAML.parse(read('docker-compose.yml'), { merge: true });
const services: Dict = compose.services ?? {};

const APP_SERVICES = ['gateway', 'ai-worker', 'agreement-worker'];
const WORKERS: Record<string, string> = { 'ai-worker': Queue.AiResponse, 'agreement-worker': Queue.AgreementCheck };
const CLUSTER_GATEWAYS = ['gateway-1', 'gateway-2'];
/** Every service that runs the Parley image (everything but redis and the load balancer). */
const parleyServices = () => Object.keys(services).filter((name) => services[name].build !== undefined);

/** `environment:` as a map, whether written as a map or as a list of KEY=VALUE. */
function envOf(service: Dict): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((kv: string) => [kv.split('=')[0], kv.slice(kv.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/** Named-volume mounts of a service as {source, target}, short or long syntax. */
function mountsOf(service: Dict): Array<{ source: string; target: string }> {
  return (service.volumes ?? []).map((v: string | Dict) => {
    if (typeof v !== 'string') return { source: v.source, target: v.target };
    const [source, target] = v.split(':');
    return { source, target };
  });
}

const asArgv = (cmd: unknown): string[] =>
  Array.isArray(cmd)
    ? cmd.map(String)
    : String(cmd ?? '')
        .split(/\s+/)
        .filter(Boolean);

// ---------------------------------------------------------------- what `npm run build` emits
const buildConfig = ts.getParsedCommandLineOfConfigFile(
  join(ROOT, 'tsconfig.build.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
)!;
const buildInputs = new Set(buildConfig.fileNames.map((f) => resolve(f)));

/** The Dockerfile's runtime WORKDIR, against which relative command paths resolve. */
function runtimeWorkdir(): string {
  const stage = dockerStages().at(-1)!;
  const workdir = stage.lines.filter((l) => /^WORKDIR\s/i.test(l)).at(-1);
  return workdir ? workdir.split(/\s+/)[1] : '/';
}

/**
 * For `node <script>` in a container: the TypeScript source that `npm run build` compiles into that
 * script, or a message saying why there is none.
 */
function sourceOfScript(script: string): { source?: string; problem?: string } {
  const inImage = posix.resolve(runtimeWorkdir(), script);
  const rel = posix.relative(runtimeWorkdir(), inImage);
  if (!rel.startsWith('dist/') || !rel.endsWith('.js')) return { problem: `${script} is not a file under ${runtimeWorkdir()}/dist/` };
  const source = rel.slice('dist/'.length).replace(/\.js$/, '.ts');
  const abs = join(ROOT, source);
  if (!existsSync(abs)) return { problem: `${script} would be built from ${source}, which does not exist` };
  if (!buildInputs.has(abs)) return { problem: `${source} exists but tsconfig.build.json does not compile it` };
  const outputs = ts.getOutputFileNames(buildConfig, abs, false).map((f) => resolve(f));
  if (!outputs.includes(join(ROOT, rel))) return { problem: `tsc compiles ${source} to ${outputs.join(', ')}, not ${rel}` };
  return { source };
}

/** The script a `node …` argv runs (skipping tini and node flags). */
function scriptOf(argv: string[]): string | undefined {
  const node = argv.findIndex((a) => a === 'node' || a.endsWith('/node'));
  if (node < 0) return undefined;
  return argv.slice(node + 1).find((a) => !a.startsWith('-'));
}

// ---------------------------------------------------------------- Dockerfile
interface Stage {
  name: string;
  from: string;
  lines: string[];
}
function dockerStages(): Stage[] {
  const logical = read('Dockerfile')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args = Object.fromEntries(
    logical.filter((l) => /^ARG\s+\w+=/.test(l)).map((l) => l.replace(/^ARG\s+/, '').split('=') as [string, string]),
  );
  const stages: Stage[] = [];
  for (const line of logical) {
    const from = line.match(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i);
    if (from) {
      const image = from[1].replace(/\$\{?(\w+)\}?/g, (_, v: string) => args[v] ?? `$${v}`);
      stages.push({ name: from[2] ?? String(stages.length), from: image, lines: [] });
    } else if (stages.length) stages.at(-1)!.lines.push(line);
  }
  return stages;
}

// ---------------------------------------------------------------- .env.example
function documentedVariables(): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of read('.env.example').split(/\r?\n/)) {
    const m = line.match(/^#?\s?([A-Z][A-Z0-9_]*)=(.*)$/);
    if (m) vars.set(m[1], m[2].trim());
  }
  return vars;
}

/** The keys of the zod schema in libs/config/src/config.ts: every variable Parley reads. */
function configVariables(): string[] {
  const source = read('libs/config/src/config.ts');
  const body = source.match(/const schema = z\.object\(\{([\s\S]*?)\n\}\);/);
  if (!body) throw new Error('could not find `const schema = z.object({ … });` in libs/config/src/config.ts');
  return [...body[1].matchAll(/^\s{2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
}

/** ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err} … in docker-compose.yml. */
function composeInterpolations(): string[] {
  return [...new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))];
}

describe('docker-compose.yml: one command runs a class', () => {
  it('is valid YAML with the redis, gateway, ai-worker and agreement-worker services', () => {
    const doc = YAML.parseDocument(read('docker-compose.yml'), { merge: true });
    expect(doc.errors.map((e) => e.message)).toEqual([]);
    for (const name of ['redis', ...APP_SERVICES])
      expect({ service: name, defined: name in services }).toEqual({ service: name, defined: true });
    // Services that always start have no profile; the cluster and tool services only run on request.
    for (const name of ['redis', ...APP_SERVICES])
      expect({ service: name, profiles: services[name].profiles }).toEqual({ service: name, profiles: undefined });
  });

  it('builds every Parley service from the one Dockerfile as the same image', () => {
    const names = parleyServices();
    expect(names).toEqual(expect.arrayContaining([...APP_SERVICES, ...CLUSTER_GATEWAYS]));
    const images = new Set(names.map((n) => services[n].image));
    const contexts = new Set(names.map((n) => (typeof services[n].build === 'string' ? services[n].build : services[n].build.context)));
    expect({ images: [...images], contexts: [...contexts] }).toEqual({ images: [expect.any(String)], contexts: ['.'] });
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it('runs in every service a script that `npm run build` produces', () => {
    const problems: string[] = [];
    const seen: string[] = [];
    for (const name of parleyServices()) {
      const argv = [...asArgv(services[name].entrypoint), ...asArgv(services[name].command)];
      const script = scriptOf(argv);
      if (!script) {
        problems.push(`${name}: command ${JSON.stringify(argv)} runs no node script`);
        continue;
      }
      const { source, problem } = sourceOfScript(script);
      if (problem) problems.push(`${name}: ${problem}`);
      else seen.push(`${name} → ${source}`);
    }
    expect(problems).toEqual([]);
    expect(seen).toEqual(
      expect.arrayContaining([
        'gateway → apps/gateway/src/main.ts',
        'ai-worker → apps/ai-worker/src/main.ts',
        'agreement-worker → apps/agreement-worker/src/main.ts',
        'parley → apps/cli/src/parley.ts',
      ]),
    );
  });

  it('gives every long-running service a healthcheck that runs something that exists', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries<Dict>(services)) {
      if (name === 'parley') continue; // one-shot CLI
      const test = asArgv(service.healthcheck?.test);
      if (test[0] !== 'CMD' && test[0] !== 'CMD-SHELL') {
        problems.push(`${name}: no healthcheck (test: ${JSON.stringify(service.healthcheck?.test)})`);
        continue;
      }
      if (!parleyServices().includes(name)) continue;
      const script = scriptOf(test.slice(1));
      const { source, problem } = script ? sourceOfScript(script) : { source: undefined, problem: 'runs no node script' };
      if (problem) problems.push(`${name}: healthcheck ${problem}`);
      else if (source !== 'apps/cli/src/healthcheck.ts')
        problems.push(`${name}: healthcheck runs ${source}, expected apps/cli/src/healthcheck.ts`);
    }
    expect(problems).toEqual([]);
  });

  it('probes each worker on the queue it consumes, and each gateway over HTTP', () => {
    for (const [worker, queue] of Object.entries(WORKERS)) {
      const args = asArgv(services[worker].healthcheck.test).slice(-2);
      expect({ service: worker, probe: args }).toEqual({ service: worker, probe: ['worker', queue] });
      expect(QUEUE_NAMES).toContain(queue);
    }
    for (const gw of ['gateway', ...CLUSTER_GATEWAYS]) {
      expect({ service: gw, probe: asArgv(services[gw].healthcheck.test).at(-1) }).toEqual({ service: gw, probe: 'gateway' });
    }
  });

  it('keeps Redis durable: AOF on, never evicting, on its own volume, health-checked', () => {
    const redis = services.redis;
    const argv = asArgv(redis.command).join(' ');
    expect(redis.image).toMatch(/^redis:7/);
    expect(argv).toMatch(/--appendonly yes\b/);
    expect(argv).toMatch(/--maxmemory-policy noeviction\b/);
    expect(asArgv(redis.healthcheck.test)).toEqual(['CMD', 'redis-cli', 'ping']);
    const redisVolumes = mountsOf(redis).map((m) => m.source);
    expect(redisVolumes).toHaveLength(1);
    expect(Object.keys(compose.volumes)).toContain(redisVolumes[0]);
    expect(redisVolumes[0]).not.toBe('parley-data');
    expect(redis.ports).toBeUndefined(); // not reachable from outside the compose network
  });

  it('mounts ONE named data volume in the gateway and both workers at their DATA_DIR', () => {
    expect(Object.keys(compose.volumes ?? {})).toContain('parley-data');
    for (const name of parleyServices()) {
      const dataDir = envOf(services[name]).DATA_DIR;
      const data = mountsOf(services[name]).filter((m) => m.source === 'parley-data');
      expect({ service: name, mounts: data }).toEqual({ service: name, mounts: [{ source: 'parley-data', target: dataDir }] });
      // no other named volume could split the data between services
      const otherNamed = mountsOf(services[name]).filter((m) => m.source in (compose.volumes ?? {}) && m.source !== 'parley-data');
      expect({ service: name, otherNamedVolumes: otherNamed }).toEqual({ service: name, otherNamedVolumes: [] });
    }
  });

  it('points every Parley service at the compose Redis and the same settings (JWT secret included)', () => {
    for (const name of parleyServices()) {
      const service = services[name];
      const env = envOf(service);
      expect({ service: name, REDIS_URL: env.REDIS_URL, DATA_DIR: env.DATA_DIR, PORT: env.PORT }).toEqual({
        service: name,
        REDIS_URL: 'redis://redis:6379',
        DATA_DIR: '/data',
        PORT: '3000',
      });
      // .env is optional (compose ≥ 2.24 `required: false`), so `docker compose up` works without one
      expect({ service: name, env_file: service.env_file }).toEqual({ service: name, env_file: [{ path: '.env', required: false }] });
      expect({ service: name, depends_on: service.depends_on?.redis }).toEqual({
        service: name,
        depends_on: { condition: 'service_healthy' },
      });
      if (name !== 'parley') expect({ service: name, restart: service.restart }).toEqual({ service: name, restart: 'unless-stopped' });
    }
    // A JWT_SECRET written into one service only would make tokens from one gateway fail on another.
    const secrets = new Set(parleyServices().map((n) => envOf(services[n]).JWT_SECRET));
    expect(secrets.size).toBe(1);
  });

  it('lets the workers scale (--scale ai-worker=3): no container_name, no host ports', () => {
    for (const [name, service] of Object.entries<Dict>(services)) {
      expect({ service: name, container_name: service.container_name }).toEqual({ service: name, container_name: undefined });
    }
    for (const name of Object.keys(WORKERS))
      expect({ service: name, ports: services[name].ports }).toEqual({ service: name, ports: undefined });
    for (const name of CLUSTER_GATEWAYS)
      expect({ service: name, ports: services[name].ports }).toEqual({ service: name, ports: undefined });
  });

  it('publishes the gateway on ${PORT:-3000}, and the cluster load balancer on the same host port', () => {
    expect(services.gateway.ports).toEqual(['${PORT:-3000}:3000']);
    const lb = services.lb;
    expect(lb.profiles).toEqual(['cluster']);
    expect(lb.ports).toHaveLength(1);
    const [host, container] = String(lb.ports[0]).split(/:(?=[^:]*$)/);
    expect(host).toBe('${PORT:-3000}');
    expect(read('deploy/nginx.conf')).toMatch(new RegExp(`\\blisten\\s+${container}\\s*;`));
    expect(mountsOf(lb)).toContainEqual({ source: './deploy/nginx.conf', target: '/etc/nginx/nginx.conf' });
    for (const gw of CLUSTER_GATEWAYS) {
      expect({ service: gw, profiles: services[gw].profiles }).toEqual({ service: gw, profiles: ['cluster'] });
      expect(lb.depends_on[gw]).toEqual({ condition: 'service_healthy' });
    }
  });
});

// ---------------------------------------------------------------- the Compose Specification
/**
 * The Compose Specification's JSON schema (compose-spec/compose-spec, schema/compose-spec.json), as
 * shipped in the dclint package (pinned in package.json), which refreshes it from that repository.
 */
const COMPOSE_SCHEMA = JSON.parse(read('node_modules/dclint/schemas/compose.schema.json'));
// it is draft-07, Ajv's default; its $schema spells the draft's URL with https, which Ajv does not know
const validateCompose = new Ajv({ allErrors: true, strict: false }).compile({ ...COMPOSE_SCHEMA, $schema: undefined });
const schemaErrors = (doc: unknown) =>
  validateCompose(doc) ? [] : (validateCompose.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);

describe('docker-compose.yml against the Compose Specification', () => {
  it('is the Compose Specification schema, and it refuses what Compose refuses', () => {
    expect(COMPOSE_SCHEMA.title).toBe('Compose Specification');
    // the schema knows the long env_file syntax this file relies on (compose ≥ 2.24)
    expect(schemaErrors({ services: { a: { image: 'x', env_file: [{ path: '.env', required: false }] } } })).toEqual([]);
    expect(schemaErrors({ services: { a: { image: 'x', restart_policy: 'always' } } })).not.toEqual([]);
    // a log option at the wrong level
    expect(schemaErrors({ services: { a: { image: 'x', logging: { driver: 'json-file', 'max-size': '10m' } } } })).not.toEqual([]);
    expect(schemaErrors({ services: { a: { image: 'x', deploy: { resources: { limits: { cpus: '1.0', memory: '768M' } } } } } })).toEqual(
      [],
    );
    expect(schemaErrors({ services: { a: { image: 'x', deploy: { resources: { limit: { memory: '768M' } } } } } })).not.toEqual([]);
  });

  it('validates, anchors and merge keys resolved as Compose resolves them', () => {
    expect(schemaErrors(compose)).toEqual([]);
  });

  it('states the Compose version it needs (2.24, for env_file required: false) in the file, the README and docs/DEPLOY.md', () => {
    for (const file of ['docker-compose.yml', 'README.md', 'docs/DEPLOY.md'])
      expect({ file, states: /Compose[^\n]{0,40}2\.24/i.test(read(file)) }).toEqual({ file, states: true });
  });

  it('rotates every container log and limits every container (CPU and memory)', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries<Dict>(services)) {
      const log = service.logging;
      if (log?.driver !== 'json-file' || !/^\d+[km]$/.test(log.options?.['max-size'] ?? '') || !(Number(log.options?.['max-file']) > 1))
        problems.push(`${name}: logging ${JSON.stringify(log)}`);
      const limits = service.deploy?.resources?.limits;
      if (!(Number(limits?.cpus) > 0) || !/^\d+[MG]$/.test(String(limits?.memory ?? '')))
        problems.push(`${name}: limits ${JSON.stringify(limits)}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('profile "https": a class server with automatic HTTPS (Caddy)', () => {
  const caddy: Dict = services.caddy ?? {};
  const caddyfile = read('deploy/Caddyfile').replace(/#.*$/gm, '');

  it('runs Caddy only with --profile https, on ports 80 and 443, after the gateway is healthy', () => {
    expect(caddy.image).toMatch(/^caddy:2\.\d+/);
    expect(caddy.profiles).toEqual(['https']);
    expect(caddy.ports).toEqual(expect.arrayContaining(['80:80', '443:443']));
    expect(caddy.depends_on?.gateway).toEqual({ condition: 'service_healthy' });
    expect(caddy.restart).toBe('unless-stopped');
  });

  it('serves the hostname from .env and keeps its certificates on a named volume', () => {
    expect(envOf(caddy).PARLEY_HOSTNAME).toMatch(/^\$\{PARLEY_HOSTNAME(:-[^}]*)?\}$/);
    expect(caddyfile).toMatch(/^\{\$PARLEY_HOSTNAME(:[^}]*)?\}\s*\{/m);
    expect(mountsOf(caddy)).toContainEqual({ source: './deploy/Caddyfile', target: '/etc/caddy/Caddyfile' });
    const data = mountsOf(caddy).find((m) => m.target === '/data');
    expect(data && data.source in (compose.volumes ?? {})).toBe(true);
    expect(data!.source).not.toBe('parley-data');
  });

  it('proxies to the gateway on the port it listens on inside the network', () => {
    const target = caddyfile.match(/reverse_proxy\s+(\S+)/)?.[1];
    expect(target).toBe(`gateway:${envOf(services.gateway).PORT}`);
  });

  it('documents PARLEY_HOSTNAME and how to trust the proxy in .env.example', () => {
    const env = read('.env.example');
    expect(env).toMatch(/^# PARLEY_HOSTNAME=/m);
    expect(env).toMatch(/`https` profile's Caddy/);
  });
});

describe('deploy/nginx.conf: cluster load balancer', () => {
  const conf = read('deploy/nginx.conf').replace(/#.*$/gm, '');
  const upstream = conf.match(/upstream\s+(\S+)\s*\{([^}]*)\}/);

  it('balances over the cluster gateways with sticky ip_hash', () => {
    expect(upstream).not.toBeNull();
    const body = upstream![2];
    expect(body).toMatch(/^\s*ip_hash\s*;/m);
    const servers = [...body.matchAll(/^\s*server\s+([^\s;]+)/gm)].map((m) => m[1]);
    expect(servers.sort()).toEqual(CLUSTER_GATEWAYS.map((g) => `${g}:3000`).sort());
    expect(conf).toMatch(new RegExp(`proxy_pass\\s+http://${upstream![1]}\\s*;`));
  });

  it('passes websocket upgrades through', () => {
    expect(conf).toMatch(/proxy_http_version\s+1\.1\s*;/);
    expect(conf).toMatch(/proxy_set_header\s+Upgrade\s+\$http_upgrade\s*;/);
    const connection = conf.match(/proxy_set_header\s+Connection\s+(\S+?)\s*;/);
    expect(connection).not.toBeNull();
    if (connection![1] !== '"upgrade"' && connection![1] !== 'upgrade') {
      // a map from $http_upgrade must answer "upgrade" to an upgrade request
      const map = conf.match(new RegExp(`map\\s+\\$http_upgrade\\s+\\${connection![1]}\\s*\\{([^}]*)\\}`));
      expect(map?.[1]).toMatch(/default\s+upgrade\s*;/);
    }
    expect(conf).toMatch(/proxy_read_timeout\s+\d+/);
  });

  it('answers the load balancer healthcheck path that compose probes', () => {
    const probe = asArgv(services.lb.healthcheck.test).join(' ');
    const path = probe.match(/http:\/\/127\.0\.0\.1(\/\S*)/)?.[1];
    expect(path).toBeDefined();
    expect(conf).toMatch(new RegExp(`location\\s+=\\s+${path}\\s*\\{[^}]*return\\s+200`));
  });
});

describe('Dockerfile: one multi-stage image', () => {
  const stages = dockerStages();
  const runtime = stages.at(-1)!;
  const stageNames = stages.map((s) => s.name);

  it('builds on Node 20 bookworm-slim in every stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect({ stage: s.name, from: s.from }).toEqual({ stage: s.name, from: 'node:20-bookworm-slim' });
  });

  it('builds with npm ci and npm run build, and ships only production dependencies', () => {
    const build = stages.find((s) => s.lines.some((l) => /npm run build\b/.test(l)));
    expect(build?.lines.some((l) => /npm ci\b/.test(l))).toBe(true);
    const modules = runtime.lines.find((l) => /^COPY\s.*--from=(\S+)\s.*node_modules/.test(l));
    expect(modules).toBeDefined();
    const from = modules!.match(/--from=(\S+)/)![1];
    const prodStage = stages.find((s) => s.name === from);
    expect(prodStage?.lines.some((l) => /npm ci\b.*--omit=dev|npm prune\b.*--omit=dev/.test(l))).toBe(true);
  });

  it('prunes TypeScript, type declarations and source maps from the production node_modules', () => {
    const modules = runtime.lines.find((l) => /^COPY\s.*--from=(\S+)\s.*node_modules/.test(l))!;
    const prodStage = stages.find((s) => s.name === modules.match(/--from=(\S+)/)![1])!;
    expect(prodStage.lines.some((l) => /npm ci\b.*--omit=dev.*&& sh scripts\/prune-production\.sh node_modules/.test(l))).toBe(true);
    // what the script does, on a small tree shaped like npm's
    const dir = mkdtempSync(join(tmpdir(), 'parley-prune-'));
    try {
      const file = (rel: string) => {
        mkdirSync(join(dir, rel, '..'), { recursive: true });
        writeFileSync(join(dir, rel), 'x');
      };
      const kept = ['zod/index.js', 'zod/package.json', 'zod/LICENSE', '@bull-board/ui/dist/static/app.css', '.bin/prettier-free'];
      const pruned = [
        'typescript/lib/typescript.js',
        '@types/node/index.d.ts',
        'zod/index.d.ts',
        'zod/index.d.cts',
        'zod/src/index.ts',
        'zod/index.js.map',
      ];
      [...kept, ...pruned].forEach(file);
      execFileSync('sh', [join(ROOT, 'scripts/prune-production.sh'), dir]);
      expect(kept.filter((f) => !existsSync(join(dir, f)))).toEqual([]);
      expect(pruned.filter((f) => existsSync(join(dir, f)))).toEqual([]);
      expect(existsSync(join(dir, 'typescript'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('removes the package managers of the base image from the runtime image, and runs nothing through them', () => {
    const runtimeText = runtime.lines.join('\n');
    for (const tool of ['/usr/local/bin/npm', '/usr/local/bin/npx', '/usr/local/lib/node_modules/npm', '/usr/local/bin/yarn'])
      expect({ tool, removed: runtimeText.includes(tool) && /\brm -(rf|f)\b/.test(runtimeText) }).toEqual({ tool, removed: true });
    const commands = [
      ...runtime.lines.filter((l) => /^(CMD|ENTRYPOINT)\s/i.test(l)),
      ...Object.values<Dict>(services).flatMap((s) => [s.command, s.entrypoint, s.healthcheck?.test].map((c) => asArgv(c).join(' '))),
    ];
    expect(commands.filter((c) => /\b(npm|npx|yarn)\b/.test(c))).toEqual([]);
  });

  it.each(['dist', 'libs/negotiation/scenarios', 'apps/web/dist'])('copies %s from the build stage into the runtime image', (path) => {
    const copy = runtime.lines.find((l) => {
      const m = l.match(/^COPY\s+(?:--\S+\s+)*--from=(\S+)\s+(?:--\S+\s+)*(\S+)\s+(\S+)$/);
      return m && stageNames.includes(m[1]) && m[1] !== runtime.name && m[2].replace(/\/$/, '').endsWith(`/${path}`);
    });
    expect({ path, copiedBy: copy ?? 'no COPY --from=<stage> line' }).toEqual({ path, copiedBy: expect.stringContaining(path) });
  });

  it('runs as a non-root user with /data as the data directory and the gateway as default command', () => {
    const user = runtime.lines.filter((l) => /^USER\s/i.test(l)).at(-1);
    expect(user).toBeDefined();
    expect(user!.split(/\s+/)[1]).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.lines.join('\n')).toMatch(/DATA_DIR=\/data\b/);
    expect(runtime.lines.some((l) => /chown\s+\S+\s+\/data\b/.test(l))).toBe(true);
    const cmd = runtime.lines.filter((l) => /^CMD\s/i.test(l)).at(-1)!;
    const script = scriptOf(JSON.parse(cmd.replace(/^CMD\s+/i, '')));
    expect(sourceOfScript(script!)).toEqual({ source: 'apps/gateway/src/main.ts' });
  });

  it('keeps secrets and local state out of the build context (.dockerignore)', () => {
    const ignore = read('.dockerignore')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['.env', 'data', 'dist', '.git']) expect(ignore).toContain(p);
    expect(ignore.some((p) => /node_modules/.test(p))).toBe(true);
    // … but never what the build needs
    for (const needed of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'apps',
      'libs',
      'libs/negotiation/scenarios',
    ]) {
      expect({ needed, ignoredBy: ignore.filter((p) => p === needed || p === `/${needed}` || p === `${needed}/`) }).toEqual({
        needed,
        ignoredBy: [],
      });
    }
  });
});

describe('.env.example documents every setting', () => {
  const documented = documentedVariables();

  it('lists every variable libs/config reads', () => {
    const vars = configVariables();
    expect(vars).toEqual(expect.arrayContaining(['PORT', 'REDIS_URL', 'DATA_DIR', 'JWT_SECRET', 'AI_ENGINE', 'LOG_LEVEL']));
    expect(vars.filter((v) => !documented.has(v))).toEqual([]);
  });

  it('lists every variable docker-compose.yml uses', () => {
    const used = new Set([...composeInterpolations(), ...parleyServices().flatMap((n) => Object.keys(envOf(services[n])))]);
    expect([...used].filter((v) => !documented.has(v))).toEqual([]);
  });

  it('shows the real defaults: setting a documented default changes no setting', () => {
    const base = { JWT_SECRET: 'documentation-check-secret-0123456789' };
    const normalize = (c: ParleyConfig) => ({ ...c, redisUrlSet: undefined });
    const defaults = normalize(loadConfig(base));
    const wrong: string[] = [];
    for (const name of configVariables()) {
      const value = documented.get(name);
      if (!value) continue; // documented as unset
      let withValue: ParleyConfig | string;
      try {
        withValue = loadConfig({ ...base, [name]: value });
      } catch (e) {
        withValue = (e as Error).message;
      }
      if (typeof withValue === 'string' || JSON.stringify(normalize(withValue)) !== JSON.stringify(defaults)) {
        wrong.push(`${name}=${value} is not the default (${typeof withValue === 'string' ? withValue : 'it changes the configuration'})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('never ships an active secret', () => {
    const active = read('.env.example')
      .split(/\r?\n/)
      .filter((l) => /^(JWT_SECRET|OPENAI_API_KEY)=\S/.test(l));
    expect(active).toEqual([]);
  });
});

describe('deploy/k8s: Kubernetes manifests', () => {
  const dir = join(ROOT, 'deploy/k8s');
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
  const kustomization: Dict = YAML.parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'));
  const docs: Dict[] = files.flatMap((f) =>
    YAML.parseAllDocuments(readFileSync(join(dir, f), 'utf8'))
      .map((d) => d.toJS())
      .filter(Boolean),
  );
  const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata?.name === name);
  const configMap = find('ConfigMap', 'parley-config');

  it('applies every manifest file through kustomization.yaml', () => {
    expect([...kustomization.resources].sort()).toEqual([...files].sort());
  });

  it('keeps every object in the parley namespace', () => {
    for (const d of docs.filter((d) => d.kind !== 'Namespace'))
      expect({ object: `${d.kind}/${d.metadata.name}`, ns: d.metadata.namespace }).toEqual({
        object: `${d.kind}/${d.metadata.name}`,
        ns: 'parley',
      });
  });

  it('selects its own pods in every Deployment and StatefulSet', () => {
    for (const d of docs.filter((d) => d.kind === 'Deployment' || d.kind === 'StatefulSet')) {
      const labels = d.spec.template.metadata.labels;
      for (const [k, v] of Object.entries(d.spec.selector.matchLabels))
        expect({ workload: d.metadata.name, [k]: labels[k] }).toEqual({ workload: d.metadata.name, [k]: v });
    }
  });

  it.each(APP_SERVICES)('runs %s from a built script with the shared ReadWriteMany volume at DATA_DIR', (name) => {
    const deployment = find('Deployment', name);
    expect(deployment).toBeDefined();
    const pod = deployment!.spec.template.spec;
    const container = pod.containers[0];
    expect(sourceOfScript(scriptOf(container.args)!)).toEqual({ source: `apps/${name}/src/main.ts` });
    const volume = pod.volumes.find((v: Dict) => v.persistentVolumeClaim?.claimName === 'parley-data');
    expect(volume).toBeDefined();
    const mount = container.volumeMounts.find((m: Dict) => m.name === volume.name);
    expect(mount?.mountPath).toBe(configMap?.data.DATA_DIR);
    expect(container.envFrom).toContainEqual({ configMapRef: { name: 'parley-config' } });
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).not.toBe(0);
    const pvc = find('PersistentVolumeClaim', 'parley-data');
    expect(pvc?.spec.accessModes).toEqual(['ReadWriteMany']);
    if (name in WORKERS) expect(container.livenessProbe.exec.command.slice(-2)).toEqual(['worker', WORKERS[name]]);
  });

  it('autoscales the gateway on CPU and routes the Ingress to it with cookie affinity', () => {
    const hpa = find('HorizontalPodAutoscaler', 'gateway');
    expect(hpa?.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' });
    expect(hpa?.spec.metrics.map((m: Dict) => m.resource?.name)).toContain('cpu');
    expect(find('Deployment', 'gateway')!.spec.template.spec.containers[0].resources.requests.cpu).toBeDefined();
    const ingress = docs.find((d) => d.kind === 'Ingress');
    expect(ingress?.metadata.annotations['nginx.ingress.kubernetes.io/affinity']).toBe('cookie');
    const backend = ingress!.spec.rules[0].http.paths[0].backend.service;
    const service = find('Service', backend.name);
    expect(service?.spec.selector).toEqual(find('Deployment', 'gateway')!.spec.selector.matchLabels);
    expect(service!.spec.ports.map((p: Dict) => p.name)).toContain(backend.port.name);
  });

  it('runs Redis with AOF and noeviction where REDIS_URL points', () => {
    const redis = find('StatefulSet', 'redis');
    const args = redis!.spec.template.spec.containers[0].args.join(' ');
    expect(args).toMatch(/--appendonly yes\b/);
    expect(args).toMatch(/--maxmemory-policy noeviction\b/);
    expect(configMap?.data.REDIS_URL).toBe('redis://redis:6379');
    expect(find('Service', 'redis')).toBeDefined();
  });
});

describe('healthcheck: the probe behind every compose healthcheck', () => {
  let config: ReturnType<typeof testConfig>;
  const servers: Server[] = [];
  const env = () => ({ REDIS_URL: config.redisUrl, REDIS_PREFIX: config.redisPrefix });
  const silent = () => undefined;

  beforeAll(() => {
    config = testConfig();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    config.cleanup();
  });

  async function httpServer(status: number): Promise<number> {
    const server = createServer((req, res) => {
      res.statusCode = req.url === '/health' ? status : 404;
      res.end();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }

  it('reports a worker healthy while it consumes its queue, and unhealthy once it is gone', async () => {
    const connection = createRedis(config.redisUrl);
    const worker = new Worker(Queue.AiResponse, async () => undefined, { connection, prefix: bullPrefix(config.redisPrefix) });
    try {
      await worker.waitUntilReady();
      let result = await checkWorker(Queue.AiResponse, env());
      // the blocking connection names itself right after start: allow it a moment (≤ 5 s)
      for (let i = 0; i < 50 && !result.healthy; i++) {
        await new Promise((r) => setTimeout(r, 100));
        result = await checkWorker(Queue.AiResponse, env());
      }
      expect(result).toEqual({ healthy: true, message: expect.stringContaining('from this host') });
      // the other queue has no consumer
      expect(await checkWorker(Queue.AgreementCheck, env())).toEqual({ healthy: false, message: expect.stringContaining('no worker') });
      // another deployment's prefix does not count
      expect((await checkWorker(Queue.AiResponse, { ...env(), REDIS_PREFIX: `${config.redisPrefix}x` })).healthy).toBe(false);
      expect(await runHealthcheck(['worker', Queue.AiResponse, '--any'], env(), silent)).toBe(0);
    } finally {
      await worker.close();
      connection.disconnect();
    }
    let after = await checkWorker(Queue.AiResponse, env());
    for (let i = 0; i < 50 && after.healthy; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await checkWorker(Queue.AiResponse, env());
    }
    expect(after.healthy).toBe(false);
    expect(await runHealthcheck(['worker', Queue.AiResponse], env(), silent)).toBe(1);
  });

  it('reports a worker unhealthy, quickly, when Redis does not answer', async () => {
    const started = Date.now();
    const result = await checkWorker(Queue.AiResponse, { REDIS_URL: 'redis://127.0.0.1:1', REDIS_PREFIX: 'parley' }, { timeoutMs: 1000 });
    expect(result).toEqual({ healthy: false, message: expect.stringContaining('redis://127.0.0.1:1') });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports the gateway healthy only when /health answers 2xx', async () => {
    const ok = await httpServer(200);
    const failing = await httpServer(503);
    expect(await checkGateway({ PORT: String(ok) })).toEqual({ healthy: true, message: expect.stringContaining('200') });
    expect(await checkGateway({ PORT: String(failing) })).toEqual({ healthy: false, message: expect.stringContaining('503') });
    const closed = await httpServer(200);
    await new Promise((r) => servers.pop()!.close(r));
    expect((await checkGateway({ PORT: String(closed) })).healthy).toBe(false);
    const lines: string[] = [];
    expect(await runHealthcheck(['gateway'], { PORT: String(ok) }, (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/^healthy: /)]);
  });

  it('refuses unknown modes and queues with a usage line (exit 2)', async () => {
    const lines: string[] = [];
    expect(await runHealthcheck([], {}, (l) => lines.push(l))).toBe(2);
    expect(await runHealthcheck(['worker', 'no-such-queue'], {}, (l) => lines.push(l))).toBe(2);
    expect(await runHealthcheck(['worker'], {}, (l) => lines.push(l))).toBe(2);
    expect(lines[1]).toContain('unknown queue "no-such-queue"');
    expect(lines.every((l) => l.includes('usage: healthcheck'))).toBe(true);
  });
});
