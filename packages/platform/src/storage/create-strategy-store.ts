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
  /** PostgreSQL at start-up: retry an unreachable server this long; default 15 000 ms */
  connectWithinMs?: number | undefined;
}

/** The storage backend for this deployment: PostgreSQL when a database URL is given, else JSON files. */
export async function createStrategyStore(options: CreateStrategyStoreOptions): Promise<StrategyStore> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    return PostgresStrategyStore.open({
      databaseUrl: options.databaseUrl,
      ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }),
      ...(options.connectWithinMs === undefined ? {} : { connectWithinMs: options.connectWithinMs }),
    });
  }
  return new JsonStrategyStore({ dataDir: options.dataDir });
}
