import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType, StreamRetention, Streams, makeEnvelope, type StrategyFillV1 } from '@btc-research/contracts';
import { InProcessBus, PostgresStrategyStore, WebhookChannel, createLogger, replies, startReceiver, verifyWebhookSignature, waitFor } from '@btc-research/platform';
import { Notifier } from './notifier.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECRET = 'two-workers-secret';
const FILLS = 40;

function fill(n: number): StrategyFillV1 {
  return { strategyId: 'w1', tradeId: `w1-t${n}`, orderId: `w1-o${n}`, symbol: 'BTCUSDT', side: n % 2 === 0 ? 'buy' : 'sell', quantity: '0.01', price: '91000.5', fee: '0.910005', realizedPnl: '0', reason: 'rule', time: 1_764_892_800_000 + n * 60_000 };
}

describe('two paper-trader workers notifying (distributed: shared consumer group, one PostgreSQL outbox)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('each fill is enqueued and delivered once, however the two workers split the entries and the sending', async () => {
    const schema = `notify_workers_${randomBytes(5).toString('hex')}`;
    const server = await startReceiver(replies.webhook);
    const bus = new InProcessBus({ logger: createLogger('bus', { level: 'silent' }), blockMs: 20 });
    const stores = await Promise.all([1, 2].map(() => PostgresStrategyStore.open({ databaseUrl: DATABASE_URL, schema, maxConnections: 3 })));
    cleanups.push(() => server.close(), () => bus.close(), () => PostgresStrategyStore.dropSchema(DATABASE_URL, schema), ...stores.map((s) => () => s.close()));
    const workers = stores.map(
      (store, i) =>
        new Notifier({
          bus,
          store,
          logger: createLogger(`n${i}`, { level: 'silent' }),
          channels: [new WebhookChannel({ url: server.url, secret: SECRET, ratePerMinute: 10_000 })],
          worker: `worker-${i}`,
          dispatch: { pollMs: 20 },
        }),
    );
    for (const w of workers) {
      w.start();
      cleanups.push(() => w.close());
    }
    for (let n = 1; n <= FILLS; n += 1) {
      const payload = fill(n);
      // every fill published twice (a redelivery after a worker's crash looks like this)
      for (const copy of [1, 2]) {
        await bus.publish(Streams.strategyEvents(), makeEnvelope({ type: MessageType.strategyFill, id: `fill-${payload.tradeId}-${copy}`, source: 'test', tsEvent: payload.time, tsInit: payload.time, payload }), StreamRetention.strategyEvents);
      }
    }
    await waitFor(async () => server.received.length >= FILLS, { what: 'every fill at the webhook', timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ids = server.received.map((r) => String(r.headers['x-btc-research-event-id']));
    expect(ids.sort()).toEqual(Array.from({ length: FILLS }, (_, i) => `fill:w1-t${i + 1}`).sort());
    expect(server.received.every((r) => verifyWebhookSignature(r, SECRET))).toBe(true);
    const rows = await stores[0]!.outbox.recent(1_000);
    expect(rows).toHaveLength(FILLS);
    expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
  });
});
