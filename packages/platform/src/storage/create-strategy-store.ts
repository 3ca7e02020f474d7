import { JsonStrategyStore } from './json-strategy-store.js';
import { PostgresStrategyStore } from './postgres-strategy-store.js';
import type { StrategyStore } from './strategy-store.js';

export interface CreateStrategyStoreOptions {
  /** JSON files under <dataDir>/strategies (embedded/dev mode); used when no databaseUrl is given */
  dataDir: string;
  /** PostgreSQL (distributed/prod mode); migrations run before this resolves */
  databaseUrl?: string | undefined;
  /** PostgreSQL schema; default "public" */
  databaseSchema?: string | undefined;
}

/** The storage backend for this deployment: PostgreSQL when a database URL is given, else JSON files. */
export async function createStrategyStore(options: CreateStrategyStoreOptions): Promise<StrategyStore> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    return PostgresStrategyStore.open({
      databaseUrl: options.databaseUrl,
      ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }),
    });
  }
  return new JsonStrategyStore({ dataDir: options.dataDir });
}
