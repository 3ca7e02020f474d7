/**
 * Nothing lost between services: the real 30-day BTCUSDT 1m file (43,208 candles, read in place from
 * ../shared) replayed at maximum speed through the live path — stream-manager → bus → paper-trader —
 * gives exactly the fills `btc-research backtest` gives over the same file, in the embedded default
 * (one process, in-process bus, JSON files) and over Redis Streams. Before the fix the embedded run
 * lost 23,207 candles (trimmed from the in-process stream before the paper trader read them) and
 * traded across the hole: 371 fills instead of 747.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { parseKlineCsv, type Candle } from '@btc-research/engine';
import { JsonStrategyStore, waitFor } from '@btc-research/platform';
import { freePort, repoRoot, startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { allTrades, backtest, deleteStreams, storedTradeRow, tradeRow, uniqueSymbol, type StrategyFile } from '../integration/paper-trader.harness.js';

const CANDLES_DIR = path.resolve(repoRoot, '..', 'shared', 'data', 'candles');
const DATA = path.join(CANDLES_DIR, 'binance_spot_btcusdt_1m_2025-06-01_2025-07-01.csv');
/** 66,087 candles with one real gap: Binance spot halted on 2023-03-24 12:39 → 14:00 (80 minutes) */
const HALT_DATA = path.join(CANDLES_DIR, 'binance_spot_btcusdt_1m_2023-03-16_2023-05-01.csv');
const REDIS_URL = 'redis://127.0.0.1:6379/5';
const cleanups: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function realCandles(file = DATA): Promise<Candle[]> {
  return parseKlineCsv(await fs.readFile(file, 'utf8'));
}

async function emaStrategy(base: string): Promise<StrategyFile> {
  const yaml = (await fs.readFile(path.join(repoRoot, 'config', 'demo-ema-cross.yaml'), 'utf8')).replace(/^symbol: .*$/m, `symbol: "${base}/USDT"`);
  return { id: 'demo-ema-cross', file: 'demo-ema-cross.yaml', yaml };
}

/** The paper trader's fills, once it has processed the file's last candle, against the backtest's. */
async function expectBacktestFills(store: JsonStrategyStore, s: StrategyFile, candles: readonly Candle[], output: () => string): Promise<void> {
  const last = candles[candles.length - 1]!.closeTime;
  await waitFor(async () => (await store.getStrategy(s.id))?.status === 'error' || (await store.loadState(s.id))?.lastCandleCloseTime === last, {
    timeoutMs: 540_000,
    intervalMs: 500,
    what: `${s.id} to process all ${candles.length} candles`,
  });
  const record = await store.getStrategy(s.id);
  expect(record?.status, `${record?.error ?? ''}\n${output().slice(-3000)}`).not.toBe('error');
  const logged = (await store.listMarketEvents(s.yaml.match(/symbol: "(\w+)\/(\w+)"/)!.slice(1).join(''), 0, candles.length + 10)).filter((e) => e.kind === 'candle');
  expect(logged).toHaveLength(candles.length);
  const expected = backtest(s, candles);
  const trades = await allTrades(store, s.id);
  expect(expected.trades.length).toBeGreaterThan(100);
  expect(trades.map(storedTradeRow)).toEqual(expected.trades.map(tradeRow));
}

async function embeddedReplay(file: string, candles: readonly Candle[]): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lossless-embedded-'));
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  const s = await emaStrategy('BTC');
  await fs.mkdir(path.join(dir, 'config'));
  await fs.writeFile(path.join(dir, 'config', s.file), s.yaml);
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '/tmp',
    LOG_LEVEL: 'warn',
    API_PORT: String(await freePort()),
    API_HOST: '127.0.0.1',
    DASHBOARD_PORT: String(await freePort()),
    DASHBOARD_HOST: '127.0.0.1',
    DATA_DIR: path.join(dir, 'data'),
    CONFIG_DIR: path.join(dir, 'config'),
    MARKET_DATA_SOURCE: 'replay',
    REPLAY_FILE: file,
    REPLAY_SPEED: 'max',
    SYMBOLS: 'BTCUSDT',
    AUTO_START: 'true',
    AUTO_START_FROM: 'history',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'start.ts')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGINT');
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  });
  const store = new JsonStrategyStore({ dataDir: path.join(dir, 'data') });
  cleanups.push(() => store.close());
  await waitFor(() => out.includes('btc-research is up') || child.exitCode !== null, { timeoutMs: 60_000, what: 'embedded system up' });
  expect(child.exitCode, out).toBeNull();
  await expectBacktestFills(store, s, candles, () => out);
}

describe('max-speed replay of the real 43,208-candle file gives exactly the backtest fills', () => {
  it('embedded default: one process, in-process bus, JSON files', { timeout: 600_000 }, async () => {
    const candles = await realCandles();
    expect(candles).toHaveLength(43_208);
    await embeddedReplay(DATA, candles);
  });

  it('embedded, across a real exchange halt: the 80-minute hole in the file is a confirmed venue gap, not a stop', { timeout: 600_000 }, async () => {
    const candles = await realCandles(HALT_DATA);
    expect(candles).toHaveLength(66_087);
    await embeddedReplay(HALT_DATA, candles);
  });

  it('distributed: stream-manager and paper-trader processes over Redis Streams', { timeout: 600_000 }, async () => {
    const candles = await realCandles();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lossless-redis-'));
    cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
    const { base, symbol } = uniqueSymbol();
    const redis = new Redis(REDIS_URL);
    cleanups.push(async () => {
      await deleteStreams(redis, symbol);
      redis.disconnect();
    });
    const s = await emaStrategy(base);
    await fs.mkdir(path.join(dir, 'config'));
    await fs.writeFile(path.join(dir, 'config', s.file), s.yaml);
    const common = { REDIS_URL, DATA_DIR: path.join(dir, 'data'), CONFIG_DIR: path.join(dir, 'config') };
    const procs: ServiceProcess[] = [];
    cleanups.push(async () => {
      for (const p of procs.reverse()) await p.stop();
    });
    const store = new JsonStrategyStore({ dataDir: path.join(dir, 'data') });
    cleanups.push(() => store.close());
    procs.push(startServiceProcess('paper-trader', { ...common, AUTO_START: 'true', AUTO_START_FROM: 'history', WORKER_NAME: `lossless-${base}` }));
    await waitFor(async () => (await store.getStrategy(s.id))?.status === 'warming-up', { timeoutMs: 60_000, what: `${s.id} started` });
    procs.push(startServiceProcess('stream-manager', { ...common, SYMBOLS: symbol, MARKET_DATA_SOURCE: 'replay', REPLAY_FILE: DATA, REPLAY_SPEED: 'max' }));
    await expectBacktestFills(store, s, candles, () => procs.map((p) => p.output()).join('\n'));
  });
});
