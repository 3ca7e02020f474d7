import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationEventV1 } from '@btc-research/contracts';
import { createNotificationChannels, readNotificationSettings } from '@btc-research/platform';
import { startDashboard, type RunningDashboard } from '../../services/dashboard/src/index.js';
import { DEFAULT_DEV_API_KEY } from '../../services/api-server/src/index.js';
import { silentLogger } from './support/logger.js';
import { startSeededApi, type RealApi } from './support/real-api.js';

// The dashboard's notifications page is server-rendered: its HTML says where alerts go and what
// became of the latest ones (the Chromium suites cover the layout every page shares).
let api: RealApi;
let dash: RunningDashboard;

const settings = readNotificationSettings({
  NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/btc/path-secret-123',
  NOTIFY_WEBHOOK_SECRET: 'hmac-secret-456',
  DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/1/discord-secret-789',
});

function errored(): NotificationEventV1 {
  return { id: 'status:demo-rsi:1:errored', type: 'strategy.errored', time: 1_764_892_800_000, strategyId: 'demo-rsi', text: 'strategy stopped with an error: corrupt candle', data: { error: 'corrupt candle' } };
}

beforeAll(async () => {
  api = await startSeededApi({ notificationChannels: createNotificationChannels(settings).map((c) => c.describe()) });
  dash = await startDashboard({ host: '127.0.0.1', port: 0, apiUrl: api.url, apiKey: DEFAULT_DEV_API_KEY, logger: silentLogger() });
});

afterAll(async () => {
  await dash?.close();
  await api?.close();
});

describe('dashboard notifications page', () => {
  it('shows the configured channels without their secrets and the latest deliveries with status and error', async () => {
    await api.store.outbox.enqueue([{ event: errored(), channels: ['webhook', 'discord'] }], 1_764_892_800_500);
    await api.store.outbox.claim({ channel: 'discord', owner: 't', now: 1_764_892_801_000, limit: 1, leaseMs: 1_000 });
    await api.store.outbox.settle(errored().id, 'discord', 't', { status: 'retry', error: 'HTTP 429: rate limited', retryAt: 1_764_892_830_000 });

    const res = await fetch(`${dash.url}/notifications`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toMatch(/path-secret-123|hmac-secret-456|discord-secret-789/);
    expect(html).toContain('<tr data-channel="webhook">');
    expect(html).toContain('https://hooks.example.com/***');
    expect(html).toContain('HMAC-SHA256');
    expect(html).toContain('<tr data-channel="discord">');
    expect(html).toMatch(/data-event="status:demo-rsi:1:errored" data-delivery-channel="discord" data-status="pending"/);
    expect(html).toContain('HTTP 429: rate limited');
    expect(html).toContain('strategy stopped with an error: corrupt candle');
    expect(html).toContain('href="/notifications" aria-current="page"');
  });
});
