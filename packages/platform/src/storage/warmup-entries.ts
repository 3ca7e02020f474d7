import type { MarketEventRecord, WarmupHistoryRecord } from './strategy-store.js';

/**
 * A strategy's warm-up history as the market inputs fed before its symbol's log: the stored candles
 * that end exactly where the log's first candle opens (none when they do not reach it, or belong to
 * another symbol), as candle records numbered −n … −1 so they sort before the log's seq 1. Every
 * build of the strategy (paper trading, parity check, reconciliation) feeds these same ones.
 */
export function warmupEntries(history: WarmupHistoryRecord | null, symbol: string, logFirstCandleOpenTime: number | null): MarketEventRecord[] {
  if (history === null || history.symbol !== symbol || logFirstCandleOpenTime === null) return [];
  const end = history.candles.findIndex((c) => c.closeTime === logFirstCandleOpenTime);
  if (end < 0) return [];
  const used = history.candles.slice(0, end + 1);
  return used.map((c, i) => ({ symbol, seq: i - used.length, kind: 'candle', time: c.closeTime, sourceId: `warmup:${c.openTime}`, data: { ...c } }));
}

/** Pages of the log's start scanned for its first candle (ticks and book records may come first). */
const FIRST_CANDLE_PAGES = 20;
const PAGE = 5_000;

/** The open time of the first candle in a symbol's market log; null when none is found near its start. */
export async function firstLogCandleOpenTime(store: { listMarketEvents(symbol: string, afterSeq: number, limit: number): Promise<MarketEventRecord[]> }, symbol: string): Promise<number | null> {
  let after = 0;
  for (let page = 0; page < FIRST_CANDLE_PAGES; page++) {
    const events = await store.listMarketEvents(symbol, after, PAGE);
    if (events.length === 0) return null;
    const candle = events.find((e) => e.kind === 'candle');
    if (candle) return (candle.data as { openTime: number }).openTime;
    after = events[events.length - 1]!.seq;
  }
  return null;
}
