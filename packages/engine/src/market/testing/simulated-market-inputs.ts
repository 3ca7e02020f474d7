import { MinuteCandleBuilder } from '../../candles/minute-candle-builder.js';
import { Decimal } from '../../core/decimal.js';
import { SeededRng } from '../../core/rng.js';
import type { CoreInput } from '../../kernel/trading-core.js';
import type { Candle } from '../../model/candle.js';
import { MarketSimulator } from '../market-simulator.js';

/**
 * A seeded market as the paper trader sees it, for tests: the simulator's trades, a two-level book
 * (the simulator's quote plus a deeper level) before about half of them, and each closed 1m candle
 * built from the trades, all in time order over `minutes` minutes.
 */
export function simulatedMarketInputs(minutes: number, seed: number, start = Date.UTC(2025, 0, 6)): CoreInput[] {
  const sim = new MarketSimulator({ seed, startTime: start, tradesPerMinute: 12 });
  const builder = new MinuteCandleBuilder();
  const rng = new SeededRng(seed + 1);
  const out: CoreInput[] = [];
  const d = (x: number) => new Decimal(x.toFixed(8));
  for (let m = 1; m <= minutes; m++) {
    sim.advanceTo(start + m * 60_000, (t) => {
      for (const c of builder.addTrade(t)) out.push(candleInput(c));
      if (rng.next() < 0.5) {
        const q = sim.quote();
        out.push({ kind: 'book', book: { time: t.time, bids: [{ price: d(q.bidPrice), quantity: d(q.bidQty) }, { price: d(q.bidPrice - 1), quantity: d(2) }], asks: [{ price: d(q.askPrice), quantity: d(q.askQty) }, { price: d(q.askPrice + 1), quantity: d(2) }] } });
      }
      out.push({ kind: 'trade', trade: { time: t.time, price: d(t.price), quantity: d(t.quantity) } });
    });
    for (const c of builder.closeUpTo(start + m * 60_000)) out.push(candleInput(c));
  }
  return out;
}

/** The candle alone, as it travels on the bus (the builder's `synthetic` flag is not part of an input). */
function candleInput({ openTime, closeTime, open, high, low, close, volume }: Candle): CoreInput {
  return { kind: 'candle', candle: { openTime, closeTime, open, high, low, close, volume } };
}
