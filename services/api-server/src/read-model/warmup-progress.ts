import type { WarmupProgressDto } from '@btc-research/contracts';
import { buildTradingSetup, timeframeMs, type WarmupReport } from '@btc-research/engine';
import type { StrategyRecord, StrategyState, WarmupHistoryRecord } from '@btc-research/platform';
import type { CandleHistory, HistoryCandle } from './candle-history.js';

/**
 * Closed candles of a timeframe among the 1m candles up to `lastClose`, counted the way the
 * engine's CandleAggregator emits them (a bucket with any minute is a candle once it has closed),
 * stopping once `enough` are counted.
 */
function closedBars(candles: ReadonlyArray<Pick<HistoryCandle, 'openTime' | 'closeTime'>>, sizeMs: number, lastClose: number, enough: number): number {
  let count = 0;
  let bucket = Number.NaN;
  for (const c of candles) {
    if (c.closeTime > lastClose) break;
    const b = Math.floor(c.openTime / sizeMs);
    if (b !== bucket) {
      if (!Number.isNaN(bucket)) count += 1; // the previous bucket closed
      if (count >= enough) return count;
      bucket = b;
    }
  }
  if (!Number.isNaN(bucket) && (bucket + 1) * sizeMs <= lastClose) count += 1;
  return count;
}

/**
 * How far a strategy's indicators are through their warm-up: for each, the closed candles of its
 * timeframe the strategy has processed (it replays its symbol's stored market log from the start,
 * so these are the stored candles up to its last processed close) against the bars it needs, and
 * when the last one that gates signals will be ready. `warmup`: the strategy's stored warm-up
 * history (older candles it was fed before the log); those before the log's first candle count too.
 * Null when the config does not compile.
 */
export async function warmupProgress(history: CandleHistory, record: StrategyRecord, state: StrategyState | null, now: number, warmup: WarmupHistoryRecord | null = null): Promise<WarmupProgressDto | null> {
  const setup = buildTradingSetup(record.configYaml, record.configName, { strategyId: record.id });
  if (!setup.ok) return null;
  const report: WarmupReport = setup.strategy.warmup;
  const lastClose = state?.lastCandleCloseTime ?? null;
  const { candles: logged } = lastClose === null ? { candles: [] as HistoryCandle[] } : await history.candles(record.symbol);
  const firstLogged = logged[0]?.openTime ?? Number.POSITIVE_INFINITY;
  const older = warmup === null || warmup.symbol !== record.symbol ? [] : warmup.candles.filter((c) => c.closeTime <= firstLogged);
  const candles = older.length > 0 && older[older.length - 1]!.closeTime === firstLogged ? [...older, ...logged] : logged;
  // before the first candle, progress counts from the current minute
  const from = lastClose ?? Math.floor(now / 60_000) * 60_000;
  let readyAt: number | null = null;
  const indicators = report.indicators.map((e) => {
    const size = timeframeMs(e.timeframe);
    const seen = lastClose === null ? 0 : closedBars(candles, size, lastClose, e.bars);
    const barsReady = Math.min(seen, e.bars);
    const missing = e.bars - barsReady;
    // the bar in progress ends at the next boundary; every further missing bar takes a whole timeframe
    const at = missing === 0 ? from : (Math.floor(from / size) + missing) * size;
    if (e.gatesSignals && missing > 0) readyAt = Math.max(readyAt ?? 0, at);
    return { id: e.id, type: e.type, timeframe: e.timeframe, barsReady, barsNeeded: e.bars, ready: missing === 0, gatesSignals: e.gatesSignals, etaMs: at - from };
  });
  const etaMs = readyAt === null ? 0 : readyAt - from;
  return { ready: readyAt === null, lastCandleCloseTime: lastClose, readyAt, etaMs: Math.max(0, etaMs), totalMinutes: report.totalMinutes, indicators };
}
