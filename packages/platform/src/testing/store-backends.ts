import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach } from 'vitest';
import { JsonStrategyStore } from '../storage/json-strategy-store.js';
import { PostgresStrategyStore } from '../storage/postgres-strategy-store.js';
import type { StrategyStore } from '../storage/strategy-store.js';

/**
 * The store backends the conformance suites run against. A backend gives a fresh isolated location;
 * `open` may be called more than once for it (a restart) and must see the same data.
 */
export interface StoreBackend {
  name: string;
  /** what the store writes as a backup's `source` */
  storeKind: 'json' | 'postgres';
  createLocation(): Promise<{ open(): Promise<StrategyStore>; dispose(): Promise<void> }>;
}

export const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

function jsonBackend(name: string, options: { marketLogSegmentBytes?: number; marketLogRecentCache?: number } = {}): StoreBackend {
  return {
    name,
    storeKind: 'json',
    async createLocation() {
      const dir = await mkdtemp(join(tmpdir(), 'btc-store-'));
      return {
        open: async () => new JsonStrategyStore({ dataDir: dir, ...options }),
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    },
  };
}

export const jsonStoreBackend = jsonBackend('json');

/** the JSON store with tiny market-log segments, so every market-log case crosses segment files */
export const jsonSmallSegmentsStoreBackend = jsonBackend('json (small market-log segments)', { marketLogSegmentBytes: 400, marketLogRecentCache: 2 });

/** each location is its own schema, dropped afterwards */
export const postgresStoreBackend: StoreBackend = {
  name: 'postgres',
  storeKind: 'postgres',
  async createLocation() {
    const schema = `store_test_${randomBytes(6).toString('hex')}`;
    return {
      open: () => PostgresStrategyStore.open({ databaseUrl: DATABASE_URL, schema, maxConnections: 4 }),
      dispose: () => PostgresStrategyStore.dropSchema(DATABASE_URL, schema),
    };
  },
};

/**
 * Opens stores at fresh locations and, after each test, closes every store opened and removes
 * every location. Call it inside a `describe`.
 */
export function storesClosedAfterEach() {
  const cleanups: Array<() => Promise<void>> = [];
  const stores: StrategyStore[] = [];

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const c of cleanups.splice(0)) await c();
  });

  /** a store at a fresh location of the backend, and `reopen` for another store at the same location (a restart) */
  async function setup(backend: StoreBackend): Promise<{ store: StrategyStore; reopen: () => Promise<StrategyStore> }> {
    const location = await backend.createLocation();
    cleanups.push(location.dispose);
    const open = async () => {
      const s = await location.open();
      stores.push(s);
      return s;
    };
    return { store: await open(), reopen: open };
  }

  return { setup, fresh: async (backend: StoreBackend) => (await setup(backend)).store };
}
