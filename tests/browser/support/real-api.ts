/**
 * The real api-server over the real in-process bus and the real JSON-file store, for dashboard tests
 * that need exact, repeatable data. Data is written the way the paper-trader and the stream-manager
 * write it: records, state, trades and equity into the store, and the same envelopes onto the bus.
 */
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  MessageType,
  StreamRetention,
  Streams,
  makeEnvelope,
  type MarketFeedStatusV1,
  type NotificationChannelDto,
  type StrategyFillV1,
  type StrategyStatusValue,
} from '@btc-research/contracts';
import { InProcessBus, JsonStrategyStore, createLogger, type StrategyRecord, type StrategyState } from '@btc-research/platform';
import { feedStatusFixture } from '../../../services/dashboard/src/test-support/fixtures.js';
import { DEFAULT_DEV_API_KEY, startApiServer, type ApiServerHandle, type AuthConfig } from '../../../services/api-server/src/index.js';
import { INVALID_YAML } from '../../../services/api-server/src/test-support/fixtures.js';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
export const JWT_USER_KEY = 'user-key-0123456789abcdef';
export const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

const fmt = (n: number, d = 2): string => n.toFixed(d);

export interface SeedStrategy {
  id: string;
  name: string;
  trades: number;
  status?: StrategyStatusValue;
}

export class RealApi {
  readonly logger = createLogger('api-server:test', { level: 'silent' });
  readonly bus = new InProcessBus({ logger: this.logger });
  store!: JsonStrategyStore;
  handle!: ApiServerHandle;
  dataDir = '';
  configDir = '';
  private seq = 0;
  private readonly state = new Map<string, StrategyState>();

  constructor(private readonly options: { mode?: 'api-key' | 'jwt'; openReads?: boolean; accessTokenTtlS?: number; notificationChannels?: NotificationChannelDto[] } = {}) {}

  get url(): string {
    return this.handle.url;
  }

