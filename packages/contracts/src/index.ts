export { DecimalString, UnixMs, MarketSymbol, Venue, StrategyId } from './scalars.js';
export { EnvelopeBase, type Envelope } from './envelope.js';
export { MessageType, messageRegistry, payloadSchema, type PayloadOf, type PayloadInputOf } from './registry.js';
export { makeEnvelope, encodeEnvelope, decodeEnvelope, isMessage, MessageDecodeError, type DecodeErrorCode, type MakeEnvelopeInput } from './codec.js';
export { Streams, ConsumerGroups, StreamRetention, StreamReadBack, readBackOf, isCandleStream } from './streams.js';
export { MarketCandleClosedV1, CandleValues } from './messages/market-candle-closed.v1.js';
export { MarketCandleCorrectedV1 } from './messages/market-candle-corrected.v1.js';
export { MarketTradeV1 } from './messages/market-trade.v1.js';
export { MarketBookTickerV1 } from './messages/market-book-ticker.v1.js';
export { MarketBookDepthV1 } from './messages/market-book-depth.v1.js';
export { MarketFeedStatusV1 } from './messages/market-feed-status.v1.js';
export { StrategyForceExitV1, StrategyStartV1, StrategyStopV1 } from './messages/strategy-command.v1.js';
export { FillProvenance, StrategyFillV1, StrategyEquityV1, StrategyStatusChangedV1, StrategyStatusValue } from './messages/strategy-events.v1.js';
export {
  NotificationChannelName,
  NotificationEventType,
  NotificationEventV1,
  FillNotificationV1,
  StrategyStartedNotificationV1,
  StrategyStoppedNotificationV1,
  StrategyErroredNotificationV1,
  ParityCheckFailedNotificationV1,
  FeedSimulatedNotificationV1,
  FeedStaleNotificationV1,
  DrawdownExceededNotificationV1,
  DailySummaryNotificationV1,
} from './messages/notification-event.v1.js';
export { StrategyParityCheckV1, StrategyParityCheckedV1, ParityDivergence, ParityDivergenceKind, ParityValue, ParityWindow } from './messages/strategy-parity.v1.js';
export * from './http/index.js';
