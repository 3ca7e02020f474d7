import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { createNotificationChannels, readNotificationSettings } from './notifications.js';

describe('notification settings from the environment', () => {
  it('are off when nothing is set', () => {
    expect(createNotificationChannels(readNotificationSettings({}))).toEqual([]);
  });

  it('turn on each channel whose variables are set, with the default Telegram base URL and rates', () => {
    const settings = readNotificationSettings({
      NOTIFY_WEBHOOK_URL: 'https://example.com/hook',
      NOTIFY_WEBHOOK_SECRET: 's3cret',
      TELEGRAM_BOT_TOKEN: '1:tok',
      TELEGRAM_CHAT_ID: '42',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x',
      DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/1/y',
    });
    expect(settings.telegram).toEqual({ apiUrl: 'https://api.telegram.org', botToken: '1:tok', chatId: '42' });
    const shown = createNotificationChannels(settings).map((c) => c.describe());
    expect(shown.map((c) => [c.name, c.ratePerMinute])).toEqual([['webhook', 120], ['telegram', 20], ['slack', 60], ['discord', 30]]);
    // secrets never shown
    expect(JSON.stringify(shown)).not.toMatch(/s3cret|tok|\/x|\/y/);
    expect(readNotificationSettings({ SLACK_WEBHOOK_URL: 'http://127.0.0.1:1/s', NOTIFY_RATE_PER_MINUTE: '5' }).ratePerMinute.slack).toBe(5);
  });

  it('refuse half a configuration or a URL that is not http(s), naming the variable', () => {
    expect(() => readNotificationSettings({ NOTIFY_WEBHOOK_URL: 'https://example.com/hook' })).toThrow(/NOTIFY_WEBHOOK_SECRET/);
    expect(() => readNotificationSettings({ TELEGRAM_BOT_TOKEN: '1:tok' })).toThrow(/TELEGRAM_CHAT_ID/);
    expect(() => readNotificationSettings({ SLACK_WEBHOOK_URL: 'ftp://x/y' })).toThrow(ConfigError);
    expect(() => readNotificationSettings({ DISCORD_WEBHOOK_URL: 'not a url' })).toThrow(/DISCORD_WEBHOOK_URL must be an http\(s\) URL/);
    expect(() => readNotificationSettings({ SLACK_WEBHOOK_URL: 'http://h/s', NOTIFY_RATE_PER_MINUTE: '0' })).toThrow(/NOTIFY_RATE_PER_MINUTE/);
  });
});