  async start(): Promise<this> {
    this.dataDir = await mkdtemp(join(tmpdir(), 'dash-api-data-'));
    this.configDir = await mkdtemp(join(tmpdir(), 'dash-api-config-'));
    for (const f of await readdir(join(repoRoot, 'config'))) if (/\.ya?ml$/.test(f)) await copyFile(join(repoRoot, 'config', f), join(this.configDir, f));
    await writeFile(join(this.configDir, 'broken.yaml'), INVALID_YAML);
    this.store = new JsonStrategyStore({ dataDir: this.dataDir });
    const jwt = this.options.mode === 'jwt';
    const auth: AuthConfig = {
      mode: jwt ? 'jwt' : 'api-key',
      apiKeys: jwt ? [{ key: JWT_USER_KEY, scopes: ['read', 'control'] }] : [{ key: DEFAULT_DEV_API_KEY, scopes: ['read', 'control'] }],
      isReadOpen: !jwt && (this.options.openReads ?? true),
      jwtSecret: 'dashboard-test-secret-0123456789abcdefghijklmnop',
      accessTokenTtlS: this.options.accessTokenTtlS ?? 900,
      refreshTokenTtlS: 3600,
    };
    this.handle = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      bus: this.bus,
      store: this.store,
      configDir: this.configDir,
      logger: this.logger,
      auth,
      rateLimit: { max: 100_000, timeWindowMs: 60_000 },
      cacheTtlMs: 0,
      collectDefaultMetrics: false,
      commandWaitMs: 500,
      ...(this.options.notificationChannels ? { notificationChannels: this.options.notificationChannels } : {}),
    });
    return this;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    await this.bus.close();
    await this.store?.close();
    await rm(this.dataDir, { recursive: true, force: true });
    await rm(this.configDir, { recursive: true, force: true });
  }

  private id(prefix: string): string {
    this.seq += 1;
    return `${prefix}-${this.seq}`;
  }

  private async publish(stream: string, type: MessageType, payload: unknown, t: number, retention: number): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await this.bus.publish(stream, makeEnvelope({ type, id: this.id(type), source: 'dashboard-test', tsEvent: t, tsInit: t, payload } as any), retention);
  }

  /** A strategy with `trades` alternating buy/sell fills one minute apart, and its equity curve. */
  async addStrategy(s: SeedStrategy): Promise<void> {
    const record: StrategyRecord = {
      id: s.id,
      name: s.name,
      configName: `${s.id}.yaml`,
      configYaml: 'name: seeded\n',
      symbol: 'BTCUSDT',
      status: s.status ?? 'running',
      error: null,
      initialCash: '10000',
      createdAt: T0,
      updatedAt: T0,
    };
    await this.store.upsertStrategy(record);
    const st: StrategyState = {
      strategyId: s.id,
      time: T0,
      cash: '10000',
      equity: '10000',
      positionQty: '0',
      avgEntryPrice: '0',
      realizedPnl: '0',
      unrealizedPnl: '0',
      feesPaid: '0',
      lastPrice: '95000',
      lastCandleCloseTime: T0,
      tradeCount: 0,
      core: null,
    };
    this.state.set(s.id, st);
    await this.store.saveState(st);
    await this.store.appendEquity(s.id, [{ time: T0, equity: '10000' }]);
    for (let i = 0; i < s.trades; i++) {
      await this.addFill(s.id, { side: i % 2 === 0 ? 'buy' : 'sell', price: fmt(95_000 + ((i * 37) % 200) - 100), quantity: '0.01', time: T0 + (i + 1) * 60_000, realizedPnl: i % 2 === 1 ? fmt(((i * 13) % 9) - 3) : '0', provenance: i % 3 === 0 ? { source: 'modelled', model: 'candle-open' } : { source: 'book', model: 'book-walk' } }, false);
    }
  }

  /** Records a fill and the equity after it (store first, then the bus, as the paper-trader does). */
  async addFill(id: string, f: { side: 'buy' | 'sell'; price: string; quantity: string; time?: number; realizedPnl?: string; provenance?: StrategyFillV1['provenance'] }, publish = true): Promise<StrategyFillV1> {
    const st = this.state.get(id);
    if (!st) throw new Error(`no strategy ${id}`);
    const time = f.time ?? Date.now();
    const n = st.tradeCount + 1;
    const fee = fmt(Number(f.price) * Number(f.quantity) * 0.001, 8);
    const fill: StrategyFillV1 = { strategyId: id, tradeId: `${id}-t${n}`, orderId: `${id}-o${n}`, symbol: 'BTCUSDT', side: f.side, quantity: f.quantity, price: f.price, fee, realizedPnl: f.realizedPnl ?? '0', reason: f.side === 'buy' ? 'entry_long' : 'exit_long', time, provenance: f.provenance ?? { source: 'book', model: 'book-walk' } };
    const realized = Number(st.realizedPnl) + Number(fill.realizedPnl) - Number(fee);
    const next: StrategyState = { ...st, time, tradeCount: n, realizedPnl: fmt(realized, 8), feesPaid: fmt(Number(st.feesPaid) + Number(fee), 8), equity: fmt(10_000 + realized, 8), cash: fmt(10_000 + realized, 8), lastPrice: f.price };
    this.state.set(id, next);
    await this.store.appendTrades(id, [fill]);
    // the order behind the fill, with its fill quality, as the paper-trader records it
    const mid = Number(f.price) + (f.side === 'buy' ? -0.5 : 0.5);
    await this.store.upsertOrders(id, [
      {
        strategyId: id,
        orderId: fill.orderId,
        symbol: 'BTCUSDT',
        side: f.side,
        type: 'market',
        quantity: f.quantity,
        limitPrice: null,
        stopPrice: null,
        reduceOnly: f.side === 'sell',
        status: 'filled',
        filledQty: f.quantity,
        avgPrice: f.price,
        fees: fee,
        reason: fill.reason,
        decidedAt: time - 75,
        arrivesAt: time,
        triggeredAt: null,
        rejectReason: null,
        rejectMessage: null,
        updatedAt: time,
        quality: { decisionPrice: fmt(mid), arrivalMid: fmt(mid), vwap: f.price, slippageBps: fmt((0.5 / mid) * 10_000, 4), latencyMs: 75, levelsConsumed: 1 },
      },
    ]);
    await this.store.saveState(next);
    await this.store.appendEquity(id, [{ time, equity: next.equity }]);
    if (publish) {
      await this.publish(Streams.strategyEvents(), MessageType.strategyFill, fill, time, StreamRetention.strategyEvents);
      await this.publish(
        Streams.strategyEvents(),
        MessageType.strategyEquity,
        { strategyId: id, time, equity: next.equity, cash: next.cash, positionQty: next.positionQty, realizedPnl: next.realizedPnl, unrealizedPnl: next.unrealizedPnl, lastPrice: next.lastPrice },
        time,
        StreamRetention.strategyEvents,
      );
    }
    return fill;
  }

  async setStatus(id: string, status: StrategyStatusValue, error: string | null = null): Promise<void> {
    const rec = await this.store.getStrategy(id);
    if (!rec) throw new Error(`no strategy ${id}`);
    await this.store.upsertStrategy({ ...rec, status, error, updatedAt: Date.now() });
    await this.publish(Streams.strategyEvents(), MessageType.strategyStatus, { strategyId: id, status, error, time: Date.now() }, Date.now(), StreamRetention.strategyEvents);
  }

  async setFeed(patch: Partial<MarketFeedStatusV1> = {}): Promise<void> {
    const status = feedStatusFixture(patch);
    await this.publish(Streams.feedStatus(), MessageType.feedStatus, status, Date.now(), StreamRetention.feedStatus);
  }

  /** `count` closed 1m candles ending at T0 + count minutes, plus a trade and a book ticker. */
  async addMarket(count: number): Promise<void> {
    let price = 95_000;
    for (let i = 0; i < count; i++) {
      const open = price;
      const close = open + Math.sin(i / 4) * 35 + ((i * 7919) % 11) - 5;
      const openTime = T0 + i * 60_000;
      await this.publish(
        Streams.candles('BTCUSDT'),
        MessageType.candleClosed,
        { venue: 'SIMULATED', symbol: 'BTCUSDT', timeframe: '1m', openTime, closeTime: openTime + 60_000, open: fmt(open), high: fmt(Math.max(open, close) + 12), low: fmt(Math.min(open, close) - 12), close: fmt(close), volume: '4.2', synthetic: false, origin: 'simulated' },
        openTime + 60_000,
        StreamRetention.candles,
      );
      price = close;
    }
    const t = T0 + count * 60_000;
    await this.publish(Streams.trades('BTCUSDT'), MessageType.trade, { venue: 'SIMULATED', symbol: 'BTCUSDT', tradeId: 'x1', price: fmt(price), quantity: '0.1', time: t, isBuyerMaker: false }, t, StreamRetention.trades);
    await this.publish(Streams.bookTicker('BTCUSDT'), MessageType.bookTicker, { venue: 'SIMULATED', symbol: 'BTCUSDT', bidPrice: fmt(price - 0.5), bidQty: '1.2', askPrice: fmt(price + 0.5), askQty: '0.8', time: t }, t, StreamRetention.bookTicker);
  }
}

/** The usual fixture: two demo-like strategies with trades, a simulated feed and two hours of candles. */
export async function startSeededApi(options: { mode?: 'api-key' | 'jwt'; openReads?: boolean; accessTokenTtlS?: number; strategies?: SeedStrategy[]; notificationChannels?: NotificationChannelDto[] } = {}): Promise<RealApi> {
  const api = await new RealApi(options).start();
  for (const s of options.strategies ?? [
    { id: 'demo-rsi', name: 'RSI mean reversion', trades: 14 },
    { id: 'demo-ema-cross', name: 'EMA cross', trades: 4 },
  ])
    await api.addStrategy(s);
  await api.setFeed();
  await api.addMarket(120);
  return api;
}
