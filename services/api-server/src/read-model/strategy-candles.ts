import { MessageType, Streams, isMessage, type CandleDto, type MarketTimeframe, type StrategyCandlesQuery, type StrategyCandlesResponse } from '@btc-research/contracts';
import { Decimal, toDecimalString } from '@btc-research/engine';
import type { MessageBus, StrategyRecord } from '@btc-research/platform';
import type { CandleHistory, HistoryCandle } from './candle-history.js';
import { TF_MS, aggregateCandles } from './market-read-model.js';

/** trades read from the bus to build the minute that has not closed yet */
const FORMING_TRADES = 5_000;

/** Index of the first candle that opens at or after `time` (binary search; candles oldest first). */
function firstAtOrAfter(candles: readonly CandleDto[], time: number): number {
  let lo = 0;
  let hi = candles.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((candles[mid] as CandleDto).openTime < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The minute still forming after the last closed candle, from the trades on the bus since it
 * closed (null when none arrived yet). Provisional: the closed candle replaces it.
 */
async function formingMinute(bus: MessageBus, symbol: string, lastClose: number): Promise<HistoryCandle | null> {
  const entries = await bus.readLatest(Streams.trades(symbol), FORMING_TRADES);
  const trades: { price: string; quantity: string; time: number }[] = [];
  for (const e of entries) if (isMessage(e.envelope, MessageType.trade) && e.envelope.payload.time >= lastClose) trades.push(e.envelope.payload);
  if (trades.length === 0) return null;
  trades.sort((a, b) => a.time - b.time);
  const openTime = Math.floor((trades[trades.length - 1] as { time: number }).time / 60_000) * 60_000;
  const minute = trades.filter((t) => t.time >= openTime);
  let high = new Decimal((minute[0] as { price: string }).price);
  let low = high;
  let volume = new Decimal(0);
  for (const t of minute) {
    const p = new Decimal(t.price);
    if (p.gt(high)) high = p;
    if (p.lt(low)) low = p;
    volume = volume.plus(t.quantity);
  }
  return {
    openTime,
    closeTime: openTime + 60_000,
    open: (minute[0] as { price: string }).price,
    high: toDecimalString(high),
    low: toDecimalString(low),
    close: (minute[minute.length - 1] as { price: string }).price,
    volume: toDecimalString(volume),
  };
}

/** Candles of one timeframe from the 1m history, every bar that has ended marked complete. */
function barsOf(base: readonly HistoryCandle[], tf: MarketTimeframe, lastClose: number): CandleDto[] {
  return aggregateCandles(base, tf).map((c) => ({ ...c, isComplete: c.closeTime <= lastClose }));
}

/** the closed bars per timeframe of one version of a history (its candle array is replaced when it changes) */
const closedBarsCache = new WeakMap<readonly HistoryCandle[], Map<MarketTimeframe, CandleDto[]>>();

function closedBars(base: readonly HistoryCandle[], tf: MarketTimeframe, lastClose: number): CandleDto[] {
  let byTf = closedBarsCache.get(base);
  if (!byTf) closedBarsCache.set(base, (byTf = new Map()));
  let bars = byTf.get(tf);
  if (!bars) byTf.set(tf, (bars = barsOf(base, tf, lastClose).filter((c) => c.isComplete)));
  return bars;
}

/**
 * One page of a strategy's candles in a timeframe, from its symbol's stored history: the newest
 * page (no `before`) ends with the candle still forming, labelled as such; each next page is older.
 */
export async function strategyCandles(
  history: CandleHistory,
  bus: MessageBus,
  record: StrategyRecord,
  query: StrategyCandlesQuery,
): Promise<StrategyCandlesResponse> {
  const { candles: base } = await history.candles(record.symbol);
  const last = base[base.length - 1];
  const lastClose = last ? last.closeTime : 0;
  const response: StrategyCandlesResponse = {
    strategyId: record.id,
    symbol: record.symbol,
    timeframe: query.timeframe,
    candles: [],
    forming: null,
    nextBefore: null,
    historyStart: base[0]?.openTime ?? null,
    strategyStart: record.createdAt,
  };
  if (query.before === undefined) {
    const minute = await formingMinute(bus, record.symbol, lastClose);
    if (minute) {
      const bucket = Math.floor(minute.openTime / TF_MS[query.timeframe]) * TF_MS[query.timeframe];
      const start = base.findIndex((c) => c.openTime >= bucket);
      const bar = aggregateCandles([...(start < 0 ? [] : base.slice(start)), minute], query.timeframe).at(-1);
      if (bar) response.forming = { ...bar, isComplete: false };
    } else if (last && last.closeTime % TF_MS[query.timeframe] !== 0) {
      // no trades yet in the current minute, but the bar has closed minutes of its own
      const bar = barsOf(base.slice(-TF_MS[query.timeframe] / 60_000), query.timeframe, lastClose).at(-1);
      if (bar && !bar.isComplete) response.forming = bar;
    }
  }
  const bars = closedBars(base, query.timeframe, lastClose);
  const end = query.before === undefined ? bars.length : firstAtOrAfter(bars, query.before);
  const start = Math.max(0, end - query.limit);
  response.candles = bars.slice(start, end);
  response.nextBefore = start > 0 ? (bars[start] as CandleDto).openTime : null;
  return response;
}
