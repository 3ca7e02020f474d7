/**
 * The optional `notifications:` section of a strategy file: which of the channels configured for
 * the system this strategy's events go to, which events, and the drawdown alert threshold.
 *
 *   notifications:
 *     enabled: true                       # default true
 *     channels: [webhook, telegram]       # default: every channel configured by environment
 *     events: [fill, strategy.errored]    # default: every event kind
 *     drawdown_threshold: 0.1             # alert when equity falls 10 % below its peak (default 0.1)
 *
 * Ignored in legacy mode (the original had no notifications). The names below are the same as the
 * contracts' NotificationChannelName / NotificationEventType (the engine imports nothing of ours; a
 * test in the notifier keeps both lists equal).
 */
import { z } from 'zod';

export const NOTIFICATION_CHANNELS = ['webhook', 'telegram', 'slack', 'discord'] as const;
export type NotificationChannelId = (typeof NOTIFICATION_CHANNELS)[number];

export const NOTIFICATION_EVENTS = [
  'fill',
  'strategy.started',
  'strategy.stopped',
  'strategy.errored',
  'parity.check.failed',
  'feed.simulated',
  'feed.stale',
  'drawdown.exceeded',
  'daily.summary',
] as const;
export type NotificationEventKind = (typeof NOTIFICATION_EVENTS)[number];

export const NOTIFICATIONS_KEYS = ['enabled', 'channels', 'events', 'drawdown_threshold'] as const;

export const DEFAULT_DRAWDOWN_THRESHOLD = 0.1;

export const notificationsSchema = z.looseObject({
  enabled: z.boolean().optional(),
  channels: z.array(z.enum(NOTIFICATION_CHANNELS)).optional(),
  events: z.array(z.enum(NOTIFICATION_EVENTS)).optional(),
  drawdown_threshold: z.number().gt(0).max(1).optional(),
});

export interface NotificationsConfig {
  readonly enabled: boolean;
  /** undefined: every channel configured by environment */
  readonly channels: readonly NotificationChannelId[] | undefined;
  /** undefined: every event kind */
  readonly events: readonly NotificationEventKind[] | undefined;
  /** fraction below peak equity that raises a drawdown alert */
  readonly drawdownThreshold: number;
}

/** The typed section from an already validated raw section. */
export function buildNotifications(raw: z.infer<typeof notificationsSchema>): NotificationsConfig {
  return {
    enabled: raw.enabled ?? true,
    channels: raw.channels,
    events: raw.events,
    drawdownThreshold: raw.drawdown_threshold ?? DEFAULT_DRAWDOWN_THRESHOLD,
  };
}
