import { z } from 'zod';
import { NotificationChannelName, NotificationEventType } from '../messages/notification-event.v1.js';

/** A configured notification channel as the API shows it: where it goes, secrets redacted. */
export const NotificationChannelDto = z
  .object({
    name: NotificationChannelName,
    /** destination with secrets replaced by "***" (tokens, webhook path secrets) */
    target: z.string(),
    /** webhook only: requests carry an HMAC-SHA256 signature */
    signed: z.boolean(),
    /** at most this many deliveries per minute on this channel */
    ratePerMinute: z.number().int().positive(),
  })
  .meta({ id: 'NotificationChannel' });
export type NotificationChannelDto = z.infer<typeof NotificationChannelDto>;

export const NotificationDeliveryStatus = z.enum(['pending', 'delivered', 'failed']);
export type NotificationDeliveryStatus = z.infer<typeof NotificationDeliveryStatus>;

/** One event × channel row of the outbox. */
export const NotificationDeliveryDto = z
  .object({
    eventId: z.string(),
    channel: NotificationChannelName,
    type: NotificationEventType,
    strategyId: z.string().nullable(),
    text: z.string(),
    status: NotificationDeliveryStatus,
    attempts: z.number().int().nonnegative(),
    lastError: z.string().nullable(),
    createdAt: z.number().int(),
    nextAttemptAt: z.number().int().nullable(),
    deliveredAt: z.number().int().nullable(),
  })
  .meta({ id: 'NotificationDelivery' });
export type NotificationDeliveryDto = z.infer<typeof NotificationDeliveryDto>;

export const NotificationDeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const NotificationChannelsResponse = z
  .object({
    /** channels configured by environment; empty when notifications are off */
    channels: z.array(NotificationChannelDto),
    /** the newest outbox rows, newest first */
    recentDeliveries: z.array(NotificationDeliveryDto),
  })
  .meta({ id: 'NotificationChannels' });
export type NotificationChannelsResponse = z.infer<typeof NotificationChannelsResponse>;
