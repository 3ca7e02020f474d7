import type { StrategyStore, TradeRecord } from '@btc-research/platform';

/** trades read per store call */
const PAGE = 1_000;

/** Every trade in [from, to), newest first, following the store's cursor. */
export async function* allTrades(store: StrategyStore, id: string, range: { from?: number; to?: number }): AsyncGenerator<TradeRecord> {
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listTrades(id, { limit: PAGE, ...(cursor !== undefined ? { cursor } : {}), ...range });
    for (const t of page.items) yield t;
    if (page.nextCursor === null || page.items.length === 0) return;
    cursor = page.nextCursor;
  }
}
