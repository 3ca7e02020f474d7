/**
 * API answers for unit tests, each built by parsing through its contract schema: a field the
 * contract renames or drops makes the fixture itself fail, so no test runs on a stale shape.
 */
import {
  ActiveStrategiesResponse,
  CandleDto,
  MarketDataResponse,
  MarketFeedStatusV1,
  StrategyStatsResponse,
  StrategySummaryDto,
  TradeDto,
} from '@btc-research/contracts';
import { simulatedFeedStatus } from '@btc-research/platform';
import type { z } from 'zod';

export const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

/** A fixture builder: `base` with `overrides`, parsed by `schema` (a fixture the contract refuses throws). */
function fixtureOf<S extends z.ZodObject>(schema: S, base: z.input<S>): (overrides?: Partial<z.input<S>>) => z.output<S> {
  return (overrides = {}) => schema.parse({ ...base, ...overrides });
}

export const tradeFixture = fixtureOf(TradeDto, {
  tradeId: 'demo-rsi-t1',
  orderId: 'demo-rsi-o1',
  strategyId: 'demo-rsi',
  symbol: 'BTCUSDT',
  side: 'buy',
  quantity: '0.01',
  price: '95000.00',
  fee: '0.95000000',
  realizedPnl: '0',
  reason: 'entry_long',
  time: T0,
});

export const strategySummaryFixture = fixtureOf(StrategySummaryDto, {
  id: 'demo-rsi',
  name: 'RSI mean reversion',
  configName: 'demo-rsi.yaml',
  symbol: 'BTCUSDT',
  status: 'running',
  error: null,
  initialCash: '10000',
  equity: '10012.5',
  cash: '10012.5',
  pnl: '12.5',
  pnlPct: 0.125,
  realizedPnl: '12.5',
  unrealizedPnl: '0',
  positionQty: '0',
  lastPrice: '95100.00',
  tradeCount: 1,
  lastTrades: [tradeFixture()],
  createdAt: T0,
  updatedAt: T0,
});

export function activeStrategiesFixture(items: StrategySummaryDto[] = [strategySummaryFixture()]): ActiveStrategiesResponse {
  return ActiveStrategiesResponse.parse({ items, asOf: T0 });
}

export const statsFixture = fixtureOf(StrategyStatsResponse, {
  id: 'demo-rsi',
  asOf: T0,
  initialCash: '10000',
  equity: '10012.5',
  cash: '10012.5',
  positionQty: '0',
  avgEntryPrice: '0',
  lastPrice: '95100.00',
  totalPnl: '12.5',
  realizedPnl: '12.5',
  unrealizedPnl: '0',
  feesPaid: '1.9',
  totalReturnPct: 0.125,
  tradeCount: 2,
  closedTrades: 7,
  winningTrades: 2,
  losingTrades: 5,
  winRatePct: (2 / 7) * 100,
  profitFactor: 1.5,
  averageWin: 10,
  averageLoss: -2.5,
  expectancy: 1.25,
  maxDrawdownPct: -0.5,
  maxDrawdownDurationMs: 60_000,
  sharpe: null,
  sortino: null,
  cagrPct: null,
  calmar: null,
  dailyReturns: 1,
  ratiosNote: 'not enough data: annualised ratios need 30 daily returns, there is 1',
  equityPoints: 3,
});

export const feedStatusFixture = fixtureOf(MarketFeedStatusV1, simulatedFeedStatus({ lastCandleCloseTime: T0, lagMs: 35 }));

export function candleFixture(openTime: number, close: string): CandleDto {
  return CandleDto.parse({ openTime, closeTime: openTime + 60_000, open: '95000.00', high: '95050.00', low: '94950.00', close, volume: '4.2', isComplete: true });
}

export const marketDataFixture = fixtureOf(MarketDataResponse, {
  symbol: 'BTCUSDT',
  venue: 'SIMULATED',
  lastPrice: '95010.00',
  lastTradeTime: T0,
  bid: '95009.50',
  ask: '95010.50',
  bookTime: T0,
  candles: { '1m': [candleFixture(T0, '95010.00')] },
  feed: { available: true, isSimulated: true, status: feedStatusFixture(), receivedAt: T0 },
});
