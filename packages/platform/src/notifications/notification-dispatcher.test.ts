import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotificationEventV1 } from '@btc-research/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { JsonNotificationOutbox } from '../storage/json-notification-outbox.js';
import { replies, startReceiver, verifyWebhookSignature, type LocalReceiver } from '../testing/notification-receivers.js';
import type { NotificationChannel } from './channel.js';
import { DiscordChannel } from './discord-channel.js';
import { NotificationDispatcher } from './notification-dispatcher.js';
import { SlackChannel } from './slack-channel.js';
import { TelegramChannel } from './telegram-channel.js';
import { WebhookChannel } from './webhook-channel.js';

const T0 = 1_764_892_800_000;
const SECRET = 'whsec-test-3f9a';
const TOKEN = '123456:ABC-token';
const logger = createLogger('notify-test');

function event(n: number, type: 'fill' | 'strategy.errored' = 'fill'): NotificationEventV1 {
  if (type === 'strategy.errored') return { id: `status:s1:${n}:error`, type, time: T0 + n, strategyId: 's1', text: 'stopped with an error: boom', data: { error: 'boom' } };
  return {
    id: `fill:s1-t${n}`,
    type: 'fill',
    time: T0 + n,
    strategyId: 's1',
    text: `bought 0.001 BTCUSDT at 67123.45 (#${n})`,
    data: { tradeId: `s1-t${n}`, orderId: `s1-o${n}`, symbol: 'BTCUSDT', side: 'buy', quantity: '0.001', price: '67123.45', fee: '0.06712345', realizedPnl: '0', reason: 'entry' },
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(reply: Parameters<typeof startReceiver>[0]): Promise<LocalReceiver> {
  const r = await startReceiver(reply);
  cleanups.push(() => r.close());
  return r;
}

async function outbox(): Promise<JsonNotificationOutbox> {
  const dir = await mkdtemp(join(tmpdir(), 'btc-notify-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return new JsonNotificationOutbox(join(dir, 'outbox.jsonl'));
}

/** a dispatcher on a clock the test moves */
function dispatcher(box: JsonNotificationOutbox, channels: NotificationChannel[], clock: { t: number }, maxAttempts = 12) {
  return new NotificationDispatcher({ outbox: box, channels, owner: 'test', logger, now: () => clock.t, retry: { baseMs: 1_000, maxMs: 60_000, random: () => 0.5 }, maxAttempts });
}

describe('notification channels against local servers speaking their APIs', () => {
  it('webhook: a JSON POST of the event, signed with HMAC-SHA256 over "<timestamp>.<body>", with the event id', async () => {
    const server = await receiver(replies.webhook);
    const channel = new WebhookChannel({ url: `${server.url}/hooks/btc`, secret: SECRET, ratePerMinute: 60, now: () => T0 + 42 });
    expect(await channel.send(event(1))).toEqual({ ok: true });
    const [req] = server.received;
    expect(req?.path).toBe('/hooks/btc');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['x-btc-research-timestamp']).toBe(String(T0 + 42));
    expect(req?.headers['x-btc-research-event-id']).toBe('fill:s1-t1');
    expect(req?.json).toEqual(event(1));
    expect(verifyWebhookSignature(req!, SECRET)).toBe(true);
    expect(verifyWebhookSignature(req!, 'another-secret')).toBe(false);
    expect(verifyWebhookSignature({ ...req!, body: req!.body.replace('67123.45', '67123.46') }, SECRET)).toBe(false);
    expect(channel.describe()).toEqual({ name: 'webhook', target: `${server.url}/***`, signed: true, ratePerMinute: 60 });
  });

  it('telegram: Bot API sendMessage on the configured base URL, token kept out of what is shown', async () => {
    const server = await receiver(replies.telegram);
    const channel = new TelegramChannel({ apiUrl: server.url, botToken: TOKEN, chatId: '-100200300', ratePerMinute: 20 });
    expect(await channel.send(event(2, 'strategy.errored'))).toEqual({ ok: true });
    expect(server.received[0]?.path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(server.received[0]?.json).toEqual({ chat_id: '-100200300', text: '[s1] stopped with an error: boom', disable_web_page_preview: true });
    expect(JSON.stringify(channel.describe())).not.toContain('ABC-token');
    server.reply = (_r, res) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error_code: 400, description: `Bad Request: chat not found for ${TOKEN}` }));
    const refused = await channel.send(event(3));
    expect(refused).toMatchObject({ ok: false, retryable: false });
    expect(JSON.stringify(refused)).not.toContain('ABC-token');
  });

  it('telegram and discord: a 429 says how long to wait in its JSON body (retry_after, seconds)', async () => {
    const server = await receiver((r, res) => {
      const body = r.path.startsWith('/bot') ? { ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } } : { message: 'You are being rate limited.', retry_after: 1.5, global: false };
      res.writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    expect(await new TelegramChannel({ apiUrl: server.url, botToken: TOKEN, chatId: '1', ratePerMinute: 20 }).send(event(1))).toMatchObject({ ok: false, retryable: true, retryAfterMs: 3_000 });
    expect(await new DiscordChannel(`${server.url}/api/webhooks/1/abc`, 30).send(event(1))).toMatchObject({ ok: false, retryable: true, retryAfterMs: 1_500 });
  });

  it('slack and discord: incoming-webhook bodies ({text} and {content})', async () => {
    const slack = await receiver(replies.slack);
    const discord = await receiver(replies.discord);
    expect(await new SlackChannel(`${slack.url}/services/T0/B0/xyz`, 60).send(event(1))).toEqual({ ok: true });
    expect(await new DiscordChannel(`${discord.url}/api/webhooks/1/abc`, 30).send(event(1))).toEqual({ ok: true });
    expect(slack.received[0]?.json).toEqual({ text: '[s1] bought 0.001 BTCUSDT at 67123.45 (#1)' });
    expect(discord.received[0]?.json).toEqual({ content: '[s1] bought 0.001 BTCUSDT at 67123.45 (#1)', allowed_mentions: { parse: [] } });
    expect(new SlackChannel(`${slack.url}/services/T0/B0/xyz`, 60).describe().target).toBe(`${slack.url}/***`);
  });
});

describe('NotificationDispatcher', () => {
  it('retries 5xx and 429 with growing backoff (and Retry-After), then delivers once', async () => {
    const server = await receiver(replies.webhook);
    const answers = [503, 500, 429];
    server.reply = (_r, res) => {
      const status = answers.shift();
      if (status === 429) res.writeHead(429, { 'retry-after': '7' }).end('slow down');
      else if (status !== undefined) res.writeHead(status).end('unavailable');
      else res.writeHead(204).end();
    };
    const box = await outbox();
    const clock = { t: T0 };
    const d = dispatcher(box, [new WebhookChannel({ url: server.url, secret: SECRET, ratePerMinute: 60 })], clock);
    await box.enqueue([{ event: event(1), channels: ['webhook'] }], clock.t);

    const retryTimes: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      await d.runOnce();
      const [row] = await box.recent(1);
      if (row?.status !== 'pending') break;
      retryTimes.push(row.nextAttemptAt! - clock.t);
      // not due before its time
      clock.t = row.nextAttemptAt! - 1;
      expect(await d.runOnce()).toBe(0);
      clock.t += 1;
    }
    // backoffDelay with random 0.5: 750 ms, then 1500 ms; the 429 asked for 7 s (more than the 3000 ms backoff)
    expect(retryTimes).toEqual([750, 1_500, 7_000]);
    const [row] = await box.recent(1);
    expect(row).toMatchObject({ status: 'delivered', attempts: 4, lastError: null });
    expect(server.received).toHaveLength(4);
    expect(new Set(server.received.map((r) => r.headers['x-btc-research-event-id']))).toEqual(new Set(['fill:s1-t1']));
    await d.runOnce();
    expect(server.received).toHaveLength(4);
  });

  it('fails for good on a 4xx refusal and after maxAttempts, without blocking the rows behind it', async () => {
    const server = await receiver((r, res) => {
      const id = r.headers['x-btc-research-event-id'];
      if (id === 'fill:s1-t1') res.writeHead(400).end('bad');
      else if (id === 'fill:s1-t2') res.writeHead(502).end('bad gateway');
      else res.writeHead(200).end();
    });
    const box = await outbox();
    const clock = { t: T0 };
    const d = dispatcher(box, [new WebhookChannel({ url: server.url, secret: SECRET, ratePerMinute: 600 })], clock, 3);
    await box.enqueue([1, 2, 3].map((n) => ({ event: event(n), channels: ['webhook'] as const })), clock.t);
    for (let i = 0; i < 5; i += 1) {
      await d.runOnce();
      clock.t += 60_000;
    }
    const rows = new Map((await box.recent(10)).map((r) => [r.eventId, r]));
    expect(rows.get('fill:s1-t1')).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 400: bad' });
    expect(rows.get('fill:s1-t2')).toMatchObject({ status: 'failed', attempts: 3, lastError: 'HTTP 502: bad gateway' });
    expect(rows.get('fill:s1-t3')).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('keeps each channel to its rate per minute, and one slow channel does not hold back another', async () => {
    const webhook = await receiver(replies.webhook);
    const slack = await receiver(replies.slack);
    const box = await outbox();
    const clock = { t: T0 };
    const d = dispatcher(box, [new WebhookChannel({ url: webhook.url, secret: SECRET, ratePerMinute: 3 }), new SlackChannel(slack.url, 10)], clock);
    await box.enqueue([1, 2, 3, 4, 5].map((n) => ({ event: event(n), channels: ['webhook', 'slack'] as const })), clock.t);
    await d.runOnce();
    await d.runOnce();
    expect(webhook.received).toHaveLength(3);
    expect(slack.received).toHaveLength(5);
    clock.t += 59_999;
    await d.runOnce();
    expect(webhook.received).toHaveLength(3);
    clock.t += 1;
    await d.runOnce();
    expect(webhook.received.map((r) => r.headers['x-btc-research-event-id'])).toEqual([1, 2, 3, 4, 5].map((n) => `fill:s1-t${n}`));
  });
});
