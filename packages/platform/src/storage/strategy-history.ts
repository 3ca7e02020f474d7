import { ConflictError, NotFoundError } from '../errors.js';
import type { MarketEventRecord, StrategyEventRecord, StrategyRecord, StrategyState, StrategyStore, TradeRecord } from './strategy-store.js';
import { warmupEntries } from './warmup-entries.js';

/** Everything stored about a strategy's current run that a replay or a reconciliation needs, in time order. */
export interface StrategyHistory {
  record: StrategyRecord;
  /** candles closing before this only warmed it up */
  tradingStartTime: number;
  /** which run (1, 2, … after restarts), its order/trade id prefix and the event seq it started after */
  run: number;
  idPrefix: string;
  eventBase: number;
  /** execution settings the paper trader ran it with beyond its config (e.g. its maker rate); null: the defaults */
  execution: { makerCommission?: string } | null;
  /** the symbol's market log from its beginning to the last input the strategy processed */
  log: MarketEventRecord[];
  /** its warm-up history's candles fed before the log (seqs −n … −1; see warmupEntries), empty when none */
  warmup: MarketEventRecord[];
  /** this run's fills, oldest first */
  fills: TradeRecord[];
  /** this run's event log, in seq order */
  events: StrategyEventRecord[];
  /** market-log seqs after which a person force-exited the position (the paper trader replays them there) */
  forcedExitsAfter: number[];
  /** the account after the last input processed; null when nothing was processed yet */
  state: StrategyState | null;
}

const PAGE = 5_000;

/**
 * Reads a strategy's run from the store for a replay of it (running or stopped). Fails with a
 * NotFoundError for an unknown strategy and a ConflictError when the beginning of the market log
 * it ran on was pruned (the run cannot be replayed then).
 */
export async function loadStrategyHistory(store: StrategyStore, id: string): Promise<StrategyHistory> {
  const record = await store.getStrategy(id);
  if (record === null) throw new NotFoundError(`strategy "${id}" does not exist`, { details: { strategyId: id } });
  const state = await store.loadState(id);
  const core = (state?.core ?? {}) as { tradingStartTime?: number; run?: number; eventBase?: number; marketSeq?: number; execution?: { makerCommission?: string } | null; forcedExitsAfter?: unknown };
  const run = core.run ?? 1;
  const idPrefix = run > 1 ? `${id}-r${run}` : id;
  const eventBase = core.eventBase ?? 0;
  const lastSeq = core.marketSeq ?? 0;

  const log: MarketEventRecord[] = [];
  for (let after = 0; after < lastSeq; ) {
    const page = await store.listMarketEvents(record.symbol, after, PAGE);
    if (page.length === 0) break;
    if (after === 0 && page[0]!.seq > 1) {
      throw new ConflictError(`the market log of ${record.symbol} before seq ${page[0]!.seq} was pruned (retention): strategy "${id}" cannot be replayed from its start`, { details: { strategyId: id, firstSeq: page[0]!.seq } });
    }
    for (const e of page) if (e.seq <= lastSeq) log.push(e);
    after = page[page.length - 1]!.seq;
  }

  const fills: TradeRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listTrades(id, { limit: 1_000, ...(cursor !== undefined ? { cursor } : {}) });
    for (const t of page.items) if (t.tradeId.startsWith(`${idPrefix}-t`)) fills.push(t);
    if (page.nextCursor === null || page.items.length === 0) break;
    cursor = page.nextCursor;
  }
  fills.sort((a, b) => a.time - b.time || tradeNumber(a.tradeId) - tradeNumber(b.tradeId));

  const events: StrategyEventRecord[] = [];
  for (let after = eventBase; ; ) {
    const page = await store.listEvents(id, after, PAGE);
    if (page.length === 0) break;
    events.push(...page);
    after = page[page.length - 1]!.seq;
  }
  const firstCandle = log.find((e) => e.kind === 'candle');
  const tradingStartTime = core.tradingStartTime ?? record.createdAt;
  const stored = warmupEntries(await store.loadWarmupHistory(id), record.symbol, firstCandle ? (firstCandle.data as { openTime: number }).openTime : null);
  // as the paper trader feeds them: only when all close before trading starts
  const warmup = stored.length > 0 && stored[stored.length - 1]!.time < tradingStartTime ? stored : [];
  const forcedExitsAfter = Array.isArray(core.forcedExitsAfter) ? core.forcedExitsAfter.filter((n): n is number => Number.isSafeInteger(n)) : [];
  return { record, tradingStartTime, run, idPrefix, eventBase, execution: core.execution ?? null, forcedExitsAfter, log, warmup, fills, events, state };
}

/** The sequence number at the end of a trade id ("<prefix>-t12" → 12). */
function tradeNumber(tradeId: string): number {
  const m = /-t(\d+)$/.exec(tradeId);
  return m ? Number(m[1]) : 0;
}
