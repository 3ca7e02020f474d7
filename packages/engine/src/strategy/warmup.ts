import { timeframeMs, type Timeframe } from '../candles/timeframe.js';
import type { Indicator } from '../indicators/indicator.js';
import type { IndicatorSlot } from './indicator-slot.js';

export interface WarmupEntry {
  id: string;
  type: string;
  timeframe: Timeframe;
  /** candles of its own timeframe before every output is defined */
  bars: number;
  /**
   * 1m candles of history that guarantee `bars` whole candles of its timeframe: (bars + 1) × the
   * timeframe in minutes (the history may start in the middle of a candle).
   */
  minutes: number;
  /** a rule reads one of its columns */
  readByRules: boolean;
  /** no signal before it is ready: read by a rule, or an earlier indicator on the same timeframe that such a composite reads */
  gatesSignals: boolean;
}

export interface WarmupReport {
  entryTimeframe: Timeframe;
  indicators: WarmupEntry[];
  /** the largest lag `x[k]` in the rules, in entry bars */
  lagBars: number;
  /** 1m candles needed before the first signal: max over gating indicators + lag × entry timeframe */
  totalMinutes: number;
  /** the same in entry-timeframe bars (rounded up) */
  totalEntryBars: number;
  /** id of the gating indicator that needs the longest history (null when none gates) */
  limitedBy: string | null;
  /**
   * compat: legacy: the strategy decides from the first entry bar, reading values still in warm-up
   * as null (the original's per-bar routine ran on every bar); the totals above then only say when
   * every indicator is ready, not when signals start.
   */
  decidesDuringWarmup: boolean;
}

export function warmupReportOf(slots: readonly IndicatorSlot[], gating: ReadonlySet<Indicator>, entryTimeframe: Timeframe, lagBars: number, decidesDuringWarmup = false): WarmupReport {
  const entryMinutes = timeframeMs(entryTimeframe) / 60_000;
  const indicators: WarmupEntry[] = slots.map((s) => {
    const tfMinutes = timeframeMs(s.timeframe) / 60_000;
    const bars = s.indicator.warmupBars;
    return { id: s.id, type: s.type, timeframe: s.timeframe, bars, minutes: (bars + 1) * tfMinutes, readByRules: s.read, gatesSignals: gating.has(s.indicator) };
  });
  let max = 0;
  let limitedBy: string | null = null;
  for (const e of indicators) {
    if (e.gatesSignals && e.minutes > max) {
      max = e.minutes;
      limitedBy = e.id;
    }
  }
  const totalMinutes = max + lagBars * entryMinutes;
  return { entryTimeframe, indicators, lagBars, totalMinutes, totalEntryBars: Math.ceil(totalMinutes / entryMinutes), limitedBy, decidesDuringWarmup };
}

/** One line per indicator plus the total, for `validate` and `backtest` output. */
export function formatWarmup(w: WarmupReport): string[] {
  const until = w.decidesDuringWarmup ? 'until every indicator the rules read is ready (compat: legacy decides from the first bar, reading values still warming up as null)' : 'before the first signal';
  const lines = [`warm-up: ${w.totalMinutes} × 1m candles (${w.totalEntryBars} × ${w.entryTimeframe} bars) ${until}${w.limitedBy ? `, limited by ${w.limitedBy}` : ''}`];
  for (const e of w.indicators) {
    const role = e.readByRules ? 'read by rules' : e.gatesSignals ? 'input of a composite the rules read' : 'not read by any rule (does not delay signals)';
    lines.push(`  ${e.id.padEnd(22)} ${e.type.padEnd(14)} ${e.timeframe.padEnd(4)} ${String(e.bars).padStart(5)} bars = ${String(e.minutes).padStart(7)} min  ${role}`);
  }
  if (w.lagBars > 0) lines.push(`  lag x[k]: up to ${w.lagBars} ${w.entryTimeframe} bars = ${w.lagBars * (timeframeMs(w.entryTimeframe) / 60_000)} min`);
  return lines;
}
