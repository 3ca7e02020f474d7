import type { NotificationEventV1 } from '@btc-research/contracts';
import { describe, expect, it } from 'vitest';
import { jsonStoreBackend, postgresStoreBackend, storesClosedAfterEach } from '../testing/store-backends.js';

const backends = [jsonStoreBackend, postgresStoreBackend];

const T0 = 1_764_892_800_000;

function fill(n: number): NotificationEventV1 {
  return {
    id: `fill:s1-t${n}`,
    type: 'fill',
    time: T0 + n,
    strategyId: 's1',
    text: `s1 bought 0.001 BTCUSDT at 67123.45 (${n})`,
    data: { tradeId: `s1-t${n}`, orderId: `s1-o${n}`, symbol: 'BTCUSDT', side: 'buy', quantity: '0.001', price: '67123.45', fee: '0.06712345', realizedPnl: '0', reason: 'entry' },
  };
}

describe.each(backends)('NotificationOutbox conformance: $name', (backend) => {
  const stores = storesClosedAfterEach();
  const setup = () => stores.setup(backend);

  it('enqueues one row per event and channel, idempotent on event id × channel', async () => {
    const { store } = await setup();
    expect(await store.outbox.enqueue([{ event: fill(1), channels: ['webhook', 'telegram'] }, { event: fill(2), channels: ['webhook'] }], T0)).toBe(3);
    expect(await store.outbox.enqueue([{ event: fill(1), channels: ['webhook', 'telegram', 'slack'] }], T0 + 5)).toBe(1);
    const rows = await store.outbox.recent(10);
    expect(rows).toHaveLength(4);
    expect(rows.find((r) => r.eventId === 'fill:s1-t1' && r.channel === 'webhook')).toEqual({
      eventId: 'fill:s1-t1', channel: 'webhook', event: fill(1), status: 'pending', attempts: 0, lastError: null, createdAt: T0, nextAttemptAt: T0, deliveredAt: null,
    });
    expect(rows[0]).toMatchObject({ eventId: 'fill:s1-t1', channel: 'slack', createdAt: T0 + 5 });
  });

  it('claims due rows of one channel oldest first, never the same row twice while the claim stands', async () => {
    const { store } = await setup();
    await store.outbox.enqueue([1, 2, 3].map((n) => ({ event: fill(n), channels: ['webhook', 'discord'] as const })), T0);
    const a = await store.outbox.claim({ channel: 'webhook', owner: 'a', now: T0 + 10, limit: 2, leaseMs: 1_000 });
    expect(a.map((r) => [r.eventId, r.channel, r.attempts])).toEqual([['fill:s1-t1', 'webhook', 1], ['fill:s1-t2', 'webhook', 1]]);
    const b = await store.outbox.claim({ channel: 'webhook', owner: 'b', now: T0 + 20, limit: 5, leaseMs: 1_000 });
    expect(b.map((r) => r.eventId)).toEqual(['fill:s1-t3']);
    expect(await store.outbox.claim({ channel: 'webhook', owner: 'c', now: T0 + 30, limit: 5, leaseMs: 1_000 })).toEqual([]);
    // a lapsed claim (its sender died) is claimed again, counting a second attempt
    const again = await store.outbox.claim({ channel: 'webhook', owner: 'c', now: T0 + 2_000, limit: 5, leaseMs: 1_000 });
    expect(again.map((r) => [r.eventId, r.attempts])).toEqual([['fill:s1-t1', 2], ['fill:s1-t2', 2], ['fill:s1-t3', 2]]);
  });

  it('settles: delivered once, retry not before its time, failed for good; only by the claimant', async () => {
    const { store, reopen } = await setup();
    await store.outbox.enqueue([1, 2, 3].map((n) => ({ event: fill(n), channels: ['webhook'] as const })), T0);
    await store.outbox.claim({ channel: 'webhook', owner: 'a', now: T0, limit: 3, leaseMs: 60_000 });
    await store.outbox.settle('fill:s1-t1', 'webhook', 'someone-else', { status: 'delivered', at: T0 + 1 });
    await store.outbox.settle('fill:s1-t1', 'webhook', 'a', { status: 'delivered', at: T0 + 2 });
    await store.outbox.settle('fill:s1-t2', 'webhook', 'a', { status: 'retry', error: 'HTTP 503', retryAt: T0 + 5_000 });
    await store.outbox.settle('fill:s1-t3', 'webhook', 'a', { status: 'failed', error: 'HTTP 400 bad request' });
    // a second settle of a delivered row changes nothing
    await store.outbox.settle('fill:s1-t1', 'webhook', 'a', { status: 'retry', error: 'late', retryAt: T0 });

    for (const s of [store, await reopen()]) {
      const rows = new Map((await s.outbox.recent(10)).map((r) => [r.eventId, r]));
      expect(rows.get('fill:s1-t1')).toMatchObject({ status: 'delivered', deliveredAt: T0 + 2, nextAttemptAt: null, attempts: 1, lastError: null });
      expect(rows.get('fill:s1-t2')).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 5_000, lastError: 'HTTP 503', attempts: 1 });
      expect(rows.get('fill:s1-t3')).toMatchObject({ status: 'failed', nextAttemptAt: null, lastError: 'HTTP 400 bad request' });
    }
    expect(await store.outbox.claim({ channel: 'webhook', owner: 'b', now: T0 + 4_999, limit: 5, leaseMs: 1 })).toEqual([]);
    const due = await store.outbox.claim({ channel: 'webhook', owner: 'b', now: T0 + 5_000, limit: 5, leaseMs: 1 });
    expect(due.map((r) => [r.eventId, r.attempts])).toEqual([['fill:s1-t2', 2]]);
  });

  it('keeps pending rows and their claims across a reopen (a restart)', async () => {
    const { store, reopen } = await setup();
    await store.outbox.enqueue([{ event: fill(1), channels: ['telegram'] }], T0);
    await store.outbox.claim({ channel: 'telegram', owner: 'a', now: T0, limit: 1, leaseMs: 10_000 });
    const after = await reopen();
    expect(await after.outbox.claim({ channel: 'telegram', owner: 'b', now: T0 + 1, limit: 1, leaseMs: 10_000 })).toEqual([]);
    const lapsed = await after.outbox.claim({ channel: 'telegram', owner: 'b', now: T0 + 10_001, limit: 1, leaseMs: 10_000 });
    expect(lapsed).toEqual([expect.objectContaining({ eventId: 'fill:s1-t1', attempts: 2, event: fill(1) })]);
  });

  it("is emptied by the store's clear (restore --force)", async () => {
    const { store, reopen } = await setup();
    await store.outbox.enqueue([{ event: fill(1), channels: ['webhook'] }], T0);
    await store.clear();
    expect(await store.outbox.recent(10)).toEqual([]);
    expect(await (await reopen()).outbox.recent(10)).toEqual([]);
  });
});
