/**
 * `pnpm start`, as a person runs it in a terminal, in both modes: one Ctrl-C (SIGINT to the whole
 * foreground process group: pnpm, node and, in REDIS_URL mode, every supervised service) stops
 * everything gracefully with exit status 0, and a system that cannot start exits non-zero.
 * Before: pnpm printed "ELIFECYCLE Command failed" after a clean stop (the shell between pnpm and
 * node died of the SIGINT), and with REDIS_URL each service took the terminal's SIGINT and the
 * supervisor's SIGTERM as two signals and aborted its shutdown ("second shutdown signal").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdPort, startInGroup, type GroupProcess } from './process-group.js';

/** a Redis database of this file's own: the bus's stream names are fixed */
const REDIS_URL = 'redis://127.0.0.1:6379/12';
const UP_WITHIN_MS = 150_000;
const STOP_WITHIN_MS = 30_000;
const SERVICES = ['stream-manager', 'paper-trader', 'api-server', 'dashboard'];
const dirs: string[] = [];

beforeAll(async () => {
  const redis = new Redis(REDIS_URL);
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function pnpmStart(env: Record<string, string>): Promise<GroupProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'i11-pnpm-start-'));
  dirs.push(dataDir);
  const [api, dashboard] = await Promise.all([holdPort(), holdPort()]);
  await Promise.all([api.release(), dashboard.release()]);
  return startInGroup('pnpm', ['start'], {
    API_PORT: String(api.port),
    DASHBOARD_PORT: String(dashboard.port),
    DATA_DIR: dataDir,
    MARKET_DATA_SOURCE: 'simulated',
    SIM_HISTORY_MINUTES: '120',
    LOG_LEVEL: 'info',
    ...env,
  });
}

/** One Ctrl-C; returns the exit code and the whole output. */
async function ctrlC(p: GroupProcess): Promise<{ code: number; output: string }> {
  const sentAt = Date.now();
  p.signalGroup('SIGINT');
  const timer = setTimeout(() => p.kill(), STOP_WITHIN_MS);
  try {
    const { code, at } = await p.exited;
    expect(at - sentAt, p.output().slice(-2_000)).toBeLessThan(STOP_WITHIN_MS);
    return { code, output: p.output() };
  } finally {
    clearTimeout(timer);
  }
}

function expectCleanStop(output: string): void {
  expect(output).not.toContain('ELIFECYCLE');
  expect(output).not.toContain('second shutdown signal');
  expect(output).not.toContain('forcing exit');
  expect(output).not.toContain('error while closing');
}

describe('pnpm start: one Ctrl-C stops everything with exit status 0', () => {
  it('embedded mode', async () => {
    const p = await pnpmStart({});
    try {
      await p.waitForOutput(/btc-research is up/, UP_WITHIN_MS);
      const { code, output } = await ctrlC(p);
      expect(code, output.slice(-2_000)).toBe(0);
      expectCleanStop(output);
      expect(output).toMatch(/"name":"btc-research".*"msg":"stopped"/);
    } finally {
      p.kill();
    }
  }, UP_WITHIN_MS + STOP_WITHIN_MS + 10_000);

  it('REDIS_URL mode: every supervised service stops once, gracefully', async () => {
    const p = await pnpmStart({ REDIS_URL });
    try {
      for (const name of SERVICES) await p.waitForOutput(new RegExp(`"name":"${name}".*"msg":"started"`), UP_WITHIN_MS);
      const { code, output } = await ctrlC(p);
      expect(code, output.slice(-3_000)).toBe(0);
      expectCleanStop(output);
      for (const name of SERVICES) {
        expect(output, name).toMatch(new RegExp(`"name":"${name}".*"msg":"stopped"`));
        expect(output.match(new RegExp(`"name":"${name}"[^\\n]*"msg":"shutting down"`, 'g')), name).toHaveLength(1);
      }
    } finally {
      p.kill();
    }
  }, UP_WITHIN_MS + STOP_WITHIN_MS + 10_000);
});

describe('pnpm start: a system that cannot start exits non-zero', () => {
  for (const mode of ['embedded', 'REDIS_URL'] as const) {
    it(`${mode} mode, API port taken`, async () => {
      const held = await holdPort();
      const p = await pnpmStart({ API_PORT: String(held.port), ...(mode === 'REDIS_URL' ? { REDIS_URL } : {}) });
      const timer = setTimeout(() => p.kill(), UP_WITHIN_MS);
      try {
        const { code } = await p.exited;
        const output = p.output();
        expect(code, output.slice(-2_000)).not.toBe(0);
        expect(output).toMatch(/failed to start: listen EADDRINUSE/);
        expect(output).not.toContain('forcing exit');
        if (mode === 'REDIS_URL') expect(output).toContain('[supervisor] api-server could not start');
      } finally {
        clearTimeout(timer);
        p.kill();
        await held.release();
      }
    }, UP_WITHIN_MS + 10_000);
  }
});
