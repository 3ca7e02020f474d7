/** The only place stream keys and consumer-group names are built. */
export const Streams = {
  candles: (venue: string, symbol: string) => `md:candle:${venue}:${symbol}:1m`,
  trades: (venue: string, symbol: string) => `md:trade:${venue}:${symbol}`,
  bookTicker: (venue: string, symbol: string) => `md:book:${venue}:${symbol}`,
  feedStatus: () => 'md:feed',
  commands: () => 'exec:cmd',
  strategyEvents: () => 'exec:evt',
  deadLetter: (stream: string) => `dlq:${stream}`,
} as const;

export const ConsumerGroups = {
  paperTrader: 'paper-trader',
  apiServer: 'api-server',
} as const;

/** Approximate MAXLEN per stream family (XADD MAXLEN ~). */
export const StreamRetention = {
  candles: 20_000,
  trades: 100_000,
  bookTicker: 20_000,
  feedStatus: 10_000,
  commands: 100_000,
  strategyEvents: 100_000,
  deadLetter: 10_000,
} as const;
