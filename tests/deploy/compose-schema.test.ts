/**
 * The compose files cannot be run here (no Docker engine), so they are checked offline:
 * each file and each merged base+override result against the official Compose Specification
 * JSON schema, plus the deployment decisions the schema cannot express (service entry points,
 * published ports, health-gated start order, the plan's resource limits, required secrets).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  APP_SERVICES,
  REPO_ROOT,
  commandArgs,
  compileComposeValidator,
  interpolate,
  interpolateString,
  isObject,
  loadComposeFile,
  loadComposeSchema,
  mergeCompose,
  parseBytes,
  parseCompose,
  publishedPorts,
  referencedVariables,
  semanticProblems,
  services,
  toMapping,
  volumeTarget,
  type Json,
  type JsonObject,
  type SchemaValidator,
} from './compose-lib.js';

const FILES = ['docker-compose.yml', 'docker-compose.dev.yml', 'docker-compose.prod.yml'] as const;
const fileExists = (rel: string) => existsSync(path.join(REPO_ROOT, rel));

/** What a production operator must supply; everything else has a default. */
const PROD_ENV = {
  JWT_SECRET: 'f3a9c2e1d4b7a6c5e8f1d2c3b4a5e6f7',
  API_KEYS: 'operator-key-0123456789:read+control',
  POSTGRES_PASSWORD: 'test-password',
};

let validate: SchemaValidator;
const raw: Record<string, JsonObject> = {};

function asObject(value: Json): JsonObject {
  if (!isObject(value)) throw new Error(`expected a mapping, got ${JSON.stringify(value)}`);
  return value;
}
function merged(override: 'docker-compose.dev.yml' | 'docker-compose.prod.yml', env: Record<string, string> = {}): JsonObject {
  return mergeCompose(
    asObject(interpolate(raw['docker-compose.yml']!, env)),
    asObject(interpolate(raw[override]!, env)),
  );
}
function envOf(svc: JsonObject | undefined): JsonObject {
  return toMapping(svc?.environment);
}
function limits(svc: JsonObject | undefined): { cpus: number; memory: number } {
  const deploy = asObject(svc?.deploy ?? null);
  const lim = asObject(asObject(asObject(deploy.resources ?? null).limits ?? null));
  return { cpus: Number(lim.cpus), memory: parseBytes(lim.memory) };
}
const GB = 1024 ** 3;
const MB = 1024 ** 2;

beforeAll(() => {
  const source = loadComposeSchema();
  validate = compileComposeValidator(source.schema);
  for (const f of FILES) raw[f] = loadComposeFile(f);
});

describe('Compose Specification schema (vendored by the dclint package)', () => {
  it('is the upstream compose-spec.json with the current top-level keys', () => {
    const { schema, packageName } = loadComposeSchema();
    expect(packageName).toBe('dclint');
    expect(schema.title).toBe('Compose Specification');
    expect(schema.$id).toBe('compose_spec.json');
    const props = asObject(schema.properties ?? null);
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['services', 'volumes', 'networks', 'include']));
    const service = asObject(asObject(asObject(schema.definitions ?? null).service ?? null).properties ?? null);
    expect(Object.keys(service)).toEqual(expect.arrayContaining(['deploy', 'healthcheck', 'depends_on', 'develop']));
  });

  it.each(['invalid: [', 'a: 1\na: 2', 'services: &x\n  s: *y'])('parser rejects broken YAML %j', (text) => {
    expect(() => parseCompose(text)).toThrow();
  });

  it.each([
    ['ports as a string instead of a list', 'services:\n  api:\n    image: x\n    ports: "8000:8000"\n', /\/services\/api\/ports must be array/],
    ['a misspelt service key', 'services:\n  api:\n    image: x\n    restart_policy: always\n', /additional properties 'restart_policy'/],
    [
      'an unknown depends_on condition',
      'services:\n  a:\n    image: x\n    depends_on:\n      b:\n        condition: service_happy\n  b:\n    image: x\n',
      /depends_on\/b\/condition must be equal to one of the allowed values/,
    ],
    ['replicas as a list', 'services:\n  a:\n    image: x\n    deploy:\n      replicas: [2]\n', /deploy\/replicas must be integer/],
    ['a misspelt top-level key', 'servces:\n  a:\n    image: x\n', /additional properties 'servces'/],
    ['an unknown healthcheck field', 'services:\n  a:\n    image: x\n    healthcheck:\n      command: ["CMD", "true"]\n', /healthcheck must NOT have additional properties 'command'/],
  ] as const)('rejects a document with %s', (_what, text, expected) => {
    const errors = validate(parseCompose(text));
    expect(errors.some((e) => expected.test(e)), errors.join('\n')).toBe(true);
  });

  it('rejects the real base file once it is broken', () => {
    const doc = structuredClone(raw['docker-compose.yml']!);
    const api = services(doc)['api-server']!;
    api.ports = '8000:8000';
    api.healthcheck = { ...asObject(api.healthcheck ?? null), interval: 10 };
    const errors = validate(doc);
    expect(errors).toContain('/services/api-server/ports must be array');
    expect(errors).toContain('/services/api-server/healthcheck/interval must be string');
  });

  it('accepts a minimal valid document', () => {
    expect(validate(parseCompose('services:\n  a:\n    image: redis:7-alpine\n    ports: ["6379:6379"]\n'))).toEqual([]);
  });
});

