import { createHash } from 'node:crypto';
import { decodeRecordedInput, type Candle } from '@btc-research/engine';
import { firstLogCandleOpenTime, warmupEntries, type StrategyRecord, type StrategyStore, type WarmupHistoryRecord } from '@btc-research/platform';

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

/** The strategy's stored warm-up history as runner inputs (NO_WARMUP when it has none for its symbol). */
export async function loadWarmupInputs(store: StrategyStore, record: StrategyRecord): Promise<WarmupInputs> {
  const history = await store.loadWarmupHistory(record.id);
  if (history === null || history.symbol !== record.symbol || history.candles.length === 0) return NO_WARMUP;
  return { candles: candlesBefore(history, await firstLogCandleOpenTime(store, record.symbol)), key: warmupKey(history) };
}

export function warmupKey(history: WarmupHistoryRecord): string {
  return createHash('sha256').update(JSON.stringify(history.candles)).digest('hex');
}

/** The history's candles that end exactly where the log's first candle opens, as the engine reads a logged candle. */
export function candlesBefore(history: WarmupHistoryRecord, logFirstOpenTime: number | null): Candle[] {
  return warmupEntries(history, history.symbol, logFirstOpenTime).map((e) => {
    const input = decodeRecordedInput(e);
    if (input.kind !== 'candle') throw new Error('a candle record decoded as another input');
    return input.candle;
  });
}
