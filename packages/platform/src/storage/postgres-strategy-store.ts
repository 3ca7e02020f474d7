import { createHash } from 'node:crypto';
import { StrategyFillV1 } from '@btc-research/contracts';
import pg from 'pg';
import { DataCorruptedError, ValidationError } from '../errors.js';
import { STRATEGY_STORE_MIGRATIONS, type Migration } from './postgres-migrations.js';
import type {
  EquityPoint,
  PositionRecord,
  StrategyRecord,
  StrategyState,
  StrategyStore,
  TradePage,
  TradeQuery,
  TradeRecord,
} from './strategy-store.js';
import { decodeTradeCursor, encodeTradeCursor } from './trade-cursor.js';
import { assertStrategyId, assertTradeQuery, checkEquityPoints, checkPositions, checkStrategyRecord, checkStrategyState, checkTrades, parseStoredState } from './validate.js';

export interface PostgresStrategyStoreOptions {
  databaseUrl: string;
  /** schema holding the tables (created if missing); default "public" */
  schema?: string;
  /** pool size; default 10 */
  maxConnections?: number;
}

/** epoch ms → timestamptz without floating point */
const TS = (param: string) => `(timestamptz 'epoch' + (${param})::bigint * interval '1 millisecond')`;
/** timestamptz → epoch ms */
const MS = (column: string) => `(extract(epoch from ${column}) * 1000)::bigint`;

function checksumOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new ValidationError(`invalid schema name "${name}"`);
  return `"${name}"`;
}

