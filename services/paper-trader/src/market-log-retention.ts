import type { MarketEventRecord, StrategyRecord, StrategyStore } from '@btc-research/platform';

/** True when a stored snapshot holds a state image a strategy can restart from. */
export function hasStateImage(state: unknown): boolean {
  return state !== null && typeof state === 'object' && 'image' in state && (state as { image: unknown }).image !== undefined;
}

/**
 * Deletes the oldest part of a symbol's market log: inputs older than `retentionMs` behind the log's
 * last input (market time, so replays of old data behave like live runs), once the oldest is more
 * than a tenth of the window past due, but never one a live
 * strategy may still need. A strategy restarts from its latest snapshot's image and replays the log
 * after it, so the cut stays at or before the oldest such snapshot; while any live strategy has no
 * snapshot with an image (it is starting, or would need the whole log), nothing is deleted.
 * Returns how many inputs were deleted.
 */
export async function pruneMarketLog(store: StrategyStore, symbol: string, retentionMs: number, live: readonly StrategyRecord[]): Promise<number> {
  const last = (await store.lastMarketEvents(symbol, 1))[0];
  const first = (await store.listMarketEvents(symbol, 0, 1))[0];
  if (!last || !first || retentionMs <= 0) return 0;
  const cutoffTime = last.time - retentionMs;
  // wait until a tenth of the window is due, then delete it in one go: pruning a minute at a time
  // would rewrite a JSON log file every minute
  if (first.time >= cutoffTime - retentionMs / 10) return 0;
  let limit = last.seq - 1;
  for (const r of live) {
    const snap = await store.loadSnapshot(r.id);
    if (snap.status !== 'ok' || !hasStateImage(snap.snapshot.state)) return 0;
    limit = Math.min(limit, snap.snapshot.marketSeq);
  }
  // the newest input before the cutoff, by binary search over seq (times rise with seq)
  const timeAt = async (seq: number): Promise<number> => ((await store.listMarketEvents(symbol, seq - 1, 1)) as MarketEventRecord[])[0]?.time ?? Number.POSITIVE_INFINITY;
  let lo = first.seq;
  let hi = Math.min(limit, last.seq - 1);
  if (hi < lo) return 0;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((await timeAt(mid)) < cutoffTime) lo = mid;
    else hi = mid - 1;
  }
  return store.pruneMarketEvents(symbol, lo);
}
