/**
 * What an indicator output measures, which decides how a chart can draw it:
 *   - `price`: in the instrument's price units (EMA, Bollinger bands, a gap's edge): drawn over the candles;
 *   - `bounded`: an oscillator with a fixed range (RSI 0–100, Williams %R −100–0, a 0–1 ratio);
 *   - `unbounded`: a number on its own scale (MACD, ATR, OBV, a volume, a distance in price);
 *   - `count`: a count or an index (active gaps, a bin index), meaningless on a price axis;
 *   - `boolean`: a flag (a signal, "overbought");
 *   - `label`: a text value (EMA trend "up"/"down"), not drawable as a line.
 */
export type IndicatorOutputKind = 'price' | 'bounded' | 'unbounded' | 'count' | 'boolean' | 'label';

export const INDICATOR_OUTPUT_KINDS: readonly IndicatorOutputKind[] = ['price', 'bounded', 'unbounded', 'count', 'boolean', 'label'];

/**
 * A kind lookup from a table of raw output names (or their suffixes after the indicator's own
 * prefix, e.g. "_overbought"), with a fallback for the names the table does not list.
 */
export function kindsByName(
  table: Readonly<Record<string, IndicatorOutputKind>>,
  fallback: IndicatorOutputKind,
): (rawOutput: string) => IndicatorOutputKind {
  const suffixes = Object.entries(table).filter(([name]) => name.startsWith('_'));
  return (rawOutput) => {
    const exact = table[rawOutput];
    if (exact !== undefined) return exact;
    for (const [suffix, kind] of suffixes) if (rawOutput.endsWith(suffix)) return kind;
    return fallback;
  };
}
