import { MarketSimulator, MinuteCandleBuilder, type Candle } from '@btc-research/engine';

/** `count` closed 1m candles from the project's seeded simulator (no third-party data needed). */
export function simulatedCandles(count: number, seed: number, startTime = Date.UTC(2025, 0, 6)): Candle[] {
  const sim = new MarketSimulator({ seed, startTime });
  const builder = new MinuteCandleBuilder();
  const out: Candle[] = [];
  let t = startTime;
  while (out.length < count) {
    t += 60_000;
    sim.advanceTo(t, (trade) => {
      for (const c of builder.addTrade(trade)) out.push(c);
    });
    for (const c of builder.closeUpTo(t)) out.push(c);
  }
  return out.slice(0, count).map(({ openTime, closeTime, open, high, low, close, volume }) => ({ openTime, closeTime, open, high, low, close, volume: Number(volume.toFixed(5)) }));
}

/** The candles as a 12-column Binance kline CSV (the format of data.binance.vision and `btc-research download`). */
export function toBinanceKlineCsv(candles: readonly Candle[]): string {
  return candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume, c.closeTime - 1, 0, 0, 0, 0, 0].join(',')).join('\n') + '\n';
}