describe.each(FILES)('%s', (file) => {
  it('is valid against the Compose Specification as written', () => {
    expect(validate(raw[file])).toEqual([]);
  });

  it('is valid after interpolation with the production variables set', () => {
    expect(validate(interpolate(raw[file]!, PROD_ENV))).toEqual([]);
  });
});

describe('merged results', () => {
  it.each([
    ['docker-compose.yml', () => asObject(interpolate(raw['docker-compose.yml']!, {}))],
    ['base + dev', () => merged('docker-compose.dev.yml')],
    ['base + prod', () => merged('docker-compose.prod.yml', PROD_ENV)],
  ] as const)('%s validates and passes the semantic checks', (_name, build) => {
    const doc = build();
    expect(validate(doc)).toEqual([]);
    // entry-point files are checked once per service below
    expect(semanticProblems(doc, () => true)).toEqual([]);
    // services in a profile (prometheus: "monitoring") start only when it is asked for
    expect(Object.entries(services(doc)).filter(([, svc]) => svc.profiles === undefined).map(([name]) => name).sort()).toEqual(
      ['api-server', 'dashboard', 'paper-trader', 'postgres', 'redis', 'stream-manager'],
    );
    const all = services(doc);
    expect(publishedPorts(all['api-server']!)).toContainEqual({ host: '8000', container: '8000' });
    expect(publishedPorts(all.dashboard!)).toContainEqual({ host: '5000', container: '5000' });
  });

  it.each(APP_SERVICES)('%s: the command runs services/<name>/src/main.ts, which exists', (name) => {
    const doc = asObject(interpolate(raw['docker-compose.yml']!, {}));
    const entry = `services/${name}/src/main.ts`;
    // one process: tsx's loader inside node, so `docker stop`'s SIGTERM reaches the service itself
    expect(commandArgs(services(doc)[name]!)).toEqual(['node', '--import', 'tsx', entry]);
    expect(semanticProblems(doc, fileExists).filter((p) => p.startsWith(`${name}:`))).toEqual([]);
    expect(fileExists(entry), `${entry} is missing`).toBe(true);
  });

  it('base needs no variables and dev needs none either', () => {
    expect(() => interpolate(raw['docker-compose.yml']!, {})).not.toThrow();
    expect(() => merged('docker-compose.dev.yml')).not.toThrow();
  });
});

