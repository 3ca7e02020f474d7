import type { MarketEventRecord, StrategyStore } from '@btc-research/platform';

/** How many market-log inputs one read returns. */
export const LOG_PAGE_SIZE = 5_000;
/** Inputs kept in memory per symbol (trimmed to this once it holds twice as many). */
const KEPT_INPUTS = 5_000;

/** A point of a symbol's market log: its seq and market time. */
export interface LogPosition {
  seq: number;
  time: number;
}

export interface MarketLogTailOptions {
  store: StrategyStore;
  /** true while this worker writes the log; what it remembers is current only then */
  isIngesting: () => boolean;
}

/**
 * What this worker knows of each symbol's market log: the inputs it appended itself recently
 * (contiguous seqs), so owners on the ingesting worker follow the log from memory instead of reading
 * back what they just wrote, and the furthest point of the log it has seen.
 */
export class MarketLogTail {
  private readonly recent = new Map<string, MarketEventRecord[]>();
  private readonly furthest = new Map<string, LogPosition>();

  constructor(private readonly options: MarketLogTailOptions) {}

  /** Remembers inputs this worker appended, in log order. */
  remember(symbol: string, added: readonly MarketEventRecord[]): void {
    let kept = this.recent.get(symbol) ?? [];
    const last = kept[kept.length - 1];
    if (last && added[0] && added[0].seq !== last.seq + 1) kept = []; // a gap: start over
    for (const e of added) kept.push(e);
    if (kept.length > 2 * KEPT_INPUTS) kept = kept.slice(kept.length - KEPT_INPUTS); // amortised trimming
    this.recent.set(symbol, kept);
    for (const e of added) this.note(symbol, e);
  }

  /** Notes that the log reaches at least `e`. */
  note(symbol: string, e: LogPosition): void {
    const known = this.furthest.get(symbol);
    if (!known || e.seq > known.seq) this.furthest.set(symbol, { seq: e.seq, time: e.time });
  }

  /** The furthest point of the log seen, if any. */
  knownEnd(symbol: string): LogPosition | undefined {
    return this.furthest.get(symbol);
  }

  /** The next page of inputs after `seq`: from memory when it covers them, otherwise from the store. */
  async pageAfter(symbol: string, seq: number): Promise<MarketEventRecord[]> {
    return this.fromMemory(symbol, seq) ?? (await this.options.store.listMarketEvents(symbol, seq, LOG_PAGE_SIZE));
  }

  /** Reads the log to its end (to start a strategy "from now") and returns that end. */
  async catchUp(symbol: string): Promise<LogPosition> {
    for (;;) {
      const page = await this.options.store.listMarketEvents(symbol, this.furthest.get(symbol)?.seq ?? 0, LOG_PAGE_SIZE);
      if (page.length === 0) return this.furthest.get(symbol) ?? { seq: 0, time: 0 };
      this.note(symbol, page[page.length - 1]!);
    }
  }

  /** Inputs after `seq` from memory, or null when memory does not cover them. */
  private fromMemory(symbol: string, seq: number): MarketEventRecord[] | null {
    const kept = this.recent.get(symbol);
    if (!kept || kept.length === 0 || !this.options.isIngesting()) return null;
    const first = kept[0]!.seq;
    const last = kept[kept.length - 1]!.seq;
    if (seq + 1 < first) return null;
    if (seq >= last) return (this.furthest.get(symbol)?.seq ?? 0) > seq ? null : [];
    return kept.slice(seq + 1 - first, seq + 1 - first + LOG_PAGE_SIZE);
  }
}
