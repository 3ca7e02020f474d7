import { MinuteCandleBuilder } from '../candles/minute-candle-builder.js';
import type { Candle } from '../model/candle.js';
import { MarketSimulator } from './market-simulator.js';

/**
 * `count` closed 1m candles built from the seeded simulator's trades, volumes rounded to 5 decimals
 * as exchange data is: the project's own market data for tests, benches and demos.
 */
export function simulatedMinuteCandles(count: number, seed: number, startTime = Date.UTC(2025, 0, 6)): Candle[] {
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
