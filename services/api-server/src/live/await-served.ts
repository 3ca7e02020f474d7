import { MessageType, isMessage, type MarketFeedStatusV1 } from '@btc-research/contracts';
import { loadStrategyConfig } from '@btc-research/engine';
import type { LiveEventHub } from './event-hub.js';

/** what the market-data side said about a started strategy's symbol */
export type ServedOutcome = { outcome: 'served' } | { outcome: 'failed'; error: string } | { outcome: 'timeout' };

export interface ServedWatch {
  /**
   * True when the start is not confirmed by the paper-trader's answer alone: the feed is Binance's,
   * which does not serve the symbol yet, and the stream-manager has not answered (it checks that the
   * venue lists the symbol, then serves it or fails the strategy). No feed status known, a simulator
   * (any symbol) or a replay feed: false, as before.
   */
  mustWait(): boolean;
  /** the first of: the feed serves the symbol, the strategy's status is `error`, or the watch's time is up */
  readonly result: Promise<ServedOutcome>;
  cancel(): void;
}

const VENUE_SOURCES: ReadonlySet<MarketFeedStatusV1['source']> = new Set(['binance', 'binanceus']);

/** the venue symbol a strategy config trades (`BTC/USDT` → BTCUSDT); null when the YAML does not load */
export function startSymbolOf(configYaml: string, configName: string): string | null {
  const loaded = loadStrategyConfig(configYaml, configName);
  return loaded.ok ? loaded.config.marketSymbol : null;
}

/**
 * Watches, from before the start command is sent, for what the market-data side makes of the
 * strategy's symbol. Bounded by `timeoutMs` from now: the same deadline as the paper-trader's answer.
 */
export function watchServed(hub: LiveEventHub, strategyId: string, symbol: string | null, timeoutMs: number): ServedWatch {
  let seen: ServedOutcome | null = null;
  let settle: (value: ServedOutcome) => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: () => void = () => undefined;
  const result = new Promise<ServedOutcome>((resolve) => {
    settle = (value) => {
      seen ??= value;
      clearTimeout(timer);
      unsubscribe();
      resolve(seen);
    };
    unsubscribe = hub.subscribe((event) => {
      const env = event.envelope;
      if (isMessage(env, MessageType.feedStatus) && symbol !== null && env.payload.symbols.includes(symbol)) settle({ outcome: 'served' });
      if (isMessage(env, MessageType.strategyStatus) && env.payload.strategyId === strategyId && env.payload.status === 'error') {
        settle({ outcome: 'failed', error: env.payload.error ?? 'unknown error' });
      }
    });
    timer = setTimeout(() => settle({ outcome: 'timeout' }), Math.max(0, timeoutMs));
  });
  const mustWait = (): boolean => {
    if (symbol === null || seen?.outcome === 'served') return false;
    if (seen?.outcome === 'failed') return true;
    const feed = hub.latestFeed?.status;
    return feed !== undefined && VENUE_SOURCES.has(feed.source) && feed.state !== 'stopped' && !feed.symbols.includes(symbol);
  };
  return { mustWait, result, cancel: () => settle({ outcome: 'timeout' }) };
}