describe('semantic checks catch broken files', () => {
  const good = () => asObject(interpolate(raw['docker-compose.yml']!, {}));

  it('a command pointing at another service or a missing file', () => {
    const doc = good();
    const svc = services(doc);
    svc['paper-trader']!.command = ['tsx', 'services/api-server/src/main.ts'];
    svc.dashboard!.command = ['tsx', 'services/no-such-service/src/main.ts'];
    const problems = semanticProblems({ ...doc, services: svc }, fileExists);
    expect(problems.some((p) => p.startsWith('paper-trader: command runs services/api-server'))).toBe(true);
    expect(problems.some((p) => p.startsWith('dashboard: command runs services/no-such-service'))).toBe(true);
    expect(semanticProblems(good(), () => false).filter((p) => p.includes('does not exist'))).toHaveLength(4);
  });

  it('waiting for a service that has no healthcheck, unknown dependencies and cycles', () => {
    const doc = good();
    const svc = services(doc);
    svc['api-server']!.healthcheck = { disable: true };
    svc.redis!.depends_on = { dashboard: { condition: 'service_started' } };
    svc.postgres!.depends_on = ['nowhere'];
    const problems = semanticProblems({ ...doc, services: svc }, fileExists);
    expect(problems).toContain("dashboard: waits for 'api-server' to be healthy but 'api-server' has no healthcheck");
    expect(problems).toContain("postgres: depends_on unknown service 'nowhere'");
    expect(problems.some((p) => p.startsWith('depends_on cycle:'))).toBe(true);
  });

  it('an undeclared named volume', () => {
    const doc = good();
    const problems = semanticProblems({ ...doc, volumes: { redis_data: null } }, fileExists);
    expect(problems).toContain("postgres: named volume 'postgres_data' is not declared under top-level volumes");
  });
});

