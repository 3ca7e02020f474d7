import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTradingSetup, runBacktest, toDecimalString, type Candle } from '@btc-research/engine';
import { waitFor } from '@btc-research/platform';
import { freePort, repoRoot, startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { simulatedCandles, toBinanceKlineCsv } from '../helpers/simulated-klines.js';

// Distributed mode end to end: stream-manager (replay) → Redis Streams → paper-trader → JSON files →
// api-server, each its own process. What the API returns must equal a direct backtest.
const REDIS_DB = 6; // dedicated to this file (api-server tests use 7–15)
const REDIS_URL = `redis://127.0.0.1:6379/${REDIS_DB}`;
const STRATEGIES = ['demo-ema-cross', 'demo-rsi-mean-reversion'] as const;

interface ApiTrade {
  tradeId: string;
  side: string;
  quantity: string;
  price: string;
  fee: string;
  realizedPnl: string;
  time: number;
}

describe('services as separate processes over Redis', () => {
  let dir: string;
  let candles: Candle[];
  let apiUrl: string;
  const procs: ServiceProcess[] = [];
  const redis = new Redis(REDIS_URL);

  beforeAll(async () => {
    await redis.flushdb();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'btc-pipeline-'));
    await fs.mkdir(path.join(dir, 'config'));
    for (const id of STRATEGIES) await fs.copyFile(path.join(repoRoot, 'config', `${id}.yaml`), path.join(dir, 'config', `${id}.yaml`));
    candles = simulatedCandles(1500, 4242);
    await fs.writeFile(path.join(dir, 'klines.csv'), toBinanceKlineCsv(candles));
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    const common = { REDIS_URL, DATA_DIR: path.join(dir, 'data'), CONFIG_DIR: path.join(dir, 'config') };
    // Consumers first so nothing depends on start order; the replay then runs as fast as it can.
    procs.push(startServiceProcess('paper-trader', { ...common, AUTO_START: 'true', AUTO_START_FROM: 'history', WORKER_NAME: 'pt-1' }));
    procs.push(startServiceProcess('api-server', { ...common, API_PORT: String(port), API_HOST: '127.0.0.1' }));
    await waitFor(async () => (await fetch(`${apiUrl}/healthz`).catch(() => null))?.ok, { timeoutMs: 30_000, what: 'api-server health' });
    await waitFor(async () => ((await (await fetch(`${apiUrl}/api/v1/strategies/active`)).json()) as { items: unknown[] }).items.length === STRATEGIES.length, { timeoutMs: 30_000, what: 'auto-started strategies' });
    procs.push(startServiceProcess('stream-manager', { ...common, MARKET_DATA_SOURCE: 'replay', REPLAY_FILE: path.join(dir, 'klines.csv'), REPLAY_SPEED: 'max' }));
  }, 90_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
    await redis.flushdb();
    redis.disconnect();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reports the trades and equity a direct backtest over the same candles produces', async () => {
    const lastClose = candles[candles.length - 1]!.closeTime;
    for (const id of STRATEGIES) {
      await waitFor(
        async () => {
          const s = (await (await fetch(`${apiUrl}/api/v1/strategies/${id}/status`)).json()) as { lastCandleCloseTime: number | null };
          return s.lastCandleCloseTime === lastClose;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: `${id} to process every candle` },
      );
      const yaml = await fs.readFile(path.join(dir, 'config', `${id}.yaml`), 'utf8');
      const setup = buildTradingSetup(yaml, `${id}.yaml`, { strategyId: id, tradingStartTime: 0 });
      if (!setup.ok) throw new Error(JSON.stringify(setup.errors));
      const expected = runBacktest(setup.strategy, candles, setup.coreOptions);

      const trades: ApiTrade[] = [];
      let cursor: string | null = null;
      do {
        const res = await fetch(`${apiUrl}/api/v1/strategies/${id}/trades?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        const page = (await res.json()) as { items: ApiTrade[]; nextCursor: string | null };
        trades.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      trades.reverse(); // API pages are newest first

      expect(trades.map((t) => [t.tradeId, t.side, t.quantity, t.price, t.fee, t.realizedPnl, t.time])).toEqual(
        expected.trades.map((t) => [t.tradeId, t.side, toDecimalString(t.quantity), toDecimalString(t.price), toDecimalString(t.fee), toDecimalString(t.realizedPnl), t.time]),
      );
      const status = (await (await fetch(`${apiUrl}/api/v1/strategies/${id}/status`)).json()) as { equity: string; tradeCount: number };
      expect(status.equity).toBe(expected.core.summary().equity);
      expect(status.tradeCount).toBe(expected.trades.length);
    }
    // The EMA-cross demo trades on these candles, so the comparison above is not vacuous.
    const ema = (await (await fetch(`${apiUrl}/api/v1/strategies/demo-ema-cross/status`)).json()) as { tradeCount: number };
    expect(ema.tradeCount).toBeGreaterThan(5);
  }, 120_000);
});
