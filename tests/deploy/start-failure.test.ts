/**
 * A service that cannot start must exit non-zero within seconds, having closed what it opened, so
 * a supervisor (or a container's restart policy) notices. Before, an api-server whose port was taken
 * logged "failed to start" and kept running, not listening, with its Redis and PostgreSQL
 * connections open: a silent outage.
 *
 * Real processes, as the containers run them (`node --import tsx services/<name>/src/main.ts`),
 * against the real Redis and PostgreSQL. "Closed what it opened" is checked by the way it exits:
 * runService makes a process that failed to start exit after 2 s even if something still holds its
 * event loop, and says so ("forcing exit"); a clean failure exits because nothing is left open.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPort, holdPort, startInGroup } from './process-group.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379/15'; // its own database: pnpm-start.test.ts flushes 12
/** tsx start-up on a loaded 2-core machine included; a service that lingers never exits at all */
const EXIT_WITHIN_MS = 60_000;
/** the bounded wait for Redis or PostgreSQL (15 s) on top */
const EXIT_AFTER_RETRIES_WITHIN_MS = 90_000;
const dataDir = mkdtempSync(path.join(tmpdir(), 'i11-start-failure-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Case {
  service: 'api-server' | 'paper-trader' | 'stream-manager' | 'dashboard';
  env: Record<string, string>;
  code: number;
  message: RegExp;
}

async function expectFailedStart(c: Case, withinMs: number): Promise<void> {
  const startedAt = Date.now();
  const p = startInGroup(process.execPath, ['--import', 'tsx', `services/${c.service}/src/main.ts`], {
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    CONFIG_DIR: path.join(dataDir, 'no-configs'),
    MARKET_DATA_SOURCE: 'simulated',
    ...c.env,
  });
  const timer = setTimeout(() => p.kill(), withinMs);
  try {
    const { code, at } = await p.exited;
    const what = `${c.service} ${JSON.stringify(c.env)}:\n${p.output().slice(-2_000)}`;
    expect(at - startedAt, what).toBeLessThan(withinMs);
    expect(code, what).toBe(c.code);
    expect(p.output(), what).toMatch(c.message);
    expect(p.output(), what).not.toContain('forcing exit');
    expect(p.output(), what).not.toMatch(/"msg":"started"/);
  } finally {
    clearTimeout(timer);
    p.kill();
  }
}

describe('a service that cannot start exits non-zero, having closed what it opened', () => {
  it('port taken: api-server (with Redis and PostgreSQL open) and dashboard exit 1', async () => {
    const held = await holdPort();
    try {
      await Promise.all([
        expectFailedStart(
          { service: 'api-server', env: { API_PORT: String(held.port), REDIS_URL, DATABASE_URL }, code: 1, message: /api-server: failed to start: listen EADDRINUSE/ },
          EXIT_WITHIN_MS,
        ),
        expectFailedStart({ service: 'dashboard', env: { DASHBOARD_PORT: String(held.port) }, code: 1, message: /dashboard: failed to start: listen EADDRINUSE/ }, EXIT_WITHIN_MS),
      ]);
    } finally {
      await held.release();
    }
  }, 120_000);

  it('bad configuration: every service exits 78 with one readable line', async () => {
    await Promise.all([
      expectFailedStart({ service: 'api-server', env: { API_AUTH_MODE: 'bogus' }, code: 78, message: /api-server: invalid configuration: API_AUTH_MODE must be/ }, EXIT_WITHIN_MS),
      expectFailedStart({ service: 'paper-trader', env: { AUTO_START_FROM: 'yesterday' }, code: 78, message: /paper-trader: invalid configuration: AUTO_START_FROM must be/ }, EXIT_WITHIN_MS),
      expectFailedStart({ service: 'stream-manager', env: { MARKET_DATA_SOURCE: 'carrier-pigeon' }, code: 78, message: /stream-manager: invalid configuration: MARKET_DATA_SOURCE must be/ }, EXIT_WITHIN_MS),
      expectFailedStart({ service: 'dashboard', env: { DASHBOARD_PORT: 'eighty' }, code: 78, message: /dashboard: invalid configuration: environment variable DASHBOARD_PORT must be an integer, got "eighty"/ }, EXIT_WITHIN_MS),
    ]);
  }, 120_000);

  it('PostgreSQL or Redis unreachable: exit 1 after a bounded number of retries', async () => {
    const nobody = await closedPort();
    const deadDatabase = `postgres://postgres@127.0.0.1:${nobody}/test`;
    const deadRedis = `redis://127.0.0.1:${nobody}/0`;
    await Promise.all([
      expectFailedStart({ service: 'api-server', env: { API_PORT: '0', DATABASE_URL: deadDatabase }, code: 1, message: /api-server: failed to start: PostgreSQL is not reachable after \d+ attempt\(s\)/ }, EXIT_AFTER_RETRIES_WITHIN_MS),
      expectFailedStart({ service: 'paper-trader', env: { REDIS_URL, DATABASE_URL: deadDatabase }, code: 1, message: /paper-trader: failed to start: PostgreSQL is not reachable/ }, EXIT_AFTER_RETRIES_WITHIN_MS),
      expectFailedStart({ service: 'api-server', env: { API_PORT: '0', REDIS_URL: deadRedis }, code: 1, message: /api-server: failed to start: Redis is not reachable after \d+ attempt\(s\)/ }, EXIT_AFTER_RETRIES_WITHIN_MS),
      expectFailedStart({ service: 'stream-manager', env: { REDIS_URL: deadRedis }, code: 1, message: /stream-manager: failed to start: Redis is not reachable/ }, EXIT_AFTER_RETRIES_WITHIN_MS),
    ]);
  }, 180_000);
});