describe('docker-compose.yml (base: distributed mode)', () => {
  const base = () => services(asObject(interpolate(raw['docker-compose.yml']!, {})));

  it('runs Redis 7 and PostgreSQL 15 with health checks and named volumes', () => {
    const s = base();
    expect(String(s.redis!.image)).toMatch(/^redis:7(\.|-|$)/);
    expect(String(s.postgres!.image)).toMatch(/^postgres:15(\.|-|$)/);
    expect(asObject(s.redis!.healthcheck ?? null).test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(JSON.stringify(asObject(s.postgres!.healthcheck ?? null).test)).toContain('pg_isready');
    expect((s.postgres!.volumes as Json[]).map(String)).toContain('postgres_data:/var/lib/postgresql/data');
    expect(Object.keys(asObject(raw['docker-compose.yml']!.volumes ?? null))).toContain('postgres_data');
  });

  it('selects the distributed mode: REDIS_URL and DATABASE_URL point at the compose services', () => {
    const s = base();
    for (const name of ['stream-manager', 'paper-trader', 'api-server'] as const) {
      const env = envOf(s[name]);
      expect(env.REDIS_URL, name).toBe('redis://redis:6379');
      expect(String(env.DATABASE_URL), name).toMatch(/^postgres:\/\/[^:]+:[^@]+@postgres:5432\/\w+$/);
    }
    expect(envOf(s.dashboard).API_URL).toBe('http://api-server:8000');
  });

  it('starts back-end services only once Redis and PostgreSQL are healthy', () => {
    const s = base();
    for (const name of ['stream-manager', 'paper-trader', 'api-server'] as const) {
      const deps = asObject(s[name]!.depends_on ?? null);
      expect(asObject(deps.redis ?? null).condition, name).toBe('service_healthy');
      expect(asObject(deps.postgres ?? null).condition, name).toBe('service_healthy');
    }
    expect(asObject(asObject(s.dashboard!.depends_on ?? null)['api-server'] ?? null).condition).toBe('service_healthy');
    expect(JSON.stringify(asObject(s['api-server']!.healthcheck ?? null).test)).toContain('127.0.0.1:8000/healthz');
    expect(JSON.stringify(asObject(s.dashboard!.healthcheck ?? null).test)).toContain('127.0.0.1:5000/healthz');
  });

  it('binds the HTTP services to all interfaces so the published ports reach them', () => {
    const s = base();
    expect(envOf(s['api-server'])).toMatchObject({ API_HOST: '0.0.0.0', API_PORT: '8000' });
    expect(envOf(s.dashboard)).toMatchObject({ DASHBOARD_HOST: '0.0.0.0', DASHBOARD_PORT: '5000' });
  });

  it('passes optional tuning through empty so the services keep their own defaults', () => {
    const s = base();
    expect(envOf(s['stream-manager'])).toMatchObject({ REPLAY_SPEED: '', SIM_SEED: '', SIM_SPEED: '' });
    const tuned = services(asObject(interpolate(raw['docker-compose.yml']!, { SIM_SEED: '7', REPLAY_SPEED: 'max' })));
    expect(envOf(tuned['stream-manager'])).toMatchObject({ SIM_SEED: '7', REPLAY_SPEED: 'max' });
  });

  it('mounts config/ read-only and data/ read-write where CONFIG_DIR and DATA_DIR point', () => {
    const s = base();
    for (const name of APP_SERVICES) {
      const volumes = (s[name]!.volumes as Json[]).map(asObject);
      const config = volumes.find((v) => v.target === '/app/config');
      const data = volumes.find((v) => v.target === '/app/data');
      expect(config, name).toMatchObject({ type: 'bind', source: './config', read_only: true });
      expect(data, name).toMatchObject({ type: 'bind', source: './data' });
      expect(data?.read_only, name).not.toBe(true);
      expect(envOf(s[name]).CONFIG_DIR, name).toBe('/app/config');
      expect(envOf(s[name]).DATA_DIR, name).toBe('/app/data');
    }
  });

  it('builds every app service from the repository Dockerfile runtime stage', () => {
    const s = base();
    for (const name of APP_SERVICES) {
      expect(s[name]!.build, name).toEqual({ context: '.', target: 'runtime' });
    }
    expect(new Set(APP_SERVICES.map((n) => s[n]!.image)).size).toBe(1);
  });
});

describe('docker-compose.dev.yml (development override)', () => {
  it('runs every app service with tsx watch, debug logs and bind-mounted sources', () => {
    const s = services(merged('docker-compose.dev.yml'));
    for (const name of APP_SERVICES) {
      const args = commandArgs(s[name]!);
      expect(args.slice(0, 2), name).toEqual(['tsx', 'watch']);
      expect(args.at(-1), name).toBe(`services/${name}/src/main.ts`);
      expect(envOf(s[name]).LOG_LEVEL, name).toBe('debug');
      expect(envOf(s[name]).NODE_ENV, name).toBe('development');
      const targets = (s[name]!.volumes as Json[]).map(volumeTarget);
      expect(targets, name).toEqual(expect.arrayContaining(['/app/packages', '/app/services', '/app/config', '/app/data']));
      expect(s[name]!.build, name).toEqual({ context: '.', target: 'dev' });
    }
  });

  it('uses the seeded simulated market and keeps the distributed mode', () => {
    const s = services(merged('docker-compose.dev.yml'));
    expect(envOf(s['stream-manager']).MARKET_DATA_SOURCE).toBe('simulated');
    expect(services(merged('docker-compose.dev.yml', { MARKET_DATA_SOURCE: 'replay' }))['stream-manager']!.environment)
      .toMatchObject({ MARKET_DATA_SOURCE: 'replay' });
    expect(envOf(s['paper-trader']).REDIS_URL).toBe('redis://redis:6379');
  });
});

describe('docker-compose.prod.yml (production override)', () => {
  const prod = () => services(merged('docker-compose.prod.yml', PROD_ENV));

  it('applies the resource limits of the plan', () => {
    const s = prod();
    expect(limits(s['paper-trader'])).toEqual({ cpus: 2, memory: 4 * GB });
    expect(limits(s['api-server'])).toEqual({ cpus: 1, memory: 2 * GB });
    expect(limits(s.dashboard)).toEqual({ cpus: 1, memory: 1 * GB });
    expect(limits(s.redis)).toEqual({ cpus: 1, memory: 512 * MB });
    for (const name of Object.keys(s)) expect(limits(s[name]).memory, name).toBeGreaterThan(0);
    // Redis refuses writes before the container limit kills it.
    const maxmemory = commandArgs(s.redis!)[commandArgs(s.redis!).indexOf('--maxmemory') + 1];
    expect(parseBytes(maxmemory)).toBeLessThan(512 * MB);
  });

  it('runs two paper-trader replicas and restarts every service', () => {
    const s = prod();
    expect(asObject(s['paper-trader']!.deploy ?? null).replicas).toBe(2);
    for (const [name, svc] of Object.entries(s)) expect(svc.restart, name).toBe('unless-stopped');
  });

  it('health-checks the HTTP services and the stores', () => {
    const s = prod();
    for (const name of ['redis', 'postgres', 'api-server', 'dashboard']) {
      const hc = asObject(s[name]!.healthcheck ?? null);
      expect(hc.disable, name).not.toBe(true);
      expect(Array.isArray(hc.test) && hc.test.length > 1, name).toBe(true);
    }
    expect(JSON.stringify(asObject(s['api-server']!.healthcheck ?? null).test)).toContain('127.0.0.1:8000/readyz');
  });

  it('uses JWT auth and refuses to start without JWT_SECRET, API_KEYS or POSTGRES_PASSWORD', () => {
    const s = prod();
    expect(envOf(s['api-server']).API_AUTH_MODE).toBe('jwt');
    expect(envOf(s['api-server']).JWT_SECRET).toBe(PROD_ENV.JWT_SECRET);
    expect(envOf(s['api-server']).API_KEYS).toBe(PROD_ENV.API_KEYS);
    expect(envOf(s['api-server']).NODE_ENV).toBe('production');
    // JWT mode rejects API keys on resource routes: the dashboard server sends none
    expect(envOf(s.dashboard).API_KEY).toBe('');
    expect(String(envOf(s['paper-trader']).DATABASE_URL)).toContain(':test-password@postgres:5432/');
    for (const missing of ['JWT_SECRET', 'API_KEYS', 'POSTGRES_PASSWORD'] as const) {
      const env: Record<string, string> = { ...PROD_ENV };
      delete env[missing];
      expect(() => merged('docker-compose.prod.yml', env), missing).toThrow(new RegExp(missing));
      expect(() => merged('docker-compose.prod.yml', { ...PROD_ENV, [missing]: '' }), missing).toThrow(new RegExp(missing));
    }
  });

  it('offers Prometheus with the alert rules as the "monitoring" profile, scraping the API\'s unpublished metrics listener', () => {
    const s = prod();
    const prometheus = s.prometheus!;
    expect(prometheus.profiles).toEqual(['monitoring']);
    const mounts = (prometheus.volumes as Json[]).map(String);
    expect(mounts).toContain('./deploy/prometheus:/etc/prometheus:ro');
    for (const file of ['prometheus.yml', 'alerts.yml']) expect(existsSync(path.join(REPO_ROOT, 'deploy', 'prometheus', file)), file).toBe(true);
    expect(commandArgs(prometheus)).toContain('--config.file=/etc/prometheus/prometheus.yml');
    // the scrape target is the api-server's METRICS_PORT, reachable on the compose network only
    const api = envOf(s['api-server']);
    expect(api.METRICS_HOST).toBe('0.0.0.0');
    const config = readFileSync(path.join(REPO_ROOT, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8');
    expect(config).toContain(`"api-server:${String(api.METRICS_PORT)}"`);
    expect(publishedPorts(s['api-server']!).map((p) => p.container)).not.toContain(String(api.METRICS_PORT));
    // the Prometheus UI only on the host's loopback
    expect((prometheus.ports as Json[]).map(String)).toEqual(['127.0.0.1:9090:9090']);
  });

  it('gives live Binance data by default, never a silent simulated fallback', () => {
    expect(envOf(prod()['stream-manager']).MARKET_DATA_SOURCE).toBe('binance');
  });

  it('mounts no sources: only config/ (read-only) and data/', () => {
    const s = prod();
    for (const name of APP_SERVICES) {
      const targets = (s[name]!.volumes as Json[]).map(volumeTarget).sort();
      expect(targets, name).toEqual(['/app/config', '/app/data']);
      expect(commandArgs(s[name]!), name).toEqual(['node', '--import', 'tsx', `services/${name}/src/main.ts`]);
      expect(s[name]!.read_only, name).toBe(true);
    }
    expect(s.redis!.ports).toBeUndefined();
    expect(s.postgres!.ports).toBeUndefined();
  });
});

describe('Dockerfile, .dockerignore and .env.example', () => {
  const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => ({ image: m[1]!, name: m[2] }));

  it('is multi-stage on node:20-bookworm-slim with corepack and a frozen lockfile', () => {
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=20$/m);
    expect(stages[0]!.image).toBe('node:${NODE_VERSION}-bookworm-slim');
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^RUN corepack enable$/m);
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile/);
  });

  it('ends in a non-root runtime stage with a HEALTHCHECK', () => {
    const last = stages.at(-1)!;
    expect(last.name).toBe('runtime');
    const lastStage = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    const users = [...lastStage.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBeDefined();
    expect(['root', '0']).not.toContain(users.at(-1));
    expect(lastStage).toMatch(/^HEALTHCHECK /m);
  });

  it('defines every build target the compose files use', () => {
    const names = new Set(stages.map((s) => s.name));
    const targets = new Set<string>();
    for (const file of FILES) {
      for (const svc of Object.values(services(raw[file]!))) {
        if (isObject(svc.build) && typeof svc.build.target === 'string') targets.add(svc.build.target);
      }
    }
    expect([...targets].sort()).toEqual(['dev', 'runtime']);
    for (const t of targets) expect(names.has(t), t).toBe(true);
  });

  it('keeps node_modules, .git and runtime data out of the build context', () => {
    const ignore = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '.git', 'data/*', '.env']));
  });

  it('.env.example documents every variable the compose files read', () => {
    const example = readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
    const used = new Set<string>();
    for (const file of FILES) {
      for (const name of referencedVariables(readFileSync(path.join(REPO_ROOT, file), 'utf8'))) used.add(name);
    }
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((n) => !documented.has(n)).sort()).toEqual([]);
  });
});

