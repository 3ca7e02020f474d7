import type { z } from 'zod';
import { MarketBookDepthV1 } from './messages/market-book-depth.v1.js';
import { MarketBookTickerV1 } from './messages/market-book-ticker.v1.js';
import { MarketCandleClosedV1 } from './messages/market-candle-closed.v1.js';
import { MarketCandleCorrectedV1 } from './messages/market-candle-corrected.v1.js';
import { MarketFeedStatusV1 } from './messages/market-feed-status.v1.js';
import { MarketTradeV1 } from './messages/market-trade.v1.js';
import { StrategyForceExitV1, StrategyStartV1, StrategyStopV1 } from './messages/strategy-command.v1.js';
import { StrategyEquityV1, StrategyFillV1, StrategyStatusChangedV1 } from './messages/strategy-events.v1.js';
import { NotificationEventV1 } from './messages/notification-event.v1.js';
import { StrategyParityCheckV1, StrategyParityCheckedV1 } from './messages/strategy-parity.v1.js';
import { StrategyWarmupHistoryV1 } from './messages/strategy-warmup-history.v1.js';

/** The one catalogue of message types. Never hand-type a type string elsewhere. */
export const MessageType = {
  candleClosed: 'market.candle.closed',
  candleCorrected: 'market.candle.corrected',
  trade: 'market.trade.executed',
  bookTicker: 'market.book.ticker',
  bookDepth: 'market.book.depth',
  feedStatus: 'market.feed.status',
  strategyStart: 'strategy.start',
  strategyStop: 'strategy.stop',
  strategyForceExit: 'strategy.force-exit',
  strategyFill: 'strategy.order.filled',
  strategyEquity: 'strategy.equity.updated',
  strategyStatus: 'strategy.status.changed',
  /** a notification for the user's channels, raised by any service (e.g. the parity monitor) on the strategy-events stream */
  notificationRaised: 'notification.raised',
  strategyParityCheck: 'strategy.parity.check',
  strategyParityChecked: 'strategy.parity.checked',
  /** older candles for one strategy's warm-up (stream-manager → paper-trader, on the commands stream) */
  strategyWarmupHistory: 'strategy.warmup.history',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** (type, v) → payload schema. */
export const messageRegistry = {
  [MessageType.candleClosed]: { 1: MarketCandleClosedV1 },
  [MessageType.candleCorrected]: { 1: MarketCandleCorrectedV1 },
  [MessageType.trade]: { 1: MarketTradeV1 },
  [MessageType.bookTicker]: { 1: MarketBookTickerV1 },
  [MessageType.bookDepth]: { 1: MarketBookDepthV1 },
  [MessageType.feedStatus]: { 1: MarketFeedStatusV1 },
  [MessageType.strategyStart]: { 1: StrategyStartV1 },
  [MessageType.strategyStop]: { 1: StrategyStopV1 },
  [MessageType.strategyForceExit]: { 1: StrategyForceExitV1 },
  [MessageType.strategyFill]: { 1: StrategyFillV1 },
  [MessageType.strategyEquity]: { 1: StrategyEquityV1 },
  [MessageType.strategyStatus]: { 1: StrategyStatusChangedV1 },
  [MessageType.notificationRaised]: { 1: NotificationEventV1 },
  [MessageType.strategyParityCheck]: { 1: StrategyParityCheckV1 },
  [MessageType.strategyParityChecked]: { 1: StrategyParityCheckedV1 },
  [MessageType.strategyWarmupHistory]: { 1: StrategyWarmupHistoryV1 },
} as const satisfies Record<MessageType, Record<number, z.ZodType>>;

export type PayloadOf<T extends MessageType> = z.infer<(typeof messageRegistry)[T][1]>;
/** What a producer passes: fields with a default (e.g. a candle's `provisional`) may be left out. */
export type PayloadInputOf<T extends MessageType> = z.input<(typeof messageRegistry)[T][1]>;

export function payloadSchema(type: string, v: number): z.ZodType | undefined {
  const versions = (messageRegistry as Record<string, Record<number, z.ZodType>>)[type];
  return versions?.[v];
}
