/**
 * The containers cannot be started here (no Docker engine), so this runs what they would run:
 * each app service's compose `command` through the Dockerfile's ENTRYPOINT, with the environment
 * the compose file gives it, against the real Redis and PostgreSQL on 127.0.0.1. Only what a
 * container changes is mapped: service host names become 127.0.0.1, the fixed ports become free
 * ones, /app/config and /app/data become the repo's config/ and a temporary directory, and Redis
 * uses a database of its own (15) so this run's streams never meet other tests' streams, and the
 * market data source is the seeded simulator, so nothing leaves this machine.
 * Then the compose health checks are run as written, and the services must stop on SIGTERM
 * within the compose stop_grace_period.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@btc-research/platform';
import {
  APP_SERVICES,
  REPO_ROOT,
  commandArgs,
  interpolate,
  isObject,
  loadComposeFile,
  mergeCompose,
  services,
  toMapping,
  type JsonObject,
} from './compose-lib.js';

const REDIS_HOST = '127.0.0.1';
const REDIS_PORT = 6379;
const REDIS_DB = 15;
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const START_TIMEOUT_MS = 60_000;

type AppService = (typeof APP_SERVICES)[number];

interface Running {
  name: string;
  child: ChildProcess;
  output: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}


/** FLUSHDB on this test's own Redis database, spoken in RESP (no client library at the root). */
async function flushRedisDb(): Promise<void> {
  const arg = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  const payload = `*2\r\n${arg('SELECT')}${arg(String(REDIS_DB))}*1\r\n${arg('FLUSHDB')}`;
  await new Promise<void>((resolve, reject) => {
    const socket = createConnection({ host: REDIS_HOST, port: REDIS_PORT });
    let reply = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('redis: no answer')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.split('\r\n').filter((l) => l !== '').length >= 2) {
        socket.end();
        if (reply.startsWith('+OK\r\n+OK')) resolve();
        else reject(new Error(`redis: unexpected reply ${JSON.stringify(reply)}`));
      }
    });
    socket.write(payload);
  });
}

/** The runtime stage's ENTRYPOINT (exec form) from the Dockerfile. */
function dockerEntrypoint(): string[] {
  const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.search(/^FROM\s+\S+\s+AS\s+runtime\s*$/im));
  const match = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(runtime);
  if (!match?.[1]) throw new Error('Dockerfile runtime stage has no exec-form ENTRYPOINT');
  return JSON.parse(match[1]) as string[];
}

function runNode(args: string[], timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: timeoutMs }, (error) => {
      resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : 1);
    });
  });
}

/**
 * Runs a compose healthcheck `test` ["CMD", "node", ...] until it passes, the service exits, or
 * time runs out.
 */
async function waitHealthy(test: string[], portMap: Map<string, number>, timeoutMs: number, run: Running): Promise<boolean> {
  expect(test[0]).toBe('CMD');
  expect(test[1]).toBe('node');
  const args = test.slice(2).map((a) => a.replace(/127\.0\.0\.1:(\d+)/g, (m, port: string) => `127.0.0.1:${portMap.get(port) ?? port}`));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) return false;
    if ((await runNode(args, 5_000)) === 0) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

function parseSeconds(value: unknown, fallback: number): number {
  const m = /^(\d+)s$/.exec(String(value ?? ''));
  return m ? Number(m[1]) : fallback;
}

