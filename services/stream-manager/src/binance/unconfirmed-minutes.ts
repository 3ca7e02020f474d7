import type { KlineEvent, RestKline } from '@btc-research/binance';
import type { Venue } from '@btc-research/contracts';
import type { Logger } from '@btc-research/platform';
import type { MarketPublisher, PublishedCandle } from '../market-publisher.js';
import { MAX_KLINES_PER_REQUEST } from './rest-confirmer.js';

export const MINUTE_MS = 60_000;

export type MinuteValues = Pick<PublishedCandle, 'openTime' | 'closeTime' | 'open' | 'high' | 'low' | 'close' | 'volume'>;
type ConfirmedBy = 'kline' | 'rest' | 'trades';
type Origin = 'live' | 'backfill';

export const klineValues = (k: KlineEvent | RestKline): MinuteValues => ({ openTime: k.openTime, closeTime: k.openTime + MINUTE_MS, open: k.open, high: k.high, low: k.low, close: k.close, volume: k.volume });

const sameValues = (a: MinuteValues, b: MinuteValues): boolean =>
  (['open', 'high', 'low', 'close', 'volume'] as const).every((f) => Number(a[f]) === Number(b[f]));

/** A minute published provisional (or held back) whose confirmation has not been published yet. */
interface UnconfirmedMinute {
  openTime: number;
  /** what was published for it (null: nothing was seen of it, nothing published) */
  shown: MinuteValues | null;
  /** its confirmed values once known (a closed kline, REST, or complete trades) */
  confirmed: { values: MinuteValues; by: ConfirmedBy; origin: Origin } | null;
  /** REST answered without a candle for it: none at the venue (halt) */
  noneAtVenue?: boolean;
}

/** The counters of a symbol feed this part moves. */
export interface ConfirmationCounters {
  provisionalCandles: number;
  corrections: number;
  changedCorrections: number;
  unavailableMinutes: number;
  backfilledCandles: number;
}

export interface UnconfirmedMinutesOptions {
  symbol: string;
  venue: Venue;
  publisher: MarketPublisher;
  logger: Logger;
  counters: ConfirmationCounters;
}

/**
 * The minutes of one symbol the exchange has not confirmed yet, oldest first: published provisional
 * (what the stream saw of them; nothing when nothing was seen), and any later minute with them,
 * because strategies get minutes in order. Their corrections (`market.candle.corrected`) go out in
 * this order, each exactly once, as a late closed kline, complete trades or REST confirm them. Also
 * keeps the pending venue gap: minutes REST confirmed the venue has no candle for, announced by the
 * next candle or correction published.
 */
export class UnconfirmedMinutes {
  private readonly list: UnconfirmedMinute[] = [];
  private venueGap = false;

  constructor(private readonly o: UnconfirmedMinutesOptions) {}

  get length(): number {
    return this.list.length;
  }

  get firstOpenTime(): number | undefined {
    return this.list[0]?.openTime;
  }

  /** a minute left provisional (or held) on the bus by an earlier run: confirmed before anything later */
  restore(openTime: number, shown: MinuteValues | null): void {
    this.list.push({ openTime, shown, confirmed: null });
  }

  /** REST confirmed minutes the venue has no candle for: the next candle or correction says so */
  markVenueGap(): void {
    this.venueGap = true;
  }

  get venueGapPending(): boolean {
    return this.venueGap;
  }

  /** whether the candle now published follows a venue gap (cleared by asking) */
  takeVenueGap(): boolean {
    const gap = this.venueGap;
    this.venueGap = false;
    return gap;
  }

  /** A minute the exchange confirmed while earlier ones are not: published provisional, its confirmation kept for the correction. */
  async holdConfirmed(values: MinuteValues, origin: Origin, by: ConfirmedBy): Promise<void> {
    this.list.push({ openTime: values.openTime, shown: values, confirmed: { values, by, origin } });
    await this.o.publisher.candle(this.o.venue, this.o.symbol, { ...values, synthetic: false, provisional: true }, origin);
  }

  /** A minute nothing confirmed in time: what the stream saw of it, provisional; nothing at all when nothing was seen. */
  async holdProvisional(openTime: number, shown: MinuteValues | null): Promise<void> {
    this.list.push({ openTime, shown, confirmed: null });
    this.o.counters.provisionalCandles += 1;
    if (this.list.length === 1) this.o.logger.warn({ symbol: this.o.symbol, minute: new Date(openTime).toISOString() }, 'a minute the exchange has not confirmed (REST failing or slow): published provisional, strategies wait for its correction');
    if (shown !== null) await this.o.publisher.candle(this.o.venue, this.o.symbol, { ...shown, synthetic: false, provisional: true }, 'live');
  }

  /** A minute REST says the venue has no candle for, after unconfirmed ones: passed over in order. */
  holdAbsent(openTime: number): void {
    this.list.push({ openTime, shown: null, confirmed: null, noneAtVenue: true });
  }

  /** REST answered for [from, to): each minute it covers that nothing confirmed yet is confirmed, or known absent. */
  applyRest(from: number, to: number, rows: ReadonlyMap<number, RestKline>): void {
    for (const u of this.list) {
      if (u.confirmed !== null || u.noneAtVenue || u.openTime < from || u.openTime >= to) continue;
      const r = rows.get(u.openTime);
      if (r === undefined) u.noneAtVenue = true;
      else {
        u.confirmed = { values: klineValues(r), by: 'rest', origin: 'backfill' };
        this.o.counters.backfilledCandles += 1;
      }
    }
  }

  /**
   * Publishes the corrections, oldest first, as far as the minutes are confirmed (a closed kline in
   * `klines` confirms one; it is dropped once used). Returns the run [from, to) of minutes only REST
   * can confirm that now blocks the rest, or null when none is left.
   */
  async correct(klines: Map<number, KlineEvent>, stopped: () => boolean): Promise<{ from: number; to: number } | null> {
    while (this.list.length > 0 && !stopped()) {
      const u = this.list[0]!;
      const k = u.confirmed === null ? klines.get(u.openTime) : undefined;
      if (k !== undefined) u.confirmed = { values: klineValues(k), by: 'kline', origin: 'live' };
      if (u.noneAtVenue && u.confirmed === null) {
        this.list.shift();
        this.o.counters.unavailableMinutes += 1;
        this.venueGap = true;
        continue;
      }
      if (u.confirmed !== null) {
        klines.delete(u.openTime);
        await this.publishCorrection(u, u.confirmed);
        this.list.shift();
        continue;
      }
      let n = 1;
      while (n < this.list.length && n < MAX_KLINES_PER_REQUEST && this.list[n]!.confirmed === null && !this.list[n]!.noneAtVenue && !klines.has(this.list[n]!.openTime)) n += 1;
      return { from: u.openTime, to: this.list[n - 1]!.openTime + MINUTE_MS };
    }
    return null;
  }

  private async publishCorrection(u: UnconfirmedMinute, c: NonNullable<UnconfirmedMinute['confirmed']>): Promise<void> {
    const gap = this.takeVenueGap();
    const changed = u.shown === null || !sameValues(u.shown, c.values);
    await this.o.publisher.candleCorrected(this.o.venue, this.o.symbol, gap ? { ...c.values, venueGapConfirmedBy: 'rest' } : c.values, c.origin, { changed, confirmedBy: c.by });
    this.o.counters.corrections += 1;
    if (changed) this.o.counters.changedCorrections += 1;
    if (this.list.length === 1) this.o.logger.info({ symbol: this.o.symbol, minute: new Date(u.openTime).toISOString() }, 'every provisional minute is confirmed: candles reach the strategies again');
  }
}
