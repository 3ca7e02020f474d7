import type { RestKline } from '@btc-research/binance';
import type { DepthSnapshot } from '@btc-research/engine';
import type { Logger } from '@btc-research/platform';

/** Where a feed gets what the stream cannot give: depth snapshots and candles for gaps. */
export interface MarketRestProvider {
  depth(symbol: string, limit?: number): Promise<DepthSnapshot>;
  klines(symbol: string, startTime: number, endTime: number, limit?: number): Promise<RestKline[]>;
}

const MINUTE_MS = 60_000;
/** Binance's most klines per request: a request never asks for more minutes, so its answer is complete */
export const MAX_KLINES_PER_REQUEST = 1000;

export interface RestConfirmerOptions {
  symbol: string;
  rest: MarketRestProvider;
  logger: Logger;
  /** the feed's market clock */
  clock: () => number;
  /** market time between REST attempts after one failed (ms) */
  retryMs: number;
  /**
   * The exchange answered for minutes [from, to): a row for each minute it has, none for a minute
   * it has no candle for (a halt). Called outside the feed's candle work, which it then schedules.
   */
  onAnswer: (from: number, to: number, rows: ReadonlyMap<number, RestKline>) => void;
  onFailure: (err: Error) => void;
}

/**
 * REST /api/v3/klines for the minutes only the exchange can confirm, asked in the background: the
 * client's retries and backoff (429 Retry-After, 5xx) run while the feed keeps publishing, so a slow
 * or failing call never holds up the provisional bound or the candles after it. One request at a
 * time (the exchange counts weight per IP); after a failure REST is not asked again for `retryMs`
 * of market time.
 */
export class RestConfirmer {
  private inFlight: { from: number; to: number; startedAt: number; done: Promise<void> } | null = null;
  private retryAtValue = Number.NEGATIVE_INFINITY;
  /** the last request failed (until one succeeds) */
  failing = false;

  constructor(private readonly o: RestConfirmerOptions) {}

  /** market time before which REST is not asked again after it failed */
  get retryAt(): number {
    return this.retryAtValue;
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** market time the request now covering `minute` was started; -∞ when none is in flight for it */
  askedAt(minute: number): number {
    const f = this.inFlight;
    return f !== null && minute >= f.from && minute < f.to ? f.startedAt : Number.NEGATIVE_INFINITY;
  }

  /** Asks for the minutes [from, to) (at most MAX_KLINES_PER_REQUEST) unless a request is in flight or REST failed too recently. */
  ask(from: number, to: number): void {
    if (this.inFlight !== null || this.o.clock() < this.retryAtValue) return;
    const end = Math.min(to, from + MAX_KLINES_PER_REQUEST * MINUTE_MS);
    const request = { from, to: end, startedAt: this.o.clock(), done: Promise.resolve() };
    request.done = this.run(from, end)
      .catch((err: unknown) => this.o.logger.error({ symbol: this.o.symbol, err }, 'handing over a REST klines answer failed'))
      .finally(() => {
        if (this.inFlight === request) this.inFlight = null;
      });
    this.inFlight = request;
  }

  /** Resolves when the request in flight (if any) has answered or failed and its answer was handed over. */
  async settled(): Promise<void> {
    while (this.inFlight !== null) await this.inFlight.done;
  }

  private async run(from: number, to: number): Promise<void> {
    let rows: RestKline[];
    try {
      rows = await this.o.rest.klines(this.o.symbol, from, to - 1, MAX_KLINES_PER_REQUEST);
    } catch (err) {
      this.failing = true;
      this.retryAtValue = this.o.clock() + this.o.retryMs;
      this.o.logger.warn({ symbol: this.o.symbol, err: (err as Error).message, from: new Date(from).toISOString(), minutes: (to - from) / MINUTE_MS }, 'REST klines failed: the minutes wait (provisional after the bound) and REST is asked again later');
      this.inFlight = null;
      this.o.onFailure(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.failing = false;
    this.retryAtValue = Number.NEGATIVE_INFINITY;
    this.inFlight = null;
    this.o.onAnswer(from, to, new Map(rows.filter((r) => r.openTime >= from && r.openTime < to).map((r) => [r.openTime, r])));
  }
}
