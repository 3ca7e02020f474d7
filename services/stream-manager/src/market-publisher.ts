import { MessageType, StreamRetention, Streams, makeEnvelope, type MarketFeedStatusV1, type Venue } from '@btc-research/contracts';
import type { MessageBus } from '@btc-research/platform';

export interface PublishedCandle {
  openTime: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  synthetic?: boolean;
}

/** Formats a float price/size as a canonical decimal string (8 dp at most, no exponent). */
export function toWireDecimal(value: number): string {
  const s = value.toFixed(8).replace(/\.?0+$/, '');
  return s === '' || s === '-0' ? '0' : s;
}

/**
 * The single publishing path for every source: closed 1m candles (deterministic ids, so a
 * re-publish after a reconnect is recognisable), trades and feed status.
 */
export class MarketPublisher {
  constructor(
    private readonly bus: MessageBus,
    private readonly source: string,
    private readonly now: () => number,
  ) {}

  async candle(venue: Venue, symbol: string, c: PublishedCandle, origin: 'live' | 'backfill' | 'simulated' | 'replay'): Promise<void> {
    const env = makeEnvelope({
      type: MessageType.candleClosed,
      id: `${symbol}-1m@${c.openTime}`,
      source: this.source,
      tsEvent: c.closeTime,
      tsInit: this.now(),
      payload: {
        venue,
        symbol,
        timeframe: '1m',
        openTime: c.openTime,
        closeTime: c.closeTime,
        open: toWireDecimal(c.open),
        high: toWireDecimal(c.high),
        low: toWireDecimal(c.low),
        close: toWireDecimal(c.close),
        volume: toWireDecimal(c.volume),
        synthetic: c.synthetic ?? false,
        origin,
      },
    });
    await this.bus.publish(Streams.candles(symbol), env, StreamRetention.candles);
  }

  async trade(venue: Venue, symbol: string, t: { id: number | string; price: number; quantity: number; time: number; isBuyerMaker: boolean }): Promise<void> {
    const env = makeEnvelope({
      type: MessageType.trade,
      id: `${symbol}-trade-${t.id}`,
      source: this.source,
      tsEvent: t.time,
      tsInit: this.now(),
      payload: { venue, symbol, tradeId: String(t.id), price: toWireDecimal(t.price), quantity: toWireDecimal(t.quantity), time: t.time, isBuyerMaker: t.isBuyerMaker },
    });
    await this.bus.publish(Streams.trades(symbol), env, StreamRetention.trades);
  }

  async feedStatus(status: MarketFeedStatusV1): Promise<void> {
    const t = this.now();
    const env = makeEnvelope({ type: MessageType.feedStatus, id: `feed-${t}-${Math.floor(Math.random() * 1e9)}`, source: this.source, tsEvent: t, tsInit: t, payload: status });
    await this.bus.publish(Streams.feedStatus(), env, StreamRetention.feedStatus);
  }
}
