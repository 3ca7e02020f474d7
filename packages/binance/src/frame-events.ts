import type { PriceLevel } from '@btc-research/engine';

/** The events parsed from Binance spot frames (see frames.ts). Prices and quantities stay the exchange's exact decimal strings. */

export interface TradeEvent {
  kind: 'trade';
  symbol: string;
  /** trade id (`t`), or the aggregate id (`a`) for aggTrade */
  tradeId: number;
  aggregated: boolean;
  price: string;
  qty: string;
  /** trade time `T` */
  time: number;
  /** event time `E` */
  eventTime: number;
  isBuyerMaker: boolean;
}

export interface BookTickerEvent {
  kind: 'bookTicker';
  symbol: string;
  updateId: number;
  bidPrice: string;
  bidQty: string;
  askPrice: string;
  askQty: string;
}

export interface DepthUpdateEvent {
  kind: 'depth';
  symbol: string;
  eventTime: number;
  firstUpdateId: number;
  finalUpdateId: number;
  bids: PriceLevel[];
  asks: PriceLevel[];
}

/** A kline's values as Binance sends them on every channel (stream and REST), prices as exact text. */
export interface KlineValues {
  openTime: number;
  /** exclusive close time (Binance's `T` + 1) */
  closeTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  trades: number;
}

export interface KlineEvent extends KlineValues {
  kind: 'kline';
  symbol: string;
  eventTime: number;
  interval: string;
  closed: boolean;
}

/** A reply to a SUBSCRIBE/LIST request or another frame that carries no market data. */
export interface ControlEvent {
  kind: 'control';
  body: unknown;
}

export type BinanceEvent = TradeEvent | BookTickerEvent | DepthUpdateEvent | KlineEvent | ControlEvent;
