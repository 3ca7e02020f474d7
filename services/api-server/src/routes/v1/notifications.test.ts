import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationChannelsResponse, type NotificationEventV1 } from '@btc-research/contracts';
import { createNotificationChannels, readNotificationSettings } from '@btc-research/platform';
import { createHarness, redisUrlFor, RedisDb, type Harness } from '../../test-support/harness.js';

const REDIS_URL = redisUrlFor(RedisDb.shared);
const T0 = 1_764_892_800_000;
let h: Harness;

function errored(n: number): NotificationEventV1 {
  return { id: `status:s${n}:${T0}:errored`, type: 'strategy.errored', time: T0 + n, strategyId: `s${n}`, text: 'strategy stopped with an error: boom', data: { error: 'boom' } };
}

beforeAll(async () => {
  const settings = readNotificationSettings({
    NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/btc/abc-path-secret',
    NOTIFY_WEBHOOK_SECRET: 'hmac-secret-value',
    TELEGRAM_BOT_TOKEN: '123456:TOKEN-secret',
    TELEGRAM_CHAT_ID: '-1001',
  });
  h = await createHarness(REDIS_URL, { notificationChannels: createNotificationChannels(settings).map((c) => c.describe()) });
});
afterAll(async () => h.close());

describe('GET /api/v1/notifications/channels', () => {
  it('shows the configured channels with secrets redacted, and the newest deliveries with their status', async () => {
    await h.store.outbox.enqueue([{ event: errored(1), channels: ['webhook', 'telegram'] }], T0);
    await h.store.outbox.enqueue([{ event: errored(2), channels: ['webhook'] }], T0 + 10);
    await h.store.outbox.claim({ channel: 'webhook', owner: 'w', now: T0 + 20, limit: 1, leaseMs: 1_000 });
    await h.store.outbox.settle(errored(1).id, 'webhook', 'w', { status: 'delivered', at: T0 + 30 });

    const res = await h.app.inject({ url: '/api/v1/notifications/channels?limit=2' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/abc-path-secret|hmac-secret-value|TOKEN-secret/);
    const body = NotificationChannelsResponse.parse(res.json());
    expect(body.channels).toEqual([
      { name: 'webhook', target: 'https://hooks.example.com/***', signed: true, ratePerMinute: 120 },
      { name: 'telegram', target: 'https://api.telegram.org/bot***/sendMessage (chat -1001)', signed: false, ratePerMinute: 20 },
    ]);
    expect(body.recentDeliveries).toHaveLength(2);
    expect(body.recentDeliveries[0]).toMatchObject({ eventId: errored(2).id, channel: 'webhook', type: 'strategy.errored', strategyId: 's2', status: 'pending', attempts: 0 });
    const delivered = (await h.app.inject({ url: '/api/v1/notifications/channels' })).json() as { recentDeliveries: Array<Record<string, unknown>> };
    expect(delivered.recentDeliveries.find((d) => d['eventId'] === errored(1).id && d['channel'] === 'webhook')).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: T0 + 30 });
  });

  it('refuses a limit out of range with a clear error', async () => {
    const res = await h.app.inject({ url: '/api/v1/notifications/channels?limit=5000' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: expect.any(String) } });
  });
});
