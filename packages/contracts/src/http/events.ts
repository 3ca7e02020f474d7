import { z } from 'zod';

/** Which live events a client wants: strategy events (fills, equity, status) and feed status. */
export const LiveEventsQuery = z.object({
  strategyId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/).optional().describe('only events of this strategy (feed status always passes)'),
  types: z
    .string()
    .max(200)
    .optional()
    .describe('comma separated subset of: fill, equity, status, feed'),
});
export type LiveEventsQuery = z.infer<typeof LiveEventsQuery>;

export const LiveEventKind = z.enum(['fill', 'equity', 'status', 'feed']);
export type LiveEventKind = z.infer<typeof LiveEventKind>;