describe('Dockerfile ENTRYPOINT', () => {
  const workerName = (env: Record<string, string>) => {
    const entrypoint = dockerEntrypoint();
    const result = spawnSync(entrypoint[0]!, [...entrypoint.slice(1), process.execPath, '-e', 'process.stdout.write(process.env.WORKER_NAME ?? "")'], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  };

  it('names each container a distinct consumer (its hostname) unless WORKER_NAME is given', () => {
    expect(workerName({ HOSTNAME: '3f2a9c1b7d4e' })).toBe('3f2a9c1b7d4e');
    expect(workerName({ HOSTNAME: '3f2a9c1b7d4e', WORKER_NAME: 'trader-a' })).toBe('trader-a');
    expect(workerName({})).toBe(hostname());
  });

  it('passes the command and its arguments through unchanged', () => {
    const entrypoint = dockerEntrypoint();
    const result = spawnSync(entrypoint[0]!, [...entrypoint.slice(1), process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', 'a b', '$HOME', ''], {
      env: { PATH: process.env['PATH'] ?? '' },
      encoding: 'utf8',
    });
    expect(JSON.parse(result.stdout)).toEqual(['a b', '$HOME', '']);
  });
});

describe('compose services run as their containers would (real Redis and PostgreSQL)', () => {
  const running = new Map<AppService, Running>();
  const started: Running[] = []; // every process started, also those a later start replaced in `running`
  let dataDir = '';
  let doc: JsonObject = {};
  const portMap = new Map<string, number>();

  function start(name: AppService, override: JsonObject | undefined, extraEnv: Record<string, string>): Running {
    const svc = services(doc)[name]!;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(toMapping(svc.environment))) env[k] = v === null ? '' : String(v);
    if (override) for (const [k, v] of Object.entries(toMapping(override.environment))) env[k] = v === null ? '' : String(v);
    for (const [k, v] of Object.entries(env)) {
      env[k] = v
        .replace('redis://redis:6379', `redis://${REDIS_HOST}:${REDIS_PORT}/${REDIS_DB}`)
        .replace(/^postgres:\/\/[^@]*@postgres:5432\/\w+$/, DATABASE_URL)
        .replace(/^http:\/\/api-server:(\d+)$/, (_m, p: string) => `http://127.0.0.1:${portMap.get(p)}`)
        .replace(/^\/app\/config$/, path.join(REPO_ROOT, 'config'))
        .replace(/^\/app\/data$/, dataDir);
    }
    for (const key of ['API_PORT', 'DASHBOARD_PORT', 'METRICS_PORT']) if (env[key]) env[key] = String(portMap.get(env[key]!));
    for (const key of ['API_HOST', 'DASHBOARD_HOST', 'METRICS_HOST']) if (env[key] === '0.0.0.0') env[key] = '127.0.0.1';
    Object.assign(env, extraEnv);

    const command = commandArgs(svc);
    expect(command.at(-1)).toBe(`services/${name}/src/main.ts`);
    const entrypoint = dockerEntrypoint();
    const argv = [...entrypoint, ...command];
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: REPO_ROOT,
      detached: true, // own process group, so the clean-up can kill whatever the service started
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: `${path.join(REPO_ROOT, 'node_modules/.bin')}:${process.env['PATH'] ?? ''}`,
        HOME: dataDir,
        TMPDIR: tmpdir(),
        ...env,
      },
    });
    const output: string[] = [];
    child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const run: Running = { name, child, output, exit };
    running.set(name, run);
    started.push(run);
    return run;
  }

  async function stop(run: Running, graceS: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'timeout'> {
    if (run.child.exitCode !== null || run.child.signalCode !== null) return { code: run.child.exitCode, signal: run.child.signalCode };
    // Like docker stop with `init: true`: tini forwards SIGTERM to its child only, not to the
    // whole process group.
    process.kill(run.child.pid!, 'SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceS * 1000).unref());
    return Promise.race([run.exit, timer]);
  }

  const logsOf = (name: AppService) => (running.get(name)?.output.join('') ?? '').slice(-4000);

  // If the worker exits without running afterAll, still take the services down with it.
  const killAll = () => {
    for (const run of started) {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        try {
          process.kill(-run.child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  };

  beforeAll(async () => {
    process.once('exit', killAll);
    dataDir = mkdtempSync(path.join(tmpdir(), 'btc-deploy-smoke-'));
    doc = interpolate(loadComposeFile('docker-compose.yml'), {}) as JsonObject;
    portMap.set('8000', await freePort());
    portMap.set('5000', await freePort());
    portMap.set('9464', await freePort());
    await flushRedisDb();
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    killAll();
    process.removeListener('exit', killAll);
    await flushRedisDb().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }, START_TIMEOUT_MS);

  it(
    'base: all four services start, pass the compose health checks, and stop on SIGTERM within the grace period',
    async () => {
      for (const name of APP_SERVICES) start(name, undefined, name === 'stream-manager' ? { MARKET_DATA_SOURCE: 'simulated' } : {});
      const all = services(doc);
      for (const name of ['api-server', 'dashboard'] as const) {
        const hc = all[name]!.healthcheck;
        if (!isObject(hc) || !Array.isArray(hc.test)) throw new Error(`${name} has no healthcheck test`);
        const healthy = await waitHealthy(hc.test.map(String), portMap, START_TIMEOUT_MS, running.get(name)!);
        expect(healthy, `${name} never became healthy:\n${logsOf(name)}`).toBe(true);
      }
      for (const name of APP_SERVICES) {
        const run = running.get(name)!;
        expect(run.child.exitCode, `${name} exited early:\n${logsOf(name)}`).toBeNull();
      }
      for (const name of APP_SERVICES) {
        const grace = parseSeconds(all[name]!.stop_grace_period, 10);
        const result = await stop(running.get(name)!, grace);
        expect(result, `${name} did not stop within ${grace}s:\n${logsOf(name)}`).not.toBe('timeout');
        expect(result, `${name} failed on SIGTERM:\n${logsOf(name)}`).toEqual({ code: 0, signal: null });
      }
    },
    3 * START_TIMEOUT_MS,
  );

  it(
    'prod: the api-server starts in JWT mode with the required secrets and passes the /readyz check',
    async () => {
      const prodOverride = interpolate(loadComposeFile('docker-compose.prod.yml'), {
        JWT_SECRET: '9c1e5b7a3f2d8e4c6a0b1d3f5e7c9a2b',
        API_KEYS: 'deploy-smoke-operator-key:read+control',
        POSTGRES_PASSWORD: 'unused-here',
      }) as JsonObject;
      const prodDoc = mergeCompose(doc, prodOverride);
      const api = services(prodDoc)['api-server']!;
      const env = toMapping(api.environment);
      expect(env.API_AUTH_MODE).toBe('jwt');
      // DATABASE_URL is mapped to the local test database like in the base run
      const run = start('api-server', api, {});
      const hc = api.healthcheck;
      if (!isObject(hc) || !Array.isArray(hc.test)) throw new Error('api-server has no prod healthcheck');
      const healthy = await waitHealthy(hc.test.map(String), portMap, START_TIMEOUT_MS, run);
      expect(healthy, `api-server (prod) never became ready:\n${logsOf('api-server')}`).toBe(true);
      // what Prometheus scrapes: the separate metrics listener answers without a credential, the API port does not
      const metricsPort = portMap.get(String(env.METRICS_PORT));
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('btc_feed_status_known');
      expect((await fetch(`http://127.0.0.1:${portMap.get('8000')}/metrics`)).status).toBe(401);
      const result = await stop(running.get('api-server')!, parseSeconds(api.stop_grace_period, 10));
      expect(result, logsOf('api-server')).toEqual({ code: 0, signal: null });
    },
    2 * START_TIMEOUT_MS,
  );
});
