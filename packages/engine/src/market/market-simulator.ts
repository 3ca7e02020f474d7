import { SeededRng } from '../core/rng.js';

export interface SimulatedTrade {
  id: number;
  price: number;
  quantity: number;
  time: number;
  isBuyerMaker: boolean;
}

export interface SimulatedQuote {
  bidPrice: number;
  bidQty: number;
  askPrice: number;
  askQty: number;
  time: number;
}

export interface MarketSimulatorOptions {
  seed: number;
  startTime: number;
  startPrice?: number;
  /** mean number of trades per minute */
  tradesPerMinute?: number;
  /** long-run volatility per minute (fraction), BTC is about 0.0006 */
  volatilityPerMinute?: number;
  tickSize?: number;
}

export interface MarketSimulatorState {
  rng: number;
  time: number;
  price: number;
  variance: number;
  nextTradeId: number;
  anchor: number;
  options: Required<MarketSimulatorOptions>;
}

/**
 * A seeded BTCUSDT-like market: trades arrive as a Poisson process; log returns follow a GARCH(1,1)
 * variance (volatility clusters), with rare jumps and a weak pull toward a slowly drifting anchor so
 * prices stay plausible over long runs. Prices are on the tick grid; the quote is one or a few ticks
 * wide and widens with volatility. Same seed and start → same market, so tests and demos repeat.
 */
export class MarketSimulator {
  private readonly rng: SeededRng;
  private readonly opts: Required<MarketSimulatorOptions>;
  private time: number;
  private price: number;
  private variance: number;
  private nextTradeId: number;
  private anchor: number;

  constructor(options: MarketSimulatorOptions, state?: MarketSimulatorState) {
    this.opts = {
      startPrice: 65_000,
      tradesPerMinute: 120,
      volatilityPerMinute: 0.0006,
      tickSize: 0.01,
      ...options,
    };
    this.rng = new SeededRng(options.seed);
    this.time = options.startTime;
    this.price = this.opts.startPrice;
    this.variance = this.baseVariance();
    this.nextTradeId = 1;
    this.anchor = this.opts.startPrice;
    if (state) {
      this.rng.setState(state.rng);
      this.time = state.time;
      this.price = state.price;
      this.variance = state.variance;
      this.nextTradeId = state.nextTradeId;
      this.anchor = state.anchor;
    }
  }

  static restore(state: MarketSimulatorState): MarketSimulator {
    return new MarketSimulator(state.options, state);
  }

  get currentTime(): number {
    return this.time;
  }

  get lastPrice(): number {
    return this.price;
  }

  /** Generates every trade with time < `until` and advances the clock to `until`. */
  advanceTo(until: number, onTrade: (trade: SimulatedTrade) => void): void {
    const meanGapMs = 60_000 / this.opts.tradesPerMinute;
    for (;;) {
      const gap = Math.max(1, Math.round(-Math.log(1 - this.rng.next()) * meanGapMs));
      if (this.time + gap >= until) {
        // The pending arrival is beyond the horizon; memorylessness lets us drop it.
        this.time = until;
        return;
      }
      this.time += gap;
      onTrade(this.step());
    }
  }

  quote(): SimulatedQuote {
    const tick = this.opts.tickSize;
    const volRatio = Math.sqrt(this.variance / this.baseVariance());
    const widthTicks = Math.max(1, Math.round(volRatio * 1.5 * this.rng.next() + 0.5));
    const bid = Math.floor(this.price / tick) * tick;
    return {
      bidPrice: round(bid, tick),
      bidQty: round(0.05 + this.rng.next() * 3, 0.00001),
      askPrice: round(bid + widthTicks * tick, tick),
      askQty: round(0.05 + this.rng.next() * 3, 0.00001),
      time: this.time,
    };
  }

  getState(): MarketSimulatorState {
    return { rng: this.rng.getState(), time: this.time, price: this.price, variance: this.variance, nextTradeId: this.nextTradeId, anchor: this.anchor, options: this.opts };
  }

  private baseVariance(): number {
    const perTrade = this.opts.volatilityPerMinute / Math.sqrt(this.opts.tradesPerMinute);
    return perTrade * perTrade;
  }

  private step(): SimulatedTrade {
    const omega = this.baseVariance() * 0.004;
    const alpha = 0.04;
    const beta = 0.95;
    const shock = this.rng.normal() * Math.sqrt(this.variance);
    const jump = this.rng.next() < 0.00002 ? this.rng.normal() * 0.003 : 0;
    const meanReversion = -0.00002 * Math.log(this.price / this.anchor);
    const logReturn = shock + jump + meanReversion;
    this.variance = omega + alpha * logReturn * logReturn + beta * this.variance;
    this.anchor *= Math.exp(this.rng.normal() * 0.00001);
    const tick = this.opts.tickSize;
    this.price = Math.max(tick, round(this.price * Math.exp(logReturn), tick));
    const size = Math.exp(this.rng.normal() * 1.2 - 3.5); // log-normal, median ≈ 0.03 BTC
    return { id: this.nextTradeId++, price: this.price, quantity: Math.max(0.00001, round(size, 0.00001)), time: this.time, isBuyerMaker: logReturn < 0 || (logReturn === 0 && this.rng.next() < 0.5) };
  }
}

function round(value: number, increment: number): number {
  const decimals = Math.max(0, Math.round(-Math.log10(increment)));
  return Number((Math.round(value / increment) * increment).toFixed(decimals));
}
