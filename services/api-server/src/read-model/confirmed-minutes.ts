import { MessageType, isMessage, type MarketCandleClosedV1 } from '@btc-research/contracts';
import type { BusEntry } from '@btc-research/platform';

/** A 1m candle as the API shows it: the closed candle, with the confirmed values once a correction came. */
type ShownMinute = MarketCandleClosedV1 & { corrected?: true };

/**
 * The 1m candles of a stream in time order: a `market.candle.corrected` replaces the provisional
 * candle of its minute (and marks it corrected), so a provisional candle is shown as such until then.
 */
export function confirmedMinutes(entries: ReadonlyArray<Pick<BusEntry, 'envelope'>>): ShownMinute[] {
  const byOpen = new Map<number, ShownMinute>();
  for (const e of entries) {
    if (isMessage(e.envelope, MessageType.candleClosed)) {
      if (!byOpen.get(e.envelope.payload.openTime)?.corrected) byOpen.set(e.envelope.payload.openTime, e.envelope.payload);
    } else if (isMessage(e.envelope, MessageType.candleCorrected)) {
      const { changed: _changed, confirmedBy: _by, ...values } = e.envelope.payload;
      byOpen.set(values.openTime, { ...values, synthetic: false, provisional: false, corrected: true });
    }
  }
  return [...byOpen.values()].sort((a, b) => a.openTime - b.openTime);
}
