import { payloadSchema } from '@btc-research/contracts';
import { contractIssues } from '../api/contract-issues.js';

/** What browsers get over /live/ws and /live/sse: a bus message type and its payload. */
export interface LiveEvent {
  type: string;
  payload: unknown;
  /** event time (ms) when known */
  time?: number;
}

/** An event from the API whose payload matches its contract schema; otherwise why not. */
export type CheckedEvent = { event: LiveEvent } | { issue: string };

export function checkedEvent(type: string, payload: unknown, time?: number): CheckedEvent {
  const schema = payloadSchema(type, 1);
  if (schema === undefined) return { issue: `unknown event type "${type}"` };
  const parsed = schema.safeParse(payload);
  if (!parsed.success) return { issue: `${type}: ${contractIssues(parsed.error).join('; ')}` };
  return { event: { type, payload: parsed.data, ...(time !== undefined ? { time } : {}) } };
}

export function strategyIdOf(event: LiveEvent): string | null {
  const payload = event.payload;
  if (typeof payload !== 'object' || payload === null) return null;
  const id = (payload as { strategyId?: unknown }).strategyId;
  return typeof id === 'string' ? id : null;
}

/** A browser that asked for one strategy's events gets those and the ones of no strategy (feed). */
export function isWantedBy(event: LiveEvent, strategy: string | null): boolean {
  if (strategy === null) return true;
  const id = strategyIdOf(event);
  return id === null || id === strategy;
}

/** Not a bus message: the dashboard's own word on its connection to the API (see LiveHub). */
export const UPSTREAM_EVENT_TYPE = 'live.upstream';

export function upstreamEvent(mode: 'idle' | 'sse' | 'poll'): LiveEvent {
  return { type: UPSTREAM_EVENT_TYPE, payload: { mode } };
}
