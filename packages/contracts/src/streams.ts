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

/** GET /events replays at most this many strategy events after a reconnecting client's Last-Event-ID. */
export const LiveReplayMax = 1_000;

/**
 * How many entries of a family anything reads back without a consumer group (readLatest, read after
 * an id): the in-process bus keeps no more than this of what every consumer group has already read
 * and acknowledged (never an entry a group has not); Redis keeps StreamRetention. A family not
 * listed here is read back up to its retention (commands are read from the start).
 */
export const StreamReadBack = {
  /**
   * the API's candle history reads the candles the market log does not hold yet (the paper-trader
   * writes each within a second); older minutes come from the log, so a day is plenty
   */
  candles: 1_440,
  /**
   * reconnecting live clients are replayed the events after their last id, at most LiveReplayMax of
   * them: twice that covers every replay that can be complete (about two market days of two demo
   * strategies' events; 10,000 took nine days to fill and held ≈ 5.7 MB of the embedded heap)
   */
  strategyEvents: 2_000,
  /** the API's forming candle reads up to 5,000, GET /market/trades up to 200 */
  trades: 10_000,
  /** the latest one (market snapshot) */
  bookTicker: 1_000,
  /** the latest one (GET /market/depth); depth entries are the largest */
  bookDepth: 100,
  /** the latest one (health, live events) */
  feedStatus: 1_000,
} as const;

const READ_BACK_BY_PREFIX: ReadonlyArray<readonly [prefix: string, keep: number]> = [
  [Streams.trades(''), StreamReadBack.trades],
  [Streams.bookTicker(''), StreamReadBack.bookTicker],
  [Streams.bookDepth(''), StreamReadBack.bookDepth],
];

/** StreamReadBack for a stream key, undefined when its family is read back up to its retention. */
export function readBackOf(stream: string): number | undefined {
  if (stream === Streams.feedStatus()) return StreamReadBack.feedStatus;
  if (stream === Streams.strategyEvents()) return StreamReadBack.strategyEvents;
  if (isCandleStream(stream)) return StreamReadBack.candles;
  for (const [prefix, keep] of READ_BACK_BY_PREFIX) if (stream.startsWith(prefix)) return keep;
  return undefined;
}

const [CANDLE_PREFIX = '', CANDLE_SUFFIX = ''] = Streams.candles('\u0000').split('\u0000');

/** True for a symbol's candle stream key (as Streams.candles builds it). */
export function isCandleStream(key: string): boolean {
  return key.length > CANDLE_PREFIX.length + CANDLE_SUFFIX.length && key.startsWith(CANDLE_PREFIX) && key.endsWith(CANDLE_SUFFIX);
}
