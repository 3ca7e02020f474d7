import { MessageType, StreamRetention, Streams, makeEnvelope, type MarketCandleClosedV1 } from '@btc-research/contracts';
import type { Candle } from '@btc-research/engine';
import type { MessageBus } from '@btc-research/platform';

/** A closed 1m candle of `symbol` as the stream-manager publishes it (replayed, not synthetic unless `extra` says so). */
export function candleEnvelope(symbol: string, c: Candle, extra: Partial<MarketCandleClosedV1> = {}) {
  return makeEnvelope({
    type: MessageType.candleClosed,
    id: `c-${symbol}-${c.openTime}`,
    source: 'test',
    tsEvent: c.closeTime,
    tsInit: c.closeTime,
    payload: { venue: 'SIMULATED', symbol, timeframe: '1m', openTime: c.openTime, closeTime: c.closeTime, open: String(c.open), high: String(c.high), low: String(c.low), close: String(c.close), volume: String(c.volume), synthetic: false, origin: 'replay', ...extra },
  });
}

/** Publishes the candles on the symbol's candle stream one at a time, in order. */
export async function publishCandles(bus: MessageBus, symbol: string, candles: readonly Candle[]): Promise<void> {
  for (const c of candles) await bus.publish(Streams.candles(symbol), candleEnvelope(symbol, c), StreamRetention.candles);
}
