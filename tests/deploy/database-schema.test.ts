/**
 * DATABASE_SCHEMA names the PostgreSQL schema the whole system uses. The paper-trader writes its
 * strategies there; the api-server, started as its container starts it, must read the same
 * schema. Before, the api-server ignored the variable and read `public`: a deployment with its
 * own schema showed an empty strategy list over a store full of trades.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStrategyStore, createStrategyStore, waitFor, type StrategyStore } from '@btc-research/platform';
import { freePort, startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `deploy_schema_${process.pid}_${Date.now() % 100_000}`;
let store: StrategyStore;
let api: ServiceProcess | undefined;

beforeAll(async () => {
  store = await createStrategyStore({ dataDir: '/nonexistent', databaseUrl: DATABASE_URL, databaseSchema: SCHEMA });
  await store.upsertStrategy({ id: 'in-own-schema', name: 'In its own schema', configName: 'own.yaml', configYaml: 'name: own', symbol: 'BTCUSDT', status: 'stopped', error: null, initialCash: '10000', createdAt: 1, updatedAt: 1 });
});

afterAll(async () => {
  await api?.stop();
  await store?.close();
  await PostgresStrategyStore.dropSchema(DATABASE_URL, SCHEMA);
});

describe('DATABASE_SCHEMA', () => {
  it('the api-server process reads the strategies from the schema the variable names', async () => {
    const port = await freePort();
    api = startServiceProcess('api-server', { API_PORT: String(port), DATABASE_URL, DATABASE_SCHEMA: SCHEMA, DATA_DIR: '/nonexistent' });
    const res = await waitFor(async () => fetch(`http://127.0.0.1:${port}/api/v1/strategies/in-own-schema/status`).catch(() => null), { timeoutMs: 25_000, intervalMs: 200, what: `api-server on :${port}` });
    expect(res.status, api.output().slice(-1_000)).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'in-own-schema', status: 'stopped' });
  });
});
