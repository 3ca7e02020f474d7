import { z } from 'zod';
import { UnixMs } from './scalars.js';

/**
 * Every message on the bus is an envelope. `type` names the payload (past tense for events,
 * imperative for commands) and `v` its schema version; both are also stored outside the JSON so a
 * consumer can route without parsing.
 */
export const EnvelopeBase = z.object({
  id: z.string().min(1).max(200),
  type: z.string().min(1),
  v: z.number().int().min(1),
  source: z.string().min(1),
  tsEvent: UnixMs,
  tsInit: UnixMs,
  correlationId: z.string().optional(),
  causationId: z.string().optional(),
  payload: z.unknown(),
});
export type EnvelopeBase = z.infer<typeof EnvelopeBase>;

export interface Envelope<T extends string = string, P = unknown> {
  id: string;
  type: T;
  v: number;
  source: string;
  tsEvent: number;
  tsInit: number;
  correlationId?: string;
  causationId?: string;
  payload: P;
}
