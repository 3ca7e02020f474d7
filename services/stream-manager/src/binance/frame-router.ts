import { parseBinanceFrame } from '@btc-research/binance';
import type { FrameStats } from './frame-stats.js';
import type { SymbolFeed } from './symbol-feed.js';

export interface RoutedFrame {
  /** the publish the frame caused, if any (await it to know the bus acknowledged) */
  published: Promise<void> | undefined;
  kind: 'trade' | 'bookTicker' | 'depth' | 'kline' | 'control' | 'dropped';
  symbol?: string;
  finalUpdateId?: number;
}

/**
 * The one path from frame text to a symbol's feed, shared by the live client and every replay:
 * parse, count and drop what is malformed or unexpected, dispatch the rest.
 */
export function routeFrame(text: string, feeds: ReadonlyMap<string, SymbolFeed>, frames: FrameStats, primary = true): RoutedFrame {
  const r = parseBinanceFrame(text);
  if (!r.ok) {
    frames.reject(r.kind, r.reason, text);
    return { published: undefined, kind: 'dropped' };
  }
  const ev = r.event;
  if (ev.kind === 'control') return { published: undefined, kind: 'control' };
  const feed = feeds.get(ev.symbol);
  if (feed === undefined) {
    frames.reject('unknown-symbol', `frame for ${ev.symbol}, which is not subscribed`, text);
    return { published: undefined, kind: 'dropped' };
  }
  switch (ev.kind) {
    case 'trade':
      return { published: feed.onTrade(ev, primary), kind: 'trade', symbol: ev.symbol };
    case 'bookTicker':
      return { published: feed.onBookTicker(ev), kind: 'bookTicker', symbol: ev.symbol };
    case 'kline':
      feed.onKline(ev);
      return { published: undefined, kind: 'kline', symbol: ev.symbol };
    case 'depth':
      return { published: feed.onDepth(ev, primary), kind: 'depth', symbol: ev.symbol, finalUpdateId: ev.finalUpdateId };
  }
}
