import { bucketOpenTime, timeframeMs } from '../candles/timeframe.js';
import { toDecimalString } from '../core/decimal.js';
import type { Candle } from '../model/candle.js';
import type { CompiledStrategy, Alignment } from '../strategy/compiled-strategy.js';
import type { WarmupReport } from '../strategy/warmup.js';
import { legacyStatistics, type LegacyStatistics } from './legacy-statistics.js';
import type { BacktestResult } from './run-backtest.js';
import type { ClosedTrade, PerformanceStatistics } from './statistics.js';

/** Everything a backtest reports, JSON-serialisable (times in epoch ms UTC, money as numbers or decimal strings). */
export interface BacktestReport {
  strategy: {
    name: string;
    file: string;
    compat: 'legacy' | 'default';
    variant: string | null;
    entryTimeframe: string;
    timeframes: readonly string[];
    alignment: Alignment;
    alignmentWarning: string | null;
  };
  period: {
    /** first and last 1m candle of the run (warm-up included) */
    dataFrom: number | null;
    dataTo: number | null;
    /** first candle close at which orders may be decided (--from), null = from the start */
    tradingFrom: number | null;
    candles: number;
    /** entry-timeframe close of the first decision the strategy was ready for; null = never ready */
    firstReadyAt: number | null;
  };
  warmup: WarmupReport;
  statistics: PerformanceStatistics;
  /** the original's Backtrader-style block (compat §6.7) */
  legacy: LegacyStatistics;
  roundTrips: ClosedTrade[];
  /** the position still open at the end (marked to the last close), if any */
  openPosition: { side: 'long' | 'short'; quantity: string; since: number } | null;
  fills: Array<{ tradeId: string; time: number; side: 'buy' | 'sell'; quantity: string; price: string; fee: string; realizedPnl: string; positionAfter: string; reason: string; slippageBps: number | null }>;
  rejections: Array<{ time: number; reason: string; message: string }>;
  /** for charts: at most `maxPoints` points each */
  series: {
    price: Array<[time: number, close: number]>;
    equity: Array<[time: number, equity: number]>;
    /** drawdown from the running peak, a fraction ≤ 0 (the worst of each bucket) */
    drawdown: Array<[time: number, drawdown: number]>;
  };
}

export interface ReportInput {
  file: string;
  variant?: string | undefined;
  strategy: CompiledStrategy;
  candles: readonly Candle[];
  result: BacktestResult;
  tradingFrom?: number | undefined;
  maxPoints?: number;
}

export function buildBacktestReport(input: ReportInput): BacktestReport {
  const { strategy, candles, result } = input;
  const maxPoints = input.maxPoints ?? 2000;
  const entryMs = timeframeMs(strategy.entryTimeframe);
  const initial = result.statistics.initialEquity;
  const from = input.tradingFrom ?? Number.NEGATIVE_INFINITY;
  const curve = result.equityCurve.filter((s) => s.time >= from);

  // the original's bars are entry-timeframe bars, and the data's last, partial entry bucket is a bar
  // too (its feed returned it): its close marks the account at the end (compat §6.7)
  const barSamples = curve.filter((s) => bucketOpenTime(s.time - 1, strategy.entryTimeframe) + entryMs === s.time);
  const lastSample = curve[curve.length - 1];
  if (lastSample !== undefined && barSamples[barSamples.length - 1] !== lastSample) barSamples.push(lastSample);
  const lastTrade = result.trades[result.trades.length - 1];
  const openQty = lastTrade ? lastTrade.positionAfter : null;
  let openPosition: BacktestReport['openPosition'] = null;
  if (openQty !== null && lastTrade && !openQty.isZero()) {
    let since = lastTrade.time;
    for (let i = result.trades.length - 1; i >= 0; i--) {
      const t = result.trades[i]!;
      const before = i > 0 ? result.trades[i - 1]!.positionAfter : null;
      since = t.time;
      if (before === null || before.isZero()) break;
    }
    openPosition = { side: openQty.isPositive() ? 'long' : 'short', quantity: toDecimalString(openQty.abs()), since };
  }

  // drawdown over the full-resolution curve, then bucketed keeping each bucket's worst point
  const span = curve.length > 1 ? curve[curve.length - 1]!.time - curve[0]!.time : 0;
  const bucket = Math.max(60_000, Math.ceil(span / maxPoints / 60_000) * 60_000);
  const equity: Array<[number, number]> = [];
  const drawdown: Array<[number, number]> = [];
  let peak = initial;
  let currentBucket = Number.NaN;
  for (const s of curve) {
    if (s.equity > peak) peak = s.equity;
    const dd = peak > 0 ? s.equity / peak - 1 : 0;
    const b = Math.floor((s.time - 1) / bucket);
    if (b !== currentBucket) {
      equity.push([s.time, s.equity]);
      drawdown.push([s.time, dd]);
      currentBucket = b;
    } else {
      equity[equity.length - 1] = [s.time, s.equity];
      const last = drawdown[drawdown.length - 1]!;
      drawdown[drawdown.length - 1] = [s.time, Math.min(last[1], dd)];
    }
  }
  const price: Array<[number, number]> = [];
  currentBucket = Number.NaN;
  for (const c of candles) {
    if (c.closeTime < from) continue;
    const b = Math.floor((c.closeTime - 1) / bucket);
    if (b !== currentBucket) {
      price.push([c.closeTime, c.close]);
      currentBucket = b;
    } else price[price.length - 1] = [c.closeTime, c.close];
  }

  return {
    strategy: {
      name: strategy.name,
      file: input.file,
      compat: strategy.compat,
      variant: input.variant ?? null,
      entryTimeframe: strategy.entryTimeframe,
      timeframes: strategy.timeframes,
      alignment: strategy.alignment,
      alignmentWarning: strategy.alignmentWarning,
    },
    period: {
      dataFrom: candles[0]?.openTime ?? null,
      dataTo: candles[candles.length - 1]?.closeTime ?? null,
      tradingFrom: input.tradingFrom ?? null,
      candles: result.candlesProcessed,
      firstReadyAt: strategy.firstReadyAt,
    },
    warmup: strategy.warmup,
    statistics: result.statistics,
    legacy: legacyStatistics({ initialCash: initial, barSamples, trades: result.roundTrips, openTrade: openPosition !== null }),
    roundTrips: result.roundTrips,
    openPosition,
    fills: result.trades.map((t) => ({
      tradeId: t.tradeId,
      time: t.time,
      side: t.side,
      quantity: toDecimalString(t.quantity),
      price: toDecimalString(t.price),
      fee: toDecimalString(t.fee),
      realizedPnl: toDecimalString(t.realizedPnl),
      positionAfter: toDecimalString(t.positionAfter),
      reason: t.reason,
      slippageBps: t.quality ? Number(t.quality.slippageBps) : null,
    })),
    rejections: result.rejections.map((r) => ({ time: r.time, reason: r.reason, message: r.message })),
    series: { price, equity, drawdown },
  };
}
