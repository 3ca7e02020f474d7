import type { Redis } from 'ioredis';
import { LIVE_STRATEGY_STATUSES, type StrategyStore } from '@btc-research/platform';
import type { LiveEventHub } from '../live/event-hub.js';

export interface SystemMetricsSources {
  store: StrategyStore;
  hub: LiveEventHub;
  /** distributed mode: the Redis of the bus, for consumer groups and memory */
  redis?: Redis | undefined;
  now: () => number;
}

export interface GroupInfo {
  stream: string;
  group: string;
  pending: number;
  /** entries not yet delivered to the group (Redis 7 XINFO GROUPS "lag"); null when Redis cannot tell */
  lag: number | null;
}

/** the store and bus figures of one scrape */
export interface SystemSnapshot {
  byStatus: Map<string, number>;
  lagSeconds: Map<string, number>;
  groups: GroupInfo[];
  redisMemory: { used: number; max: number } | null;
}

/** The store and Redis figures, read at most once a second however many gauges ask. */
export function cachedSnapshot(sources: SystemMetricsSources): () => Promise<SystemSnapshot> {
  let cached: { at: number; value: Promise<SystemSnapshot> } | null = null;
  return (): Promise<SystemSnapshot> => {
    const t = sources.now();
    if (cached && t - cached.at < 1_000) return cached.value;
    const value = readSnapshot(sources);
    cached = { at: t, value };
    value.catch(() => (cached = null));
    return value;
  };
}

async function readSnapshot(sources: SystemMetricsSources): Promise<SystemSnapshot> {
  const records = await sources.store.listStrategies();
  const byStatus = new Map<string, number>();
  for (const r of records) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  const feedClose = sources.hub.latestFeed?.status.lastCandleCloseTime ?? null;
  const lagSeconds = new Map<string, number>();
  if (feedClose !== null) {
    for (const r of records.filter((x) => LIVE_STRATEGY_STATUSES.has(x.status))) {
      const processed = (await sources.store.loadState(r.id))?.lastCandleCloseTime ?? null;
      if (processed !== null) lagSeconds.set(r.id, Math.max(0, feedClose - processed) / 1_000);
    }
  }
  const redis = sources.redis;
  return {
    byStatus,
    lagSeconds,
    groups: redis ? await consumerGroups(redis) : [],
    redisMemory: redis ? await redisMemory(redis) : null,
  };
}

function fieldsOf(flat: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out.set(String(flat[i]), flat[i + 1]);
  return out;
}

async function consumerGroups(redis: Redis): Promise<GroupInfo[]> {
  const streams: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1_000, 'TYPE', 'stream');
    cursor = next;
    streams.push(...keys);
  } while (cursor !== '0' && streams.length < 10_000);
  const out: GroupInfo[] = [];
  for (const stream of streams.sort()) {
    const groups = (await redis.call('XINFO', 'GROUPS', stream)) as unknown[];
    for (const g of groups) {
      const f = fieldsOf(g);
      const lag = f.get('lag');
      out.push({ stream, group: String(f.get('name')), pending: Number(f.get('pending') ?? 0), lag: lag === null || lag === undefined ? null : Number(lag) });
    }
  }
  return out;
}

async function redisMemory(redis: Redis): Promise<{ used: number; max: number }> {
  const info = await redis.info('memory');
  const value = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return { used: value('used_memory'), max: value('maxmemory') };
}
