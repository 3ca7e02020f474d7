import type { Venue } from '@btc-research/contracts';

export type BinanceVenue = 'binance' | 'binanceus';

/** Public endpoints per venue (Binance.US speaks the same protocol on its own hosts). */
export const BINANCE_ENDPOINTS: Record<BinanceVenue, { wsUrl: string; restUrl: string; venue: Venue }> = {
  binance: { wsUrl: 'wss://stream.binance.com:9443', restUrl: 'https://api.binance.com', venue: 'BINANCE' },
  binanceus: { wsUrl: 'wss://stream.binance.us:9443', restUrl: 'https://api.binance.us', venue: 'BINANCEUS' },
};

/** The combined-stream URL for the symbols: trade (or aggTrade), bookTicker, depth@100ms, kline_1m. */
export function combinedStreamUrl(wsUrl: string, symbols: readonly string[], tradeStream: 'trade' | 'aggTrade' = 'trade'): string {
  const streams = symbols.flatMap((s) => {
    const l = s.toLowerCase();
    return [`${l}@${tradeStream}`, `${l}@bookTicker`, `${l}@depth@100ms`, `${l}@kline_1m`];
  });
  return `${wsUrl.replace(/\/+$/, '')}/stream?streams=${streams.join('/')}`;
}
