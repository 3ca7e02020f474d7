import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MessageType, StreamRetention, Streams, makeEnvelope } from '@btc-research/contracts';
import { buildTradingSetup, runBacktest, toDecimalString, type BacktestResult, type Candle } from '@btc-research/engine';
import { JsonStrategyStore, PostgresStrategyStore, type MessageBus, type OrderRecord, type StrategyStore, type TradeRecord } from '@btc-research/platform';
import { repoRoot } from '../helpers/service-process.js';

export const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The EMA-cross demo with stops, a target and a partial exit, so every order type appears. */
export async function riskyEmaYaml(): Promise<string> {
  const base = await fs.readFile(path.join(repoRoot, 'config', 'demo-ema-cross.yaml'), 'utf8');
  return `${base.replace('name: "Demo EMA Cross"', 'name: "Demo EMA Cross with stops"')}
risk_management:
  stop_loss: { percent: 0.004 }
  take_profit:
    percent: 0.008
    partial_exits: [{ level: 0.003, percent: 0.5 }]
`;
}

export interface StrategyFile {
  id: string;
  file: string;
  yaml: string;
}

/** A symbol of its own for one test run, so its streams never meet another test's (e.g. "X1A2B3CUSDT"). */
export function uniqueSymbol(): { base: string; symbol: string } {
  const base = `X${randomBytes(3).toString('hex').toUpperCase()}`;
  return { base, symbol: `${base}USDT` };
}

/** The demo strategies, trading `base`/USDT. */
export async function demoStrategies(base = 'BTC'): Promise<StrategyFile[]> {
  const onSymbol = (yaml: string) => yaml.replace(/^symbol: .*$/m, `symbol: "${base}/USDT"`);
  return [
    { id: 'risky-ema', file: 'risky-ema.yaml', yaml: onSymbol(await riskyEmaYaml()) },
    { id: 'demo-rsi-mean-reversion', file: 'demo-rsi-mean-reversion.yaml', yaml: onSymbol(await fs.readFile(path.join(repoRoot, 'config', 'demo-rsi-mean-reversion.yaml'), 'utf8')) },
  ];
}

/** Removes a run's streams (never FLUSHDB: other suites may share the database). */
export async function deleteStreams(redis: { del(...keys: string[]): Promise<number> }, symbol: string): Promise<void> {
  await redis.del(Streams.candles(symbol), Streams.trades(symbol), Streams.bookTicker(symbol), Streams.bookDepth(symbol));
}

export async function writeConfigs(dir: string, strategies: readonly StrategyFile[]): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const s of strategies) await fs.writeFile(path.join(dir, s.file), s.yaml);
}

/** A run's temp folder with the demo strategies on `base`/USDT written to its config/. */
export async function demoRunDir(tmpPrefix: string, base: string): Promise<{ dir: string; strategies: StrategyFile[] }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), tmpPrefix));
  const strategies = await demoStrategies(base);
  await writeConfigs(path.join(dir, 'config'), strategies);
  return { dir, strategies };
}

/** Removes what a run left behind: its symbol's streams, then its Redis connection and its folder. */
export async function removeRun(redis: { del(...keys: string[]): Promise<number>; disconnect(): void }, symbol: string, dir: string): Promise<void> {
  await deleteStreams(redis, symbol);
  redis.disconnect();
  await fs.rm(dir, { recursive: true, force: true });
}

/** Publishes closed 1m candles the way stream-manager does. */
export async function publishCandles(bus: MessageBus, symbol: string, candles: readonly Candle[]): Promise<void> {
  for (const c of candles) {
    await bus.publish(
      Streams.candles(symbol),
      makeEnvelope({
        type: MessageType.candleClosed,
        id: `candle-${symbol}-${c.openTime}`,
        source: 'test-replay',
        tsEvent: c.closeTime,
        tsInit: c.closeTime,
        payload: {
          venue: 'SIMULATED',
          symbol,
          timeframe: '1m',
          openTime: c.openTime,
          closeTime: c.closeTime,
          open: String(c.open),
          high: String(c.high),
          low: String(c.low),
          close: String(c.close),
          volume: String(c.volume),
          synthetic: false,
          origin: 'replay',
        },
      }),
      StreamRetention.candles,
    );
  }
}

export function backtest(s: StrategyFile, candles: readonly Candle[]): BacktestResult {
  const setup = buildTradingSetup(s.yaml, s.file, { strategyId: s.id, tradingStartTime: 0 });
  if (!setup.ok) throw new Error(JSON.stringify(setup.errors));
  return runBacktest(setup.strategy, candles, setup.coreOptions);
}

export interface Backend {
  name: 'json' | 'postgres';
  env: Record<string, string>;
  open(): Promise<StrategyStore>;
  dispose(): Promise<void>;
}

export async function makeBackend(name: 'json' | 'postgres', dataDir: string): Promise<Backend> {
  if (name === 'json') {
    return { name, env: { DATA_DIR: dataDir }, open: async () => new JsonStrategyStore({ dataDir }), dispose: async () => undefined };
  }
  const schema = `pt_${randomBytes(6).toString('hex')}`;
  return {
    name,
    env: { DATA_DIR: dataDir, DATABASE_URL, DATABASE_SCHEMA: schema },
    open: () => PostgresStrategyStore.open({ databaseUrl: DATABASE_URL, schema, maxConnections: 3 }),
    dispose: () => PostgresStrategyStore.dropSchema(DATABASE_URL, schema),
  };
}

export async function allTrades(store: StrategyStore, id: string): Promise<TradeRecord[]> {
  const out: TradeRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listTrades(id, cursor === undefined ? { limit: 1000 } : { limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out.reverse();
}

export async function allOrders(store: StrategyStore, id: string): Promise<OrderRecord[]> {
  return (await store.listOrders(id, { limit: 100_000 })).reverse();
}

/** A trade as the backtest produced it, in the stored representation. */
export function tradeRow(t: BacktestResult['trades'][number]): unknown[] {
  return [t.tradeId, t.orderId, t.side, toDecimalString(t.quantity), toDecimalString(t.price), toDecimalString(t.fee), toDecimalString(t.realizedPnl), t.time, t.reason, t.liquidity, t.quality, t.provenance];
}

export function storedTradeRow(t: TradeRecord): unknown[] {
  return [t.tradeId, t.orderId, t.side, t.quantity, t.price, t.fee, t.realizedPnl, t.time, t.reason, t.liquidity, t.quality, t.provenance];
}

/** Normalises decimal strings from either store (PostgreSQL numeric keeps trailing zeros of its inputs; ours have none). */
export function canonicalDecimal(x: string): string {
  return x.includes('.') ? x.replace(/0+$/, '').replace(/\.$/, '') : x;
}

/** Seeded uniform numbers for chaos timing (mulberry32). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
