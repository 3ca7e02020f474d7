/**
 * A true feed status during an exchange outage (issue 16, deliverable 6), against the local
 * Binance-protocol server: the lag grows while nothing arrives, the books are marked unsynced (the
 * pre-outage book is not presented as current), and state changes are debounced instead of
 * flipping stale ↔ degraded on every failed try.
 */
import { Streams, type MarketFeedStatusV1 } from '@btc-research/contracts';
import { waitFor } from '@btc-research/platform';
import { describe, expect, it } from 'vitest';
import { liveFeeds } from './live-feed.js';
import { allEntries } from './support.js';

const START = Date.UTC(2024, 7, 8, 23, 50);
const DEBOUNCE_MS = 1_000;
const feeds = liveFeeds();
const bus = feeds.bus;

describe('feed status during an exchange outage', () => {
  it('lag grows, books are unsynced and not current, and the state does not flip on each failed try', async () => {
    const { symbol, srv, src, startedAt } = await feeds.start({
      symbolPrefix: 'F',
      exchange: { seed: 7, startTime: START, tickMs: 10, marketMsPerTick: 1000 },
      publisherName: 'feed-status-test',
      source: {
        pingIntervalMs: 200, deadAfterMs: 1_000, reconnectBaseMs: 20, reconnectMaxMs: 100, restFallbackAfterMs: 300, restPollMs: 100,
        circuitFailureThreshold: 2, circuitOpenMs: 150, circuitMaxOpenMs: 300, statusIntervalMs: 100, restTimeoutMs: 500, restMaxAttempts: 1,
        stateDebounceMs: DEBOUNCE_MS,
      },
    });
    await waitFor(() => src.status().state === 'live' && src.status().booksSynced?.[symbol] === true, { timeoutMs: 15_000, what: 'live with a synced book' });
    await waitFor(() => src.status().lastCandleCloseTime !== null, { timeoutMs: 15_000, what: 'a first candle' });

    // the exchange goes away: WebSocket refused, REST failing
    const outageAt = Date.now();
    srv.rejectConnections(1_000_000);
    for (let i = 0; i < 100_000; i++) srv.restFaults.push({ status: 503 });
    srv.dropConnections();
    await waitFor(() => src.status().booksSynced?.[symbol] === false, { timeoutMs: 5_000, what: 'book marked unsynced' });
    await waitFor(() => src.status().state === 'stale', { timeoutMs: 15_000, what: 'stale' });
    const lag1 = src.status().lagMs!;
    await new Promise((r) => setTimeout(r, 1_500));
    const lag2 = src.status().lagMs!;
    expect(lag2 - lag1).toBeGreaterThanOrEqual(1_400); // the lag keeps growing while nothing arrives
    // several failed reconnects and REST tries later: still stale, never back to degraded
    await new Promise((r) => setTimeout(r, 2 * DEBOUNCE_MS));
    expect(src.status().state).toBe('stale');
    expect(src.status().booksSynced?.[symbol]).toBe(false);

    const published = (await allEntries(bus, Streams.feedStatus()))
      .filter((e) => e.envelope.tsEvent >= startedAt)
      .map((e) => ({ at: e.envelope.tsEvent, status: e.envelope.payload as MarketFeedStatusV1 }))
      .filter((p) => p.status.symbols.includes(symbol));
    const duringOutage = published.filter((p) => p.at >= outageAt);
    expect(duringOutage.some((p) => p.status.booksSynced?.[symbol] === true && p.status.state !== 'live')).toBe(false);
    // the published state changes: none back from stale, and none sooner than the debounce after the one before
    const changes = duringOutage.filter((p, i, all) => i === 0 || p.status.state !== all[i - 1]!.status.state);
    const afterStale = changes.findIndex((c) => c.status.state === 'stale');
    expect(afterStale).toBeGreaterThanOrEqual(0);
    expect(changes.slice(afterStale + 1).map((c) => c.status.state)).toEqual([]);
    for (let i = 1; i < changes.length; i++) expect(changes[i]!.at - changes[i - 1]!.at).toBeGreaterThanOrEqual(DEBOUNCE_MS - 50);

    // back: live again at once, the book rebuilt from a new snapshot
    srv.restFaults.length = 0;
    srv.rejectConnections(-srv.stats.rejectedConnections - 1_000_000);
    await waitFor(() => src.status().state === 'live' && src.status().booksSynced?.[symbol] === true, { timeoutMs: 20_000, what: 'live again with a rebuilt book' });
    await waitFor(() => (src.status().lagMs ?? Infinity) < 70_000, { timeoutMs: 20_000, what: 'lag back to normal' });
  }, 60_000);
});
