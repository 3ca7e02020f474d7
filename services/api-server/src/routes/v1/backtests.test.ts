/**
 * Backtests from the browser, API side: jobs over the market log (decoded as the paper-trader decodes
 * it) or a kline CSV, each run in a child process, polled to their report, cancellable.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BacktestJobResponse, CreateBacktestResponse } from '@btc-research/contracts';
import { encodeRecordedInput, runBacktest, buildTradingSetup, simulatedMinuteCandles } from '@btc-research/engine';
import { CONTROL_KEY, createHarness, redisUrlFor, RedisDb, type Harness } from '../../test-support/harness.js';
import { FAST_EMA_YAML as FAST_YAML, VALID_YAML } from '../../test-support/fixtures.js';


let h: Harness;
const control = { 'x-api-key': CONTROL_KEY };
const candles = simulatedMinuteCandles(600, 17);

beforeAll(async () => {
  h = await createHarness(redisUrlFor(RedisDb.shared), { backtests: { concurrency: 1 } });
  await writeFile(join(h.configDir, 'fast.yaml'), FAST_YAML);
  await writeFile(join(h.configDir, 'rsi.yaml'), VALID_YAML);
  await h.store.appendMarketEvents('BTCUSDT', candles.map((candle) => ({ ...encodeRecordedInput({ kind: 'candle', candle }), sourceId: `candle:${candle.openTime}` })));
});
afterAll(async () => {
  await h?.close();
});

async function finished(id: string): Promise<BacktestJobResponse> {
  for (let i = 0; i < 600; i++) {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/backtests/${id}`, headers: control });
    const job = BacktestJobResponse.parse(res.json());
    if (job.status !== 'queued' && job.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`backtest ${id} did not finish`);
}

describe('POST /api/v1/backtests', () => {
  it('runs a config over the market log in a child process and reports what the engine computes for the same inputs', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/backtests', headers: control, payload: { configName: 'fast.yaml', source: 'market-log' } });
    expect(res.statusCode).toBe(202);
    const { id, statusUrl } = CreateBacktestResponse.parse(res.json());
    expect(res.headers['location']).toBe(statusUrl);
    const job = await finished(id);
    expect(job).toMatchObject({ status: 'done', progress: 1, error: null, configName: 'fast.yaml', source: 'market-log', symbol: 'BTCUSDT' });
    const report = job.report!;
    expect(report.period.candles).toBe(600);
    // the same engine path in this process gives the same account
    const setup = buildTradingSetup(FAST_YAML, 'fast.yaml', { strategyId: 'backtest' });
    if (!setup.ok) throw new Error('setup');
    const direct = runBacktest(setup.strategy, candles, setup.coreOptions);
    expect(report.statistics.finalEquity).toBeCloseTo(direct.statistics.finalEquity, 8);
    expect(report.statistics.closedTrades).toBe(direct.statistics.closedTrades);
    expect(report.statistics.closedTrades).toBeGreaterThan(0);
    expect(report.roundTrips).toHaveLength(report.statistics.closedTrades);
  });

  it('limits the window: candles before `from` only warm up, `to` ends it', async () => {
    const from = candles[200]!.openTime;
    const to = candles[400]!.openTime;
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/backtests', headers: control, payload: { configName: 'fast.yaml', source: 'market-log', from, to } });
    const job = await finished(res.json().id);
    expect(job.status).toBe('done');
    expect(job.report!.period.tradingFrom).toBe(from);
    expect(job.report!.period.dataTo).toBeLessThanOrEqual(to);
    for (const t of job.report!.roundTrips) expect(t.entryTime).toBeGreaterThanOrEqual(from);
  });

  it('reads a 1m kline CSV of the backtest data directory (source "file")', async () => {
    const dir = join(h.dataDir, 'klines');
    await mkdir(dir, { recursive: true });
    const csv = candles.slice(0, 300).map((c) => `${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume}`).join('\n');
    await writeFile(join(dir, 'btc-1m.csv'), `${csv}\n`);
    const local = await createHarness(redisUrlFor(RedisDb.shared), { configDir: h.configDir, backtests: { dataDir: dir } });
    try {
      const res = await local.app.inject({ method: 'POST', url: '/api/v1/backtests', headers: control, payload: { yaml: FAST_YAML, source: 'file', file: 'btc-1m.csv' } });
      expect(res.statusCode).toBe(202);
      const id = res.json().id as string;
      let job: BacktestJobResponse | null = null;
      for (let i = 0; i < 600 && (job === null || job.status === 'queued' || job.status === 'running'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        job = BacktestJobResponse.parse((await local.app.inject({ method: 'GET', url: `/api/v1/backtests/${id}`, headers: control })).json());
      }
      expect(job).toMatchObject({ status: 'done', source: 'file' });
      expect(job!.report!.period.candles).toBe(300);
      const missing = await local.app.inject({ method: 'POST', url: '/api/v1/backtests', headers: control, payload: { yaml: FAST_YAML, source: 'file', file: 'nope.csv' } });
      const failed = await (async () => {
        for (let i = 0; i < 100; i++) {
          const j = BacktestJobResponse.parse((await local.app.inject({ method: 'GET', url: `/api/v1/backtests/${missing.json().id}`, headers: control })).json());
          if (j.status === 'failed') return j;
          await new Promise((r) => setTimeout(r, 50));
        }
        return null;
      })();
      expect(failed?.error).toContain('nope.csv');
    } finally {
      await local.close();
    }
  });

  it('refuses bad requests with a code: invalid body (400), unknown config (404), invalid config (422)', async () => {
    const bad = await h.app.inject({ method: 'POST', url: '/api/v1/backtests', headers: control, payload: { configName: 'fast.yaml', source: 'file' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const both = await h.app.inject({ method: 'POST', url: '/api/v1/backtests', headers: control, payload: { configName: 'fast.yaml', yaml: FAST_YAML, source: 'market-log' } });
    expect(both.statusCode).toBe(400);
    const missing = await h.app.inject({ method: 'POST', url: '/api/v1/backtests', headers: control, payload: { configName: 'nope.yaml', source: 'market-log' } });
    expect(missing.json().error.code).toBe('CONFIG_NOT_FOUND');
    const invalid = await h.app.inject({ method: 'POST', url: '/api/v1/backtests', headers: control, payload: { yaml: 'version: "1.0"\nname: x\n', source: 'market-log' } });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().error.code).toBe('CONFIG_INVALID');
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/backtests/bt-000000000000', headers: control })).statusCode).toBe(404);
  });

  it('cancels a queued or running job (DELETE), 409 once finished; jobs wait for a free slot (concurrency 1)', async () => {
    const first = (await h.app.inject({ method: 'POST', url: '/api/v1/backtests', headers: control, payload: { configName: 'rsi.yaml', source: 'market-log' } })).json().id as string;
    const second = (await h.app.inject({ method: 'POST', url: '/api/v1/backtests', headers: control, payload: { configName: 'fast.yaml', source: 'market-log' } })).json().id as string;
    const queued = BacktestJobResponse.parse((await h.app.inject({ method: 'GET', url: `/api/v1/backtests/${second}`, headers: control })).json());
    expect(queued.status).toBe('queued');
    const cancelled = await h.app.inject({ method: 'DELETE', url: `/api/v1/backtests/${second}`, headers: control });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', report: null });
    const cancelFirst = await h.app.inject({ method: 'DELETE', url: `/api/v1/backtests/${first}`, headers: control });
    expect(cancelFirst.json().status).toBe('cancelled');
    expect((await h.app.inject({ method: 'DELETE', url: `/api/v1/backtests/${first}`, headers: control })).statusCode).toBe(409);
    // still cancelled after its process was killed
    await new Promise((r) => setTimeout(r, 300));
    expect(BacktestJobResponse.parse((await h.app.inject({ method: 'GET', url: `/api/v1/backtests/${first}`, headers: control })).json()).status).toBe('cancelled');
  });
});