describe('interpolation and merge helpers behave like docker compose', () => {
  it('interpolates defaults, required values and $$ escapes', () => {
    const env = { SET: 'v', EMPTY: '' };
    expect(interpolateString('${SET:-d}/${EMPTY:-d}/${UNSET:-d}/${EMPTY-d}/${UNSET-d}', env)).toBe('v/d/d//d');
    expect(interpolateString('$$HOME and $${X} and $SET', env)).toBe('$HOME and ${X} and v');
    expect(interpolateString('${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}', env)).toBe('alt||alt');
    expect(() => interpolateString('${EMPTY:?must be set}', env)).toThrow('must be set');
    expect(interpolateString('${EMPTY?must be set}', env)).toBe('');
    expect(() => interpolateString('${UNSET?must be set}', env)).toThrow('must be set');
    expect([...referencedVariables('${A:-${B}} $C $$D ${E:?x}')].sort()).toEqual(['A', 'B', 'C', 'E']);
  });

  it('merges environment by key, volumes by target, and replaces command and healthcheck.test', () => {
    const base = parseCompose(
      'services:\n  a:\n    image: x\n    command: [one, two]\n    environment: [A=1, B=2]\n' +
        '    volumes: ["./src:/app/src:ro", "data:/data"]\n    ports: ["1:1"]\n' +
        '    healthcheck: {test: [CMD, a], interval: 5s}\n',
    );
    const over = parseCompose(
      'services:\n  a:\n    command: [three]\n    environment: {B: "3", C: "4"}\n' +
        '    volumes: ["./other:/app/src"]\n    ports: ["2:2"]\n    healthcheck: {test: [CMD, b]}\n',
    );
    const a = services(mergeCompose(base, over)).a!;
    expect(a.command).toEqual(['three']);
    expect(a.environment).toEqual({ A: '1', B: '3', C: '4' });
    expect(a.volumes).toEqual(['./other:/app/src', 'data:/data']);
    expect(a.ports).toEqual(['1:1', '2:2']);
    expect(a.healthcheck).toEqual({ test: ['CMD', 'b'], interval: '5s' });
    expect(a.image).toBe('x');
  });

  it('parses byte sizes', () => {
    expect(parseBytes('512M')).toBe(512 * MB);
    expect(parseBytes('4G')).toBe(4 * GB);
    expect(parseBytes('400mb')).toBe(400 * MB);
    expect(() => parseBytes('lots')).toThrow();
  });
});
