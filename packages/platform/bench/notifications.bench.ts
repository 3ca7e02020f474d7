/**
 * Notifications: what enqueueing costs the caller (an fsync'd append to the JSON outbox, one INSERT
 * in PostgreSQL) and how fast a dispatcher delivers to a local signed-webhook receiver. Run by
 * `pnpm bench` (scripts/bench.ts); figures only, no assertions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { NotificationEventV1 } from '@btc-research/contracts';
import { JsonStrategyStore, NotificationDispatcher, PostgresStrategyStore, WebhookChannel, createLogger, replies, startReceiver, type StrategyStore } from '../src/index.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const EVENTS = 1_000;

function fill(n: number): NotificationEventV1 {
  return {
    id: `fill:bench-t${n}`,
    type: 'fill',
    time: 1_764_892_800_000 + n,
    strategyId: 'bench',
    text: `paper bought 0.001 BTCUSDT at 67123.45 (#${n})`,
    data: { tradeId: `bench-t${n}`, orderId: `bench-o${n}`, symbol: 'BTCUSDT', side: 'buy', quantity: '0.001', price: '67123.45', fee: '0.06712345', realizedPnl: '0', reason: 'entry' },
  };
}

function percentile(sorted: number[], p: number): number {
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(3));
}

async function measure(store: StrategyStore): Promise<Record<string, number>> {
  const server = await startReceiver(replies.webhook);
  try {
    const enqueueMs: number[] = [];
    for (let n = 0; n < EVENTS; n += 1) {
      const t0 = performance.now();
      await store.outbox.enqueue([{ event: fill(n), channels: ['webhook'] }], Date.now());
      enqueueMs.push(performance.now() - t0);
    }
    enqueueMs.sort((a, b) => a - b);
    const dispatcher = new NotificationDispatcher({
      outbox: store.outbox,
      channels: [new WebhookChannel({ url: server.url, secret: 'bench', ratePerMinute: 1_000_000 })],
      owner: 'bench',
      logger: createLogger('bench', { level: 'silent' }),
      batchSize: 100,
    });
    const t0 = performance.now();
    while (server.received.length < EVENTS) if ((await dispatcher.runOnce()) === 0) break;
    const deliverS = (performance.now() - t0) / 1000;
    return { enqueueP50Ms: percentile(enqueueMs, 50), enqueueP99Ms: percentile(enqueueMs, 99), deliveredPerSecond: Math.round(server.received.length / deliverS), delivered: server.received.length };
  } finally {
    await server.close();
  }
}

export async function runNotificationsBench(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-notify-'));
  const json = new JsonStrategyStore({ dataDir: dir });
  const schema = `bench_notify_${randomBytes(5).toString('hex')}`;
  const result: Record<string, unknown> = {};
  try {
    result['json'] = await measure(json);
    const pg = await PostgresStrategyStore.open({ databaseUrl: DATABASE_URL, schema, maxConnections: 2 }).catch(() => null);
    if (pg) {
      try {
        result['postgres'] = await measure(pg);
      } finally {
        await pg.close();
        await PostgresStrategyStore.dropSchema(DATABASE_URL, schema);
      }
    } else result['postgres'] = 'PostgreSQL unreachable: not measured';
  } finally {
    await json.close();
    await rm(dir, { recursive: true, force: true });
  }
  for (const [backend, r] of Object.entries(result)) {
    if (typeof r !== 'object') continue;
    const f = r as Record<string, number>;
    console.log(`notifications (${backend}): enqueue p50 ${f['enqueueP50Ms']} ms, p99 ${f['enqueueP99Ms']} ms; delivery to a local signed webhook ${f['deliveredPerSecond']}/s (${f['delivered']} events, one sender)`);
  }
  return { events: EVENTS, ...result };
}
