import { DEPENDENCY_WAIT_MS, waitForDependency, withinTime } from '../dependency-wait.js';
import type { Logger } from '../logger.js';
import type { BusTuning } from './bus-tuning.js';
import { InProcessBus } from './in-process-bus.js';
import type { MessageBus } from './message-bus.js';
import type { RawStreamAccess } from './raw-entry.js';
import { RedisBus } from './redis-bus.js';

export interface CreateBusOptions extends BusTuning {
  /** Redis Streams when given (distributed mode), otherwise the in-process bus (embedded mode) */
  redisUrl?: string | undefined;
  logger: Logger;
}

export function createBus(options: CreateBusOptions): MessageBus & RawStreamAccess {
  const { redisUrl, logger, ...tuning } = options;
  if (redisUrl !== undefined && redisUrl !== '') return new RedisBus({ redisUrl, logger, ...tuning });
  return new InProcessBus({ logger, ...tuning });
}

/**
 * The bus a service starts with: like createBus, and in distributed mode it waits (bounded, default
 * 15 s) until Redis answers, so a service that cannot reach Redis fails its start (and exits) instead
 * of running without it. The connection is closed when it gives up.
 */
export async function openBus(options: CreateBusOptions & { reachableWithinMs?: number }): Promise<MessageBus & RawStreamAccess> {
  const { reachableWithinMs = DEPENDENCY_WAIT_MS, ...rest } = options;
  const bus = createBus(rest);
  if (bus instanceof RedisBus) {
    try {
      await waitForDependency('Redis', (remainingMs) => withinTime(bus.ping(), remainingMs, 'Redis'), {
        withinMs: reachableWithinMs,
        onRetry: (err, attempt) => options.logger.warn({ err, attempt }, 'waiting for Redis'),
      });
    } catch (err) {
      await bus.close();
      throw err;
    }
  }
  return bus;
}
