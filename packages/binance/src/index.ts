// Public surface of @btc-research/binance: Binance's (and Binance.US's) protocol — WebSocket frames,
// REST bodies and rules, the local depth book and its sync procedure, the REST client and the
// WebSocket connection. The stream-manager composes these into a market-data source.
export { BINANCE_ENDPOINTS, combinedStreamUrl, type BinanceVenue } from './endpoints.js';
export {
  parseBinanceFrame,
  parseBinancePayload,
  isDecimalText,
  type BinanceEvent,
  type TradeEvent,
  type BookTickerEvent,
  type DepthUpdateEvent,
  type KlineEvent,
  type KlineValues,
  type ControlEvent,
  type FrameParseResult,
  type FrameRejectKind,
} from './frames.js';
export { parseRestKlines, parseDepthSnapshot, klineToCsvRow, retryDecision, BinanceBodyError, type RestKline, type RetryDecision } from './rest-bodies.js';
export { DepthBook, type DepthLevel } from './depth-book.js';
export { DepthBookSync, type DepthSyncResult, type SnapshotResult } from './depth-book-sync.js';
export { BinanceRestClient, BinanceRestError, type BinanceRestClientOptions, type RestClientCounters } from './rest-client.js';
export { probeBinance } from './probe.js';
export { WsConnection, type WsConnectionOptions } from './ws-connection.js';
