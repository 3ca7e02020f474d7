import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DataCorruptedError } from '../errors.js';
import { migrate, PostgresStrategyStore } from './postgres-strategy-store.js';
import { STRATEGY_STORE_MIGRATIONS } from './postgres-migrations.js';
import type { BackupRecord } from './strategy-store.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('PostgresStrategyStore migrations and integrity', () => {
  const schemas: string[] = [];
  const stores: PostgresStrategyStore[] = [];
  const newSchema = () => {
    const s = `store_pg_${randomBytes(6).toString('hex')}`;
    schemas.push(s);
    return s;
  };
  async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      return (await client.query<T>(text, params)).rows;
    } finally {
      await client.end();
    }
  }

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const s of schemas.splice(0)) await sql(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  });

  it('runs the migrations once, even when several instances start at the same time', async () => {
    const schema = newSchema();
    const opened = await Promise.all([1, 2, 3].map(() => PostgresStrategyStore.open({ databaseUrl: DATABASE_URL, schema, maxConnections: 2 })));
    stores.push(...opened);
    const rows = await sql<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
    expect(rows.map((r) => r.version)).toEqual(STRATEGY_STORE_MIGRATIONS.map((m) => m.version));
    const tables = await sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schema],
    );
    expect(tables.map((t) => t.table_name).sort()).toEqual(['equity_points', 'leases', 'market_events', 'notification_outbox', 'orders', 'parity_checks', 'positions', 'schema_migrations', 'snapshots', 'start_claims', 'strategies', 'strategy_events', 'strategy_state', 'trades', 'warmup_history']);

    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    try {
      expect(await migrate(pool, schema, STRATEGY_STORE_MIGRATIONS)).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('stores money as numeric and gives back the exact decimal strings', async () => {
    const schema = newSchema();
    const store = await PostgresStrategyStore.open({ databaseUrl: DATABASE_URL, schema });
    stores.push(store);
    await store.appendTrades('s1', [
      { strategyId: 's1', tradeId: 't1', orderId: 'o1', symbol: 'BTCUSDT', side: 'buy', quantity: '0.00000001', price: '123456789.12345678', fee: '0.10000000', realizedPnl: '-0.5', reason: 'r', time: 1_718_000_000_123 },
    ]);
    const types = await sql<{ data_type: string }>(
      `SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'trades' AND column_name = 'price'`,
      [schema],
    );
    expect(types[0]?.data_type).toBe('numeric');
    const [t] = (await store.listTrades('s1', { limit: 1 })).items;
    expect(t).toMatchObject({ quantity: '0.00000001', price: '123456789.12345678', fee: '0.10000000', realizedPnl: '-0.5', time: 1_718_000_000_123 });
  });

  it('detects a state snapshot whose checksum does not match', async () => {
    const schema = newSchema();
    const store = await PostgresStrategyStore.open({ databaseUrl: DATABASE_URL, schema });
    stores.push(store);
    await store.saveState({
      strategyId: 's1', time: 5, cash: '1', equity: '1', positionQty: '0', avgEntryPrice: '0', realizedPnl: '0',
      unrealizedPnl: '0', feesPaid: '0', lastPrice: null, lastCandleCloseTime: null, tradeCount: 0, core: { n: 1 },
    });
    expect((await store.loadState('s1'))?.core).toEqual({ n: 1 });
    await sql(`UPDATE "${schema}".strategy_state SET snapshot = replace(snapshot::text, '"cash":"1"', '"cash":"2"')::json`);
    await expect(store.loadState('s1')).rejects.toBeInstanceOf(DataCorruptedError);
  });

  it('reports a snapshot whose stored state was altered as corrupt', async () => {
    const schema = newSchema();
    const store = await PostgresStrategyStore.open({ databaseUrl: DATABASE_URL, schema });
    stores.push(store);
    await store.saveSnapshot({ strategyId: 's1', eventSeq: 3, marketSeq: 10, time: 5, state: { cash: '1' } });
    expect((await store.loadSnapshot('s1')).status).toBe('ok');
    await sql(`UPDATE "${schema}".snapshots SET state = '{"cash":"2"}'::json`);
    expect(await store.loadSnapshot('s1')).toMatchObject({ status: 'corrupt' });
  });

  it('exports one snapshot of the database: writes made while the export runs are not in it', async () => {
    const schema = newSchema();
    const store = await PostgresStrategyStore.open({ databaseUrl: DATABASE_URL, schema });
    const writer = await PostgresStrategyStore.open({ databaseUrl: DATABASE_URL, schema });
    stores.push(store, writer);
    const trade = (id: string, n: number) => ({ strategyId: id, tradeId: `t${n}`, orderId: `o${n}`, symbol: 'BTCUSDT', side: 'buy' as const, quantity: '1', price: '2', fee: '0', realizedPnl: '0', reason: 'r', time: 1_000 + n });
    for (const id of ['s1', 's2']) {
      await writer.upsertStrategy({ id, name: id, configName: `${id}.yaml`, configYaml: 'name: x\n', symbol: 'BTCUSDT', status: 'running', error: null, initialCash: '1', createdAt: id === 's1' ? 1 : 2, updatedAt: 1 });
      await writer.appendTrades(id, [trade(id, 1)]);
    }
    const records = store.exportData();
    const seen: Array<BackupRecord | undefined> = [];
    // the header, then s1's record: the transaction and its snapshot are open from here on
    for (let i = 0; i < 2; i++) seen.push((await records.next()).value);
    await writer.appendTrades('s2', [trade('s2', 2)]);
    await writer.upsertStrategy({ id: 's3', name: 's3', configName: 's3.yaml', configYaml: 'name: x\n', symbol: 'BTCUSDT', status: 'running', error: null, initialCash: '1', createdAt: 3, updatedAt: 1 });
    for await (const r of records) seen.push(r);
    const tradesOf = (id: string) => seen.flatMap((r) => (r?.kind === 'trades' && r.strategyId === id ? r.trades.map((t) => t.tradeId) : []));
    expect(tradesOf('s2')).toEqual(['t1']);
    expect(seen.filter((r) => r?.kind === 'strategy').map((r) => (r?.kind === 'strategy' ? r.record.id : ''))).toEqual(['s1', 's2']);
    expect(await writer.countTrades('s2')).toBe(2);
  });
});
