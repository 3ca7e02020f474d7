import { z } from 'zod';
import { StrategyId, UnixMs } from '../scalars.js';

/** Which live events a client wants: strategy events (fills, equity, status, parity checks) and feed status. */
export const LiveEventsQuery = z.object({
  strategyId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/).optional().describe('only events of this strategy (feed status always passes)'),
  types: z
    .string()
    .max(200)
    .optional()
    .describe('comma separated subset of: fill, equity, status, feed, parity'),
});
export type LiveEventsQuery = z.infer<typeof LiveEventsQuery>;

export const LiveEventKind = z.enum(['fill', 'equity', 'status', 'feed', 'parity']);
export type LiveEventKind = z.infer<typeof LiveEventKind>;

/**
 * One live event as GET /events (SSE `data:`) and GET /events/ws send it. `payload` is the bus
 * message's payload: read it with `payloadSchema(type, 1)`.
 */
export const LiveEventMessage = z
  .object({
    kind: LiveEventKind,
    cursor: z.string().describe('<stream>|<entry id>; the SSE id, for Last-Event-ID'),
    strategyId: StrategyId.nullable(),
    type: z.string().describe('the message type, e.g. strategy.order.filled'),
    tsEvent: UnixMs,
    payload: z.unknown(),
  })
  .meta({ id: 'LiveEvent' });
export type LiveEventMessage = z.infer<typeof LiveEventMessage>;

/** The SSE event name of the first event GET /events sends; its data is the current FeedStatusResponse. */
export const FEED_SNAPSHOT_EVENT = 'feed-snapshot';
