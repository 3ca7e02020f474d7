import { JsonStrategyStore } from './json-strategy-store.js';
import type { StrategyStore } from './strategy-store.js';

export interface CreateStrategyStoreOptions {
  /** JSON files under <dataDir>/strategies (embedded/dev mode) */
  dataDir: string;
}

/** The storage backend for this deployment. */
export async function createStrategyStore(options: CreateStrategyStoreOptions): Promise<StrategyStore> {
  return new JsonStrategyStore({ dataDir: options.dataDir });
}
