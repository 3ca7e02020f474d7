import { isMessage, MessageType, Streams, type CandleValues } from '@btc-research/contracts';
import { canonicalDecimal, MarketSimulator, MinuteCandleBuilder } from '@btc-research/engine';
import type { MessageBus } from '@btc-research/platform';

const MINUTE = 60_000;
const PAGE = 1_000;

export interface SimulatedHistoryRequest {
  bus: MessageBus;
  symbol: string;
  /** the symbol's simulator seed (the same market on every start) */
  seed: number;
  /** wall clock: the history ends at the last candle published, or at this minute when none was */
  now: number;
  minutes: number;
}

/**
 * The simulator's older candles for a symbol it already serves: the candles it published on the
 * bus (what the market log holds), and before the first of them candles generated from the
 * symbol's seed, scaled so they end at that first candle's open (no jump where they meet).
 * The last `minutes` minutes up to the last candle published; oldest first, contiguous.
 */
export async function simulatedHistory(r: SimulatedHistoryRequest): Promise<CandleValues[]> {
  const all = await publishedCandles(r.bus, r.symbol);
  const to = all[all.length - 1]?.closeTime ?? Math.floor(r.now / MINUTE) * MINUTE;
  const from = to - r.minutes * MINUTE;
  const published = all.filter((c) => c.openTime >= from);
  const firstPublished = published[0];
  const generatedTo = firstPublished?.openTime ?? to;
  const anchor = firstPublished === undefined ? null : Number(firstPublished.open);
  return [...generatedCandles(r.seed, from, generatedTo, anchor), ...published];
}

/** The bus's closed candles of a symbol, oldest first, one per minute, only its contiguous end. */
async function publishedCandles(bus: MessageBus, symbol: string): Promise<CandleValues[]> {
  const byOpen = new Map<number, CandleValues>();
  for (let after = '0'; ; ) {
    const page = await bus.read(Streams.candles(symbol), after, PAGE);
    for (const e of page) {
      if (!isMessage(e.envelope, MessageType.candleClosed) || e.envelope.payload.provisional) continue;
      const p = e.envelope.payload;
      byOpen.set(p.openTime, { openTime: p.openTime, closeTime: p.closeTime, open: p.open, high: p.high, low: p.low, close: p.close, volume: p.volume });
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  const sorted = [...byOpen.values()].sort((a, b) => a.openTime - b.openTime);
  let start = sorted.length - 1;
  while (start > 0 && sorted[start - 1]!.closeTime === sorted[start]!.openTime) start -= 1;
  return sorted.slice(Math.max(0, start));
}

/** Minutes [from, to) of a simulated market seeded for this span; prices scaled to end at `anchor` when given. */
function generatedCandles(symbolSeed: number, from: number, to: number, anchor: number | null): CandleValues[] {
  if (to <= from) return [];
  const sim = new MarketSimulator({ seed: symbolSeed + Math.floor(from / MINUTE), startTime: from });
  const builder = new MinuteCandleBuilder();
  const built = [];
  sim.advanceTo(to, (t) => built.push(...builder.addTrade(t)));
  built.push(...builder.closeUpTo(to));
  const candles = built.filter((c) => c.openTime >= from && c.openTime < to);
  const last = candles[candles.length - 1];
  const scale = anchor === null || last === undefined || last.close === 0 ? 1 : anchor / last.close;
  const price = (x: number): string => canonicalDecimal((x * scale).toFixed(2));
  return candles.map((c) => ({ openTime: c.openTime, closeTime: c.closeTime, open: price(c.open), high: price(c.high), low: price(c.low), close: price(c.close), volume: canonicalDecimal(c.volume.toFixed(8)) }));
}