/** A stable advisory-lock key for migrating one schema. */
function lockKey(schema: string): string {
  return BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(`btc-research:strategy-store:${schema}`).digest('hex').slice(0, 16)}`)).toString();
}

/**
 * StrategyStore over PostgreSQL. `open()` runs the migrations at start-up under an advisory lock,
 * so several instances may start at once. Money columns are numeric and come back as the exact
 * decimal strings; times are timestamptz, converted to epoch ms here.
 */
export class PostgresStrategyStore implements StrategyStore {
  readonly kind = 'postgres' as const;
  private isClosed = false;

  private constructor(
    private readonly pool: pg.Pool,
    readonly schema: string,
  ) {}

  static async open(options: PostgresStrategyStoreOptions): Promise<PostgresStrategyStore> {
    const schema = options.schema ?? 'public';
    const quoted = quoteIdent(schema);
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.maxConnections ?? 10,
      options: `-c search_path=${quoted}`,
    });
    pool.on('error', () => undefined); // idle client errors surface on the next query instead
    try {
      await migrate(pool, schema, STRATEGY_STORE_MIGRATIONS);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStrategyStore(pool, schema);
  }

  async listStrategies(): Promise<StrategyRecord[]> {
    const { rows } = await this.pool.query(`${SELECT_STRATEGY} ORDER BY created_at, id`);
    return rows.map(toStrategy);
  }

  async getStrategy(id: string): Promise<StrategyRecord | null> {
    assertStrategyId(id);
    const { rows } = await this.pool.query(`${SELECT_STRATEGY} WHERE id = $1`, [id]);
    return rows[0] ? toStrategy(rows[0]) : null;
  }

  async upsertStrategy(record: StrategyRecord): Promise<void> {
    assertStrategyId(record.id);
    checkStrategyRecord(record);
    await this.pool.query(
      `INSERT INTO strategies (id, name, config_name, config_yaml, symbol, status, error, initial_cash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::numeric, ${TS('$9')}, ${TS('$10')})
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, config_name = EXCLUDED.config_name,
         config_yaml = EXCLUDED.config_yaml, symbol = EXCLUDED.symbol, status = EXCLUDED.status,
         error = EXCLUDED.error, initial_cash = EXCLUDED.initial_cash, created_at = EXCLUDED.created_at,
         updated_at = EXCLUDED.updated_at`,
      [record.id, record.name, record.configName, record.configYaml, record.symbol, record.status, record.error, record.initialCash, record.createdAt, record.updatedAt],
    );
  }

  async saveState(state: StrategyState): Promise<void> {
    assertStrategyId(state.strategyId);
    checkStrategyState(state);
    const text = JSON.stringify(state);
    await this.pool.query(
      `INSERT INTO strategy_state (strategy_id, time, snapshot, checksum, saved_at) VALUES ($1, ${TS('$2')}, $3::json, $4, now())
       ON CONFLICT (strategy_id) DO UPDATE SET time = EXCLUDED.time, snapshot = EXCLUDED.snapshot, checksum = EXCLUDED.checksum, saved_at = now()`,
      [state.strategyId, Math.max(0, Math.floor(state.time)), text, checksumOf(text)],
    );
  }

  async loadState(id: string): Promise<StrategyState | null> {
    assertStrategyId(id);
    const { rows } = await this.pool.query<{ snapshot: string; checksum: string }>(
      `SELECT snapshot::text AS snapshot, checksum FROM strategy_state WHERE strategy_id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    const where = `strategy_state[${id}]`;
    if (checksumOf(row.snapshot) !== row.checksum) {
      throw new DataCorruptedError(`${where}: snapshot checksum mismatch`, { details: { strategyId: id } });
    }
    return parseStoredState(JSON.parse(row.snapshot) as unknown, where);
  }

  async appendTrades(id: string, trades: readonly TradeRecord[]): Promise<void> {
    assertStrategyId(id);
    checkTrades(id, trades);
    if (trades.length === 0) return;
    const cols = { trade: [] as string[], order: [] as string[], symbol: [] as string[], side: [] as string[], qty: [] as string[], price: [] as string[], fee: [] as string[], pnl: [] as string[], reason: [] as string[], time: [] as string[] };
    for (const t of trades) {
      cols.trade.push(t.tradeId);
      cols.order.push(t.orderId);
      cols.symbol.push(t.symbol);
      cols.side.push(t.side);
      cols.qty.push(t.quantity);
      cols.price.push(t.price);
      cols.fee.push(t.fee);
      cols.pnl.push(t.realizedPnl);
      cols.reason.push(t.reason);
      cols.time.push(String(t.time));
    }
    await this.pool.query(
      `INSERT INTO trades (strategy_id, trade_id, order_id, symbol, side, quantity, price, fee, realized_pnl, reason, time)
       SELECT $1, u.trade_id, u.order_id, u.symbol, u.side, u.quantity::numeric, u.price::numeric, u.fee::numeric, u.pnl::numeric, u.reason, ${TS('u.time')}
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
            WITH ORDINALITY AS u(trade_id, order_id, symbol, side, quantity, price, fee, pnl, reason, time, ord)
       ORDER BY u.ord
       ON CONFLICT (strategy_id, trade_id) DO NOTHING`,
      [id, cols.trade, cols.order, cols.symbol, cols.side, cols.qty, cols.price, cols.fee, cols.pnl, cols.reason, cols.time],
    );
  }

  /** Newest first; `from` inclusive, `to` exclusive (epoch ms); cursor from a previous page. */
  async listTrades(id: string, query: TradeQuery): Promise<TradePage> {
    assertStrategyId(id);
    assertTradeQuery(query);
    const cursor = query.cursor === undefined ? null : decodeTradeCursor(query.cursor);
    const params: unknown[] = [id];
    const where = ['strategy_id = $1'];
    if (query.from !== undefined) {
      params.push(query.from);
      where.push(`time >= ${TS(`$${params.length}`)}`);
    }
    if (query.to !== undefined) {
      params.push(query.to);
      where.push(`time < ${TS(`$${params.length}`)}`);
    }
    if (cursor) {
      params.push(cursor.time, cursor.seq);
      where.push(`(time, seq) < (${TS(`$${params.length - 1}`)}, $${params.length}::bigint)`);
    }
    params.push(query.limit + 1);
    const { rows } = await this.pool.query(
      `SELECT seq::text AS seq, strategy_id, trade_id, order_id, symbol, side, quantity::text AS quantity, price::text AS price,
              fee::text AS fee, realized_pnl::text AS realized_pnl, reason, ${MS('time')}::text AS time_ms
       FROM trades WHERE ${where.join(' AND ')} ORDER BY time DESC, seq DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toTrade),
      nextCursor: rows.length > query.limit && last ? encodeTradeCursor({ time: Number(last.time_ms), seq: Number(last.seq) }) : null,
    };
  }

  async countTrades(id: string): Promise<number> {
    assertStrategyId(id);
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM trades WHERE strategy_id = $1`, [id]);
    return Number(rows[0]?.n ?? 0);
  }

  async savePositions(id: string, positions: readonly PositionRecord[]): Promise<void> {
    assertStrategyId(id);
    checkPositions(id, positions);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('DELETE FROM positions WHERE strategy_id = $1', [id]);
      let ordinal = 0;
      for (const p of positions) {
        await client.query(
          `INSERT INTO positions (strategy_id, symbol, ordinal, quantity, average_price, unrealized_pnl, realized_pnl, updated_at)
           VALUES ($1, $2, $3, $4::numeric, $5::numeric, $6::numeric, $7::numeric, ${TS('$8')})`,
          [id, p.symbol, ordinal++, p.quantity, p.averagePrice, p.unrealizedPnl, p.realizedPnl, p.updatedAt],
        );
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async loadPositions(id: string): Promise<PositionRecord[]> {
    assertStrategyId(id);
    const { rows } = await this.pool.query(
      `SELECT strategy_id, symbol, quantity::text AS quantity, average_price::text AS average_price, unrealized_pnl::text AS unrealized_pnl,
              realized_pnl::text AS realized_pnl, ${MS('updated_at')}::text AS updated_ms
       FROM positions WHERE strategy_id = $1 ORDER BY ordinal`,
      [id],
    );
    return rows.map((r) => ({
      strategyId: String(r.strategy_id),
      symbol: String(r.symbol),
      quantity: String(r.quantity),
      averagePrice: String(r.average_price),
      unrealizedPnl: String(r.unrealized_pnl),
      realizedPnl: String(r.realized_pnl),
      updatedAt: Number(r.updated_ms),
    }));
  }

  /** Idempotent on time: points not newer than the last stored one are skipped (as the JSON store). */
  async appendEquity(id: string, points: readonly EquityPoint[]): Promise<void> {
    assertStrategyId(id);
    checkEquityPoints(points);
    const ordered: EquityPoint[] = [];
    for (const p of points) if (ordered.length === 0 || p.time > ordered[ordered.length - 1]!.time) ordered.push(p);
    if (ordered.length === 0) return;
    await this.pool.query(
      `INSERT INTO equity_points (strategy_id, time, equity)
       SELECT $1, ${TS('u.time')}, u.equity::numeric FROM unnest($2::text[], $3::text[]) AS u(time, equity)
       WHERE ${TS('u.time')} > coalesce((SELECT max(time) FROM equity_points WHERE strategy_id = $1), '-infinity'::timestamptz)
       ON CONFLICT (strategy_id, time) DO NOTHING`,
      [id, ordered.map((p) => String(p.time)), ordered.map((p) => p.equity)],
    );
  }

  /** Points with time >= since, oldest first, at most `limit`. */
  async listEquity(id: string, since: number, limit: number): Promise<EquityPoint[]> {
    assertStrategyId(id);
    const { rows } = await this.pool.query(
      `SELECT ${MS('time')}::text AS time_ms, equity::text AS equity FROM equity_points
       WHERE strategy_id = $1 AND time >= ${TS('$2')} ORDER BY time LIMIT $3`,
      [id, Math.max(0, Math.floor(since)), Math.max(0, Math.floor(limit))],
    );
    return rows.map((r) => ({ time: Number(r.time_ms), equity: String(r.equity) }));
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.pool.end();
  }
}

const SELECT_STRATEGY = `SELECT id, name, config_name, config_yaml, symbol, status, error, initial_cash::text AS initial_cash,
  ${MS('created_at')}::text AS created_ms, ${MS('updated_at')}::text AS updated_ms FROM strategies`;

function toStrategy(r: Record<string, unknown>): StrategyRecord {
  return {
    id: String(r['id']),
    name: String(r['name']),
    configName: String(r['config_name']),
    configYaml: String(r['config_yaml']),
    symbol: String(r['symbol']),
    status: String(r['status']) as StrategyRecord['status'],
    error: r['error'] === null ? null : String(r['error']),
    initialCash: String(r['initial_cash']),
    createdAt: Number(r['created_ms']),
    updatedAt: Number(r['updated_ms']),
  };
}

function toTrade(r: Record<string, unknown>): TradeRecord {
  const trade = {
    strategyId: String(r['strategy_id']),
    tradeId: String(r['trade_id']),
    orderId: String(r['order_id']),
    symbol: String(r['symbol']),
    side: String(r['side']),
    quantity: String(r['quantity']),
    price: String(r['price']),
    fee: String(r['fee']),
    realizedPnl: String(r['realized_pnl']),
    reason: String(r['reason']),
    time: Number(r['time_ms']),
  };
  const parsed = StrategyFillV1.safeParse(trade);
  if (!parsed.success) throw new DataCorruptedError(`trades[${trade.tradeId}]: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Applies missing migrations in order, in one transaction under an advisory lock. */
export async function migrate(pool: pg.Pool, schema: string, migrations: readonly Migration[]): Promise<number[]> {
  const quoted = quoteIdent(schema);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey(schema)]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
