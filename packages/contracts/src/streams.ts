/** The only place stream keys and consumer-group names are built. */
export const Streams = {
  // One market-data source serves the system at a time (auto/binance/simulated/replay); the venue
  // that produced an entry is in its payload, so keys are per symbol.
  candles: (symbol: string) => `md:candle:${symbol}:1m`,
  trades: (symbol: string) => `md:trade:${symbol}`,
  bookTicker: (symbol: string) => `md:book:${symbol}`,
  bookDepth: (symbol: string) => `md:depth:${symbol}`,
  feedStatus: () => 'md:feed',
  commands: () => 'exec:cmd',
  strategyEvents: () => 'exec:evt',
  deadLetter: (stream: string) => `dlq:${stream}`,
} as const;

export const ConsumerGroups = {
  paperTrader: 'paper-trader',
  apiServer: 'api-server',
  /** the paper-trader's notifier: turns strategy events and feed status into outbox rows */
  notifier: 'notifier',
} as const;

/** Approximate MAXLEN per stream family (XADD MAXLEN ~). */
export const StreamRetention = {
  candles: 20_000,
  trades: 100_000,
  bookTicker: 20_000,
  bookDepth: 5_000,
  feedStatus: 10_000,
  commands: 100_000,
  strategyEvents: 100_000,
  deadLetter: 10_000,
} as const;

const [CANDLE_PREFIX = '', CANDLE_SUFFIX = ''] = Streams.candles('\u0000').split('\u0000');

/** True for a symbol's candle stream key (as Streams.candles builds it). */
export function isCandleStream(key: string): boolean {
  return key.length > CANDLE_PREFIX.length + CANDLE_SUFFIX.length && key.startsWith(CANDLE_PREFIX) && key.endsWith(CANDLE_SUFFIX);
}
