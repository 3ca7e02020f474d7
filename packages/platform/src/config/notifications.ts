import type { NotificationChannelName } from '@btc-research/contracts';
import { envInt, envOptStr, type EnvRecord } from '../env.js';
import { ConfigError } from '../errors.js';
import type { NotificationChannel } from '../notifications/channel.js';
import { DiscordChannel } from '../notifications/discord-channel.js';
import { SlackChannel } from '../notifications/slack-channel.js';
import { DEFAULT_TELEGRAM_API_URL, TelegramChannel } from '../notifications/telegram-channel.js';
import { WebhookChannel } from '../notifications/webhook-channel.js';

/** Notification channels configured by environment; a channel is on when its variables are set. */
export interface NotificationSettings {
  webhook: { url: string; secret: string } | null;
  telegram: { apiUrl: string; botToken: string; chatId: string } | null;
  slack: { url: string } | null;
  discord: { url: string } | null;
  /** per-channel send limit (sends per minute) */
  ratePerMinute: Record<NotificationChannelName, number>;
}

/** Defaults below each service's documented limit (Telegram: 20/min in a group; Slack: about 1/s; Discord: 30/min per webhook). */
export const DEFAULT_RATE_PER_MINUTE: Readonly<Record<NotificationChannelName, number>> = { webhook: 120, telegram: 20, slack: 60, discord: 30 };

export function readNotificationSettings(env: EnvRecord): NotificationSettings {
  const webhookUrl = httpUrl('NOTIFY_WEBHOOK_URL', envOptStr(env, 'NOTIFY_WEBHOOK_URL'));
  const secret = envOptStr(env, 'NOTIFY_WEBHOOK_SECRET');
  if (webhookUrl !== undefined && secret === undefined) throw new ConfigError('NOTIFY_WEBHOOK_URL is set but NOTIFY_WEBHOOK_SECRET is not: webhook requests are always signed; set a secret the receiver shares');
  const token = envOptStr(env, 'TELEGRAM_BOT_TOKEN');
  const chatId = envOptStr(env, 'TELEGRAM_CHAT_ID');
  if ((token === undefined) !== (chatId === undefined)) throw new ConfigError(`${token === undefined ? 'TELEGRAM_CHAT_ID' : 'TELEGRAM_BOT_TOKEN'} is set but ${token === undefined ? 'TELEGRAM_BOT_TOKEN' : 'TELEGRAM_CHAT_ID'} is not: Telegram needs both`);
  const apiUrl = httpUrl('TELEGRAM_API_URL', envOptStr(env, 'TELEGRAM_API_URL')) ?? DEFAULT_TELEGRAM_API_URL;
  const slack = httpUrl('SLACK_WEBHOOK_URL', envOptStr(env, 'SLACK_WEBHOOK_URL'));
  const discord = httpUrl('DISCORD_WEBHOOK_URL', envOptStr(env, 'DISCORD_WEBHOOK_URL'));
  const override = envOptStr(env, 'NOTIFY_RATE_PER_MINUTE') === undefined ? undefined : envInt(env, 'NOTIFY_RATE_PER_MINUTE', undefined, { min: 1 });
  const rate = (name: NotificationChannelName): number => override ?? DEFAULT_RATE_PER_MINUTE[name];
  return {
    webhook: webhookUrl !== undefined && secret !== undefined ? { url: webhookUrl, secret } : null,
    telegram: token !== undefined && chatId !== undefined ? { apiUrl, botToken: token, chatId } : null,
    slack: slack === undefined ? null : { url: slack },
    discord: discord === undefined ? null : { url: discord },
    ratePerMinute: { webhook: rate('webhook'), telegram: rate('telegram'), slack: rate('slack'), discord: rate('discord') },
  };
}

/** The channels the settings turn on (none: notifications are off). */
export function createNotificationChannels(settings: NotificationSettings): NotificationChannel[] {
  const channels: NotificationChannel[] = [];
  if (settings.webhook) channels.push(new WebhookChannel({ ...settings.webhook, ratePerMinute: settings.ratePerMinute.webhook }));
  if (settings.telegram) channels.push(new TelegramChannel({ ...settings.telegram, ratePerMinute: settings.ratePerMinute.telegram }));
  if (settings.slack) channels.push(new SlackChannel(settings.slack.url, settings.ratePerMinute.slack));
  if (settings.discord) channels.push(new DiscordChannel(settings.discord.url, settings.ratePerMinute.discord));
  return channels;
}

function httpUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${value.slice(0, 80)}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(`${name} must be an http(s) URL, got protocol "${parsed.protocol}"`);
  return value;
}
