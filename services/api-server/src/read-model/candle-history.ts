import { CandleValues, StreamReadBack, Streams } from '@btc-research/contracts';
import type { MessageBus, StrategyStore } from '@btc-research/platform';
import { confirmedMinutes } from './confirmed-minutes.js';

/**
 * A closed 1m candle of the stored history (decimal strings, as on the wire); one on the bus that the
 * exchange has not confirmed yet is marked provisional (strategies do not see it), one whose
 * correction replaced a provisional candle corrected, so charts show both plainly.
 */
export type HistoryCandle = CandleValues & { provisional?: true; corrected?: true };

/** market-log inputs read per store call while catching up */
const LOG_PAGE = 5_000;
/** closed 1m candles read from the bus the first time a symbol is asked for: the ones the log may not hold yet */
const BUS_FIRST_READ = StreamReadBack.candles;
/** … and on later refreshes (what arrived since) */
const BUS_REFRESH_READ = 500;

export interface CandleHistoryOptions {
  store: StrategyStore;
  bus: MessageBus;
  now: () => number;
  /** a symbol's history is caught up with the log at most this often (default 1 s) */
  refreshMs?: number;
  /** the most 1m candles kept per symbol, oldest forgotten first (default 200,000 ≈ 139 days, some 60 MB) */
  maxCandles?: number;
}

interface SymbolHistory {
  byOpen: Map<number, HistoryCandle>;
  sorted: HistoryCandle[];
  /** the last market-log seq read */
  afterSeq: number;
  busRead: boolean;
  refreshedAt: number;
  refreshing: Promise<void> | null;
  /** bumps whenever the candles change (a cache key for what is computed from them) */
  version: number;
}

/**
 * A symbol's closed 1m candles over everything stored: the per-symbol market log the paper-trader
 * keeps (it survives restarts; retention may have cut its oldest part) merged with the candles on
 * the bus. Read once from the start of the log, then followed from where the last read ended, so a
 * chart can page through a strategy's whole life without rereading the log.
 */
export class CandleHistory {
  private readonly symbols = new Map<string, SymbolHistory>();
  private readonly refreshMs: number;
  private readonly maxCandles: number;

  constructor(private readonly options: CandleHistoryOptions) {
    this.refreshMs = options.refreshMs ?? 1_000;
    this.maxCandles = options.maxCandles ?? 200_000;
  }

  /** The symbol's closed 1m candles, oldest first, and a version that changes with them. */
  async candles(symbol: string): Promise<{ candles: readonly HistoryCandle[]; version: number }> {
    let h = this.symbols.get(symbol);
    if (!h) {
      h = { byOpen: new Map(), sorted: [], afterSeq: 0, busRead: false, refreshedAt: Number.NEGATIVE_INFINITY, refreshing: null, version: 0 };
      this.symbols.set(symbol, h);
    }
    if (this.options.now() - h.refreshedAt >= this.refreshMs) {
      const state = h;
      h.refreshing ??= this.refresh(symbol, state).finally(() => {
        state.refreshing = null;
      });
      await h.refreshing;
    }
    return { candles: h.sorted, version: h.version };
  }

  private async refresh(symbol: string, h: SymbolHistory): Promise<void> {
    const added: HistoryCandle[] = [];
    for (;;) {
      const page = await this.options.store.listMarketEvents(symbol, h.afterSeq, LOG_PAGE);
      for (const e of page) {
        h.afterSeq = Math.max(h.afterSeq, e.seq);
        if (e.kind !== 'candle') continue;
        const parsed = CandleValues.safeParse(e.data);
        if (parsed.success) added.push(parsed.data);
      }
      if (page.length < LOG_PAGE) break;
    }
    const entries = await this.options.bus.readLatest(Streams.candles(symbol), h.busRead ? BUS_REFRESH_READ : BUS_FIRST_READ);
    h.busRead = true;
    // a correction on the bus replaces the provisional candle of its minute
    for (const { openTime, closeTime, open, high, low, close, volume, provisional, corrected } of confirmedMinutes(entries)) {
      added.push({ openTime, closeTime, open, high, low, close, volume, ...(provisional ? { provisional: true as const } : {}), ...(corrected ? { corrected: true as const } : {}) });
    }
    let changed = false;
    for (const c of added) {
      const known = h.byOpen.get(c.openTime);
      if (known && known.close === c.close && known.high === c.high && known.low === c.low && known.volume === c.volume && known.provisional === c.provisional) continue;
      h.byOpen.set(c.openTime, c);
      changed = true;
    }
    if (changed) {
      h.sorted = [...h.byOpen.values()].sort((a, b) => a.openTime - b.openTime);
      if (h.sorted.length > this.maxCandles) {
        for (const c of h.sorted.slice(0, h.sorted.length - this.maxCandles)) h.byOpen.delete(c.openTime);
        h.sorted = h.sorted.slice(-this.maxCandles);
      }
      h.version += 1;
    }
    h.refreshedAt = this.options.now();
  }
}
