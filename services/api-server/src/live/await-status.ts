import { MessageType, isMessage, type StrategyStatusValue } from '@btc-research/contracts';
import type { LiveEventHub } from './event-hub.js';

export interface AwaitedStatus {
  status: StrategyStatusValue;
  error: string | null;
}

/**
 * Resolves with the first status event of `strategyId` that answers command `commandId` and matches
 * `accept`, or null after `timeoutMs`. Subscribe before publishing the command so nothing is missed.
 */
export function awaitStatus(
  hub: LiveEventHub,
  strategyId: string,
  commandId: string,
  accept: (status: StrategyStatusValue) => boolean,
  timeoutMs: number,
): { result: Promise<AwaitedStatus | null>; cancel: () => void } {
  let unsubscribe: () => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  let settle: (value: AwaitedStatus | null) => void = () => undefined;
  const result = new Promise<AwaitedStatus | null>((resolve) => {
    settle = (value) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    };
    unsubscribe = hub.subscribe((event) => {
      const env = event.envelope;
      if (!isMessage(env, MessageType.strategyStatus) || env.payload.strategyId !== strategyId) return;
      if (env.causationId !== undefined && env.causationId !== commandId) return;
      if (accept(env.payload.status)) settle({ status: env.payload.status, error: env.payload.error });
    });
    timer = setTimeout(() => settle(null), Math.max(0, timeoutMs));
  });
  return { result, cancel: () => settle(null) };
}
