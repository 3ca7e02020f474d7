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
