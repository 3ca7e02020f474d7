import { z } from 'zod';

export const HealthResponse = z.object({ status: z.literal('ok'), uptimeMs: z.number().nonnegative() }).meta({ id: 'Health' });

export const ReadinessResponse = z
  .object({
    status: z.enum(['ready', 'not-ready']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), message: z.string() })),
  })
  .meta({ id: 'Readiness' });
export type ReadinessResponse = z.infer<typeof ReadinessResponse>;
