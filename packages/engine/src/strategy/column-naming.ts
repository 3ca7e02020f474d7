/**
 * Column names as the original btc_research Engine produces them (compat §2.0 and §3.2 step 4).
 * Rules name columns by these final names, so they must be reproduced exactly.
 */

/**
 * Id-prefix rule for raw output `raw` of indicator `id` (case-sensitive, plain prefix test):
 * `raw === id` → `id`; `raw` starts with `id + "_"` → `raw` unchanged; otherwise `id_raw`.
 *
 *   prefixColumn('RSI_14', 'RSI_14')           === 'RSI_14'
 *   prefixColumn('RSI', 'RSI_14')              === 'RSI_14'
 *   prefixColumn('RSI_MAIN', 'RSI_14')         === 'RSI_MAIN_RSI_14'
 *   prefixColumn('EMA_20', 'EMA_200')          === 'EMA_20_EMA_200'
 */
export function prefixColumn(id: string, raw: string): string {
  if (raw === id) return id;
  if (raw.startsWith(`${id}_`)) return raw;
  return `${id}_${raw}`;
}

/** The id-prefix rule applied to every raw output of one indicator, in order. */
export function prefixColumns(id: string, rawNames: readonly string[]): string[] {
  return rawNames.map((raw) => prefixColumn(id, raw));
}

/** The five OHLCV columns every timeframe frame has; they are never merged from other timeframes. */
export const OHLCV_COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;

export interface TimeframeColumns {
  readonly timeframe: string;
  /** Final (prefixed) indicator column names of this timeframe, in config order. */
  readonly columns: readonly string[];
}

export interface MergedColumn {
  /** Name a rule uses to read the column. */
  readonly name: string;
  /** Name on its own timeframe (before any `_<tf>` suffix). */
  readonly sourceName: string;
  readonly timeframe: string;
}

/**
 * Names of the merged frame the rules see (compat §3.2 steps 3–4): the entry timeframe's OHLCV
 * and indicator columns keep their names; for every other timeframe, in the order given, each
 * indicator column whose name is already present in the merged frame gets the suffix `_<tf>`
 * (e.g. `RSI_14_1h`). Higher-timeframe OHLCV columns are dropped.
 *
 * The original iterates the timeframes of a set (order not deterministic); pass them in config
 * order (first appearance among the indicators) for a stable result. A suffixed name that
 * collides again is reported in `collisions` (the original's join would fail).
 */
export function mergeTimeframeColumns(
  entryTimeframe: string,
  perTimeframe: readonly TimeframeColumns[],
): { columns: MergedColumn[]; collisions: { name: string; timeframe: string }[] } {
  const columns: MergedColumn[] = [];
  const present = new Set<string>();
  const collisions: { name: string; timeframe: string }[] = [];
  for (const c of OHLCV_COLUMNS) {
    columns.push({ name: c, sourceName: c, timeframe: entryTimeframe });
    present.add(c);
  }
  const entry = perTimeframe.filter((t) => t.timeframe === entryTimeframe);
  const others = perTimeframe.filter((t) => t.timeframe !== entryTimeframe);
  for (const t of entry) {
    for (const c of t.columns) {
      if (present.has(c)) collisions.push({ name: c, timeframe: t.timeframe });
      columns.push({ name: c, sourceName: c, timeframe: t.timeframe });
      present.add(c);
    }
  }
  for (const t of others) {
    // The suffix decision is made against the frame as it was before this timeframe was joined.
    const before = new Set(present);
    for (const c of t.columns) {
      const name = before.has(c) ? higherTimeframeName(c, t.timeframe) : c;
      if (present.has(name)) collisions.push({ name, timeframe: t.timeframe });
      columns.push({ name, sourceName: c, timeframe: t.timeframe });
      present.add(name);
    }
  }
  return { columns, collisions };
}

/** `RSI_14` on `1h` → `RSI_14_1h`: the name of a duplicated higher-timeframe column. */
export function higherTimeframeName(column: string, timeframe: string): string {
  return `${column}_${timeframe}`;
}
