import { z } from 'zod';
import { DecimalString, StrategyId, UnixMs } from '../scalars.js';
import { StrategyFillV1 } from './strategy-events.v1.js';

/**
 * Notifications: what is sent to a user's channels (webhook, Telegram, Slack, Discord) when
 * something notable happens. Every event has a stable `id` (its idempotency key: the outbox holds
 * one delivery per id and channel, and webhooks carry it so a receiver can drop a redelivery).
 */

/** Where notifications go. */
export const NotificationChannelName = z.enum(['webhook', 'telegram', 'slack', 'discord']);
export type NotificationChannelName = z.infer<typeof NotificationChannelName>;

const base = {
  /** stable idempotency key, e.g. "fill:<tradeId>" or "daily:<strategyId>:2026-12-05" */
  id: z.string().min(1).max(200),
  /** when it happened (epoch ms UTC) */
  time: UnixMs,
  /** one line a human reads in a chat message */
  text: z.string().max(2_000),
};

const strategyBase = { ...base, strategyId: StrategyId };

export const FillNotificationV1 = z.object({
  ...strategyBase,
  type: z.literal('fill'),
  /** the fill as the strategy.fill event carries it, less what the envelope above already says */
  data: StrategyFillV1.pick({ tradeId: true, orderId: true, symbol: true, side: true, quantity: true, price: true, fee: true, realizedPnl: true, reason: true }),
});

const statusData = z.object({ error: z.string().nullable() });
export const StrategyStartedNotificationV1 = z.object({ ...strategyBase, type: z.literal('strategy.started'), data: statusData });
export const StrategyStoppedNotificationV1 = z.object({ ...strategyBase, type: z.literal('strategy.stopped'), data: statusData });
export const StrategyErroredNotificationV1 = z.object({ ...strategyBase, type: z.literal('strategy.errored'), data: statusData });

/** Raised by the parity monitor when a replay of the recorded inputs differs from what the paper trader did. */
export const ParityCheckFailedNotificationV1 = z.object({
  ...strategyBase,
  type: z.literal('parity.check.failed'),
  data: z.object({
    checkedAt: UnixMs,
    window: z.object({ from: UnixMs, to: UnixMs }),
    /** the first difference: what, where, and both values as text */
    firstDivergence: z
      .object({ field: z.string(), at: z.string(), paper: z.string(), replay: z.string() })
      .loose()
      .optional(),
  }),
});

const feedData = z.object({
  source: z.string(),
  state: z.string(),
  isSimulated: z.boolean(),
  lagMs: z.number().nullable(),
  message: z.string(),
});
/** The market feed fell back to the simulator (not real prices). System-wide: no strategy. */
export const FeedSimulatedNotificationV1 = z.object({ ...base, strategyId: z.null(), type: z.literal('feed.simulated'), data: feedData });
/** The market feed went stale (no new data; last cached data only). System-wide: no strategy. */
export const FeedStaleNotificationV1 = z.object({ ...base, strategyId: z.null(), type: z.literal('feed.stale'), data: feedData });

export const DrawdownExceededNotificationV1 = z.object({
  ...strategyBase,
  type: z.literal('drawdown.exceeded'),
  data: z.object({
    equity: DecimalString,
    peakEquity: DecimalString,
    /** fraction below the peak, e.g. "0.1034" */
    drawdown: DecimalString,
    /** the configured threshold it passed */
    threshold: DecimalString,
  }),
});

/** One strategy's UTC day, sent after 00:00 UTC. */
export const DailySummaryNotificationV1 = z.object({
  ...strategyBase,
  type: z.literal('daily.summary'),
  data: z.object({
    /** the UTC day summarised, YYYY-MM-DD */
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    fills: z.number().int().nonnegative(),
    /** equity at the end of the day, or null when none was recorded (not enough data) */
    equity: DecimalString.nullable(),
    /** equity change over the day, or null when there is not enough data */
    pnl: DecimalString.nullable(),
    realizedPnl: DecimalString.nullable(),
  }),
});

const notificationEvents = [
  FillNotificationV1,
  StrategyStartedNotificationV1,
  StrategyStoppedNotificationV1,
  StrategyErroredNotificationV1,
  ParityCheckFailedNotificationV1,
  FeedSimulatedNotificationV1,
  FeedStaleNotificationV1,
  DrawdownExceededNotificationV1,
  DailySummaryNotificationV1,
] as const;

export const NotificationEventV1 = z.discriminatedUnion('type', [...notificationEvents]);
export type NotificationEventV1 = z.infer<typeof NotificationEventV1>;

type EventKinds<Events> = { -readonly [K in keyof Events]: Events[K] extends { shape: { type: z.ZodLiteral<infer Kind extends string> } } ? Kind : never };

/**
 * Kinds of notification event, as named in a strategy's `notifications.events` list: the `type` of
 * each event above, in the same order (named once, by the events themselves).
 */
export const NotificationEventType = z.enum(notificationEvents.map((event) => event.shape.type.value) as EventKinds<typeof notificationEvents>);
export type NotificationEventType = z.infer<typeof NotificationEventType>;
