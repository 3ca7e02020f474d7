import { ApiErrorBody, NotificationChannelsResponse, NotificationDeliveriesQuery, type NotificationDeliveryDto } from '@btc-research/contracts';
import type { OutboxDelivery } from '@btc-research/platform';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteOptions } from '../../context.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };

export function deliveryDto(row: OutboxDelivery): NotificationDeliveryDto {
  return {
    eventId: row.eventId,
    channel: row.channel,
    type: row.event.type,
    strategyId: row.event.strategyId,
    text: row.event.text,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt,
    nextAttemptAt: row.nextAttemptAt,
    deliveredAt: row.deliveredAt,
  };
}

/** Where notifications go (read-only): the configured channels, secrets redacted, and the newest outbox rows. */
export const notificationRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/notifications/channels',
    {
      schema: {
        tags: ['notifications'],
        operationId: 'getNotificationChannels',
        summary: 'Notification channels configured by environment (secrets redacted) and the most recent deliveries with their status',
        querystring: NotificationDeliveriesQuery,
        response: { 200: NotificationChannelsResponse, ...errors },
      },
    },
    async (request) => ({
      channels: [...ctx.notificationChannels],
      recentDeliveries: (await ctx.store.outbox.recent(request.query.limit)).map(deliveryDto),
    }),
  );
};
