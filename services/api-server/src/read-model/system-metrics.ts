import { Gauge, type Registry } from 'prom-client';
import { MarketFeedStatusV1 } from '@btc-research/contracts';
import { cachedSnapshot, type SystemMetricsSources, type SystemSnapshot } from './system-snapshot.js';

const FEED_STATES = MarketFeedStatusV1.shape.state.options;

/**
 * What the whole system looks like from the api-server, as Prometheus gauges: the market feed (is
 * it simulated, its state, how old its last candle is), the strategies by status and how far each
 * live one is behind the feed, and in distributed mode the Redis consumer groups' backlog and
 * Redis's memory. The api-server is the one service with an HTTP port that sees the bus and the
 * store, so the alert rules (deploy/prometheus/alerts.yml) need scrape only it.
 * Read on scrape, at most once a second.
 */
export function registerSystemMetrics(registry: Registry, sources: SystemMetricsSources): void {
  registerFeedGauges([registry], sources);
  registerStoreAndBusGauges([registry], cachedSnapshot(sources));
}

/** What the api-server knows of the market-data feed, from its last market.feed.status. */
function registerFeedGauges(registers: Registry[], sources: SystemMetricsSources): void {
  new Gauge({
    name: 'btc_feed_status_known',
    help: '1 once the api-server has seen a market.feed.status from the stream-manager',
    registers,
    collect() {
      this.set(sources.hub.latestFeed ? 1 : 0);
    },
  });
  new Gauge({
    name: 'btc_feed_simulated',
    help: '1 when the market data comes from the simulator, not an exchange',
    registers,
    collect() {
      const feed = sources.hub.latestFeed;
      if (feed) this.set(feed.status.isSimulated ? 1 : 0);
    },
  });
  new Gauge({
    name: 'btc_feed_state',
    help: 'the feed state as a one-hot gauge (connecting, live, backfilling, degraded, stale, stopped)',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const feed = sources.hub.latestFeed;
      if (!feed) return;
      for (const state of FEED_STATES) this.set({ state }, feed.status.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: 'btc_feed_last_candle_age_seconds',
    help: 'wall-clock seconds since the close of the last 1m candle the feed reported',
    registers,
    collect() {
      const close = sources.hub.latestFeed?.status.lastCandleCloseTime;
      if (close !== null && close !== undefined) this.set(Math.max(0, sources.now() - close) / 1_000);
    },
  });
  new Gauge({
    name: 'btc_feed_status_age_seconds',
    help: 'seconds since the last market.feed.status (the stream-manager reports regularly; a growing age means it is gone)',
    registers,
    collect() {
      const feed = sources.hub.latestFeed;
      if (feed) this.set(Math.max(0, sources.now() - feed.tsEvent) / 1_000);
    },
  });
}

/** Strategies by status and lag, the bus's consumer groups and Redis memory. */
function registerStoreAndBusGauges(registers: Registry[], snapshot: () => Promise<SystemSnapshot>): void {
  new Gauge({
    name: 'btc_strategies',
    help: 'strategies in the store by status',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const status of ['starting', 'warming-up', 'running', 'stopped', 'error']) this.set({ status }, s.byStatus.get(status) ?? 0);
    },
  });
  new Gauge({
    name: 'btc_strategy_lag_seconds',
    help: 'how far a live strategy is behind the feed: close time of the feed\'s last candle minus that of the strategy\'s last processed candle',
    labelNames: ['strategy_id'] as const,
    registers,
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const [id, lag] of s.lagSeconds) this.set({ strategy_id: id }, lag);
    },
  });
  new Gauge({
    name: 'btc_bus_pending_entries',
    help: 'Redis Streams entries delivered to a consumer group and not yet acknowledged',
    labelNames: ['stream', 'group'] as const,
    registers,
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const g of s.groups) this.set({ stream: g.stream, group: g.group }, g.pending);
    },
  });
  new Gauge({
    name: 'btc_bus_group_lag_entries',
    help: 'Redis Streams entries not yet delivered to a consumer group',
    labelNames: ['stream', 'group'] as const,
    registers,
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const g of s.groups) if (g.lag !== null) this.set({ stream: g.stream, group: g.group }, g.lag);
    },
  });
  new Gauge({
    name: 'btc_redis_memory_used_bytes',
    help: 'Redis used_memory (distributed mode)',
    registers,
    async collect() {
      const m = (await snapshot()).redisMemory;
      if (m) this.set(m.used);
    },
  });
  new Gauge({
    name: 'btc_redis_maxmemory_bytes',
    help: 'Redis maxmemory, 0 when unlimited (distributed mode)',
    registers,
    async collect() {
      const m = (await snapshot()).redisMemory;
      if (m) this.set(m.max);
    },
  });
}
