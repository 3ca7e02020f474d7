import { createHash } from 'node:crypto';
import { decodeRecordedInput, type Candle } from '@btc-research/engine';
import type { StrategyRecord, StrategyStore, WarmupHistoryRecord } from '@btc-research/platform';
import { LOG_PAGE_SIZE } from './market-log-tail.js';

/**
 * What a runner warms up on before its symbol's market log: the stored warm-up history's candles
 * right before the log's first candle (contiguous with it), and a key of the stored history (a
 * runner's image is only valid for a core built on the same one).
 */
export interface WarmupInputs {
  candles: readonly Candle[];
  /** sha256 of the stored history's candles; '' when the strategy has none */
  key: string;
}

export const NO_WARMUP: WarmupInputs = { candles: [], key: '' };

/** Pages of the log's start scanned for its first candle (ticks and book records may come first). */
const FIRST_CANDLE_PAGES = 20;

/** The strategy's stored warm-up history as runner inputs (NO_WARMUP when it has none for its symbol). */
export async function loadWarmupInputs(store: StrategyStore, record: StrategyRecord): Promise<WarmupInputs> {
  const history = await store.loadWarmupHistory(record.id);
  if (history === null || history.symbol !== record.symbol || history.candles.length === 0) return NO_WARMUP;
  const firstOpen = await firstLogCandleOpenTime(store, record.symbol);
  return { candles: firstOpen === null ? [] : candlesBefore(history, firstOpen), key: warmupKey(history) };
}

export function warmupKey(history: WarmupHistoryRecord): string {
  return createHash('sha256').update(JSON.stringify(history.candles)).digest('hex');
}

/**
 * The history's candles that end exactly where the log's first candle opens (the store keeps them
 * contiguous), as the engine reads a logged candle; none when the history does not reach the log.
 */
export function candlesBefore(history: WarmupHistoryRecord, logFirstOpenTime: number): Candle[] {
  const end = history.candles.findIndex((c) => c.closeTime === logFirstOpenTime);
  if (end < 0) return [];
  return history.candles.slice(0, end + 1).map((c) => {
    const input = decodeRecordedInput({ kind: 'candle', time: c.closeTime, data: c });
    if (input.kind !== 'candle') throw new Error('a candle record decoded as another input');
    return input.candle;
  });
}

async function firstLogCandleOpenTime(store: StrategyStore, symbol: string): Promise<number | null> {
  let after = 0;
  for (let page = 0; page < FIRST_CANDLE_PAGES; page++) {
    const events = await store.listMarketEvents(symbol, after, LOG_PAGE_SIZE);
    if (events.length === 0) return null;
    const candle = events.find((e) => e.kind === 'candle');
    if (candle) return (candle.data as { openTime: number }).openTime;
    after = events[events.length - 1]!.seq;
  }
  return null;
}
