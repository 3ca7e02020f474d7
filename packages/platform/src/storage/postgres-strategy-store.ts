import { createHash } from 'node:crypto';
import { StrategyFillV1, StrategyParityCheckedV1, type StrategyStatusValue } from '@btc-research/contracts';
import pg from 'pg';
import { ConflictError, DataCorruptedError, ValidationError } from '../errors.js';
import { DEPENDENCY_WAIT_MS, waitForDependency } from '../dependency-wait.js';
import { PostgresNotificationOutbox } from './postgres-notification-outbox.js';
import { STRATEGY_STORE_MIGRATIONS, type Migration } from './postgres-migrations.js';
import { snapshotChecksum } from './snapshot-checksum.js';
import { dumpStore, isStoreEmpty, loadRecords } from './store-backup.js';
import { LIVE_STRATEGY_STATUSES } from './strategy-store.js';
import type { BackupCounts, BackupRecord, StartClaim, StartClaimRequest, EquityPoint, LeaseInfo, MarketEventRecord, OrderQuery, OrderRecord, ParityCheckRecord, SnapshotLoad, SnapshotRecord, StrategyEffects, StrategyEffectsBatch, StrategyEventRecord, PositionRecord, StrategyRecord, StrategyState, StrategyStore, TradePage, TradeQuery, TradeRecord, WarmupHistoryRecord } from './strategy-store.js';
import { decodeTradeCursor, encodeTradeCursor } from './trade-cursor.js';
import {
  assertStrategyId,
  assertTradeQuery,
  checkEquityPoints,
  checkEvents,
  checkMarketEvents,
  checkNumberedMarketEvents,
  checkOrders,
  checkParityCheck,
  checkWarmupHistory,
  StoredWarmupHistory,
  checkPositions,
  checkStrategyRecord,
  checkStrategyState,
  checkTrades,
  parseStored,
  parseStoredState,
} from './validate.js';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface PostgresStrategyStoreOptions {
  databaseUrl: string;
  /** schema holding the tables (created if missing); default "public" */
  schema?: string;
  /** pool size; default 10 */
  maxConnections?: number;
  /** at start-up, retry an unreachable server for this long before giving up; default 15 000 ms */
  connectWithinMs?: number;
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
  readonly outbox: PostgresNotificationOutbox;

  private constructor(
    private readonly pool: pg.Pool,
    readonly schema: string,
    /** set on a view bound to one connection inside a transaction (backup, restore) */
    private readonly client: pg.PoolClient | null = null,
  ) {
    this.outbox = new PostgresNotificationOutbox(pool);
  }

  /** where queries go: the bound connection of a view, else the pool */
  private get db(): Queryable {
    return this.client ?? this.pool;
  }

  static async open(options: PostgresStrategyStoreOptions): Promise<PostgresStrategyStore> {
    const schema = options.schema ?? 'public';
    const quoted = quoteIdent(schema);
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.maxConnections ?? 10,
      options: `-c search_path=${quoted}`,
      // a host that drops packets must not hang a connect (or a start-up) forever
      connectionTimeoutMillis: 5_000,
    });
    pool.on('error', () => undefined); // idle client errors surface on the next query instead
    try {
      // a server that is still starting (or briefly unreachable) gets a bounded number of retries
      await waitForDependency('PostgreSQL', () => migrate(pool, schema, STRATEGY_STORE_MIGRATIONS), { withinMs: options.connectWithinMs ?? DEPENDENCY_WAIT_MS });
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStrategyStore(pool, schema);
  }

  /** Drops a schema and everything in it (test clean-up, tearing down a deployment). */
  static async dropSchema(databaseUrl: string, schema: string): Promise<void> {
    const quoted = quoteIdent(schema);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${quoted} CASCADE`);
    } finally {
      await client.end();
    }
  }

  async listStrategies(): Promise<StrategyRecord[]> {
    const { rows } = await this.db.query(`${SELECT_STRATEGY} ORDER BY created_at, id`);
    return rows.map(toStrategy);
  }

  async getStrategy(id: string): Promise<StrategyRecord | null> {
    assertStrategyId(id);
    const { rows } = await this.db.query(`${SELECT_STRATEGY} WHERE id = $1`, [id]);
    return rows[0] ? toStrategy(rows[0]) : null;
  }

  async upsertStrategy(record: StrategyRecord): Promise<void> {
    assertStrategyId(record.id);
    checkStrategyRecord(record);
    await this.db.query(
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
    await writeState(this.db, state);
  }

  async loadState(id: string): Promise<StrategyState | null> {
    assertStrategyId(id);
    const { rows } = await this.db.query<{ snapshot: string; checksum: string }>(
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
    await insertTrades(this.db, id, trades);
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
    const { rows } = await this.db.query(
      `SELECT seq::text AS seq_text, strategy_id, trade_id, order_id, symbol, side, quantity::text AS quantity, price::text AS price,
              fee::text AS fee, realized_pnl::text AS realized_pnl, reason, ${MS('time')}::text AS time_ms, liquidity, quality::text AS quality,
              provenance::text AS provenance
       FROM trades WHERE ${where.join(' AND ')} ORDER BY time DESC, seq DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toTrade),
      nextCursor: rows.length > query.limit && last ? encodeTradeCursor({ time: Number(last.time_ms), seq: Number(last.seq_text) }) : null,
    };
  }

  async countTrades(id: string): Promise<number> {
    assertStrategyId(id);
    const { rows } = await this.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM trades WHERE strategy_id = $1`, [id]);
    return Number(rows[0]?.n ?? 0);
  }

  async savePositions(id: string, positions: readonly PositionRecord[]): Promise<void> {
    assertStrategyId(id);
    checkPositions(id, positions);
    await this.transaction((client) => replacePositions(client, id, positions));
  }

  async deleteStrategy(id: string): Promise<boolean> {
    assertStrategyId(id);
    return this.transaction(async (client) => {
      for (const table of ['strategy_state', 'trades', 'positions', 'equity_points', 'orders', 'strategy_events', 'snapshots', 'start_claims', 'parity_checks', 'warmup_history']) {
        await client.query(`DELETE FROM ${table} WHERE strategy_id = $1`, [id]);
      }
      const { rowCount } = await client.query('DELETE FROM strategies WHERE id = $1', [id]);
      return (rowCount ?? 0) > 0;
    });
  }

  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    // a bound view is inside its caller's transaction already
    if (this.client) return fn(this.client);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async loadPositions(id: string): Promise<PositionRecord[]> {
    assertStrategyId(id);
    const { rows } = await this.db.query(
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
    await insertEquity(this.db, id, points);
  }

  /** Points with time >= since, oldest first, at most `limit`. */
  async listEquity(id: string, since: number, limit: number): Promise<EquityPoint[]> {
    assertStrategyId(id);
    const { rows } = await this.db.query(
      `SELECT ${MS('time')}::text AS time_ms, equity::text AS equity FROM equity_points
       WHERE strategy_id = $1 AND time >= ${TS('$2')} ORDER BY time LIMIT $3`,
      [id, Math.max(0, Math.floor(since)), Math.max(0, Math.floor(limit))],
    );
    return rows.map((r) => ({ time: Number(r.time_ms), equity: String(r.equity) }));
  }

  async upsertOrders(id: string, orders: readonly OrderRecord[]): Promise<void> {
    assertStrategyId(id);
    checkOrders(id, orders);
    await upsertOrderRows(this.db, id, orders);
  }

  async listOrders(id: string, query: OrderQuery): Promise<OrderRecord[]> {
    assertStrategyId(id);
    const { rows } = await this.db.query(
      `${SELECT_ORDER} WHERE o.strategy_id = $1 ${query.openOnly ? "AND o.status IN ('pending', 'open')" : ''} ORDER BY o.decided_at DESC, o.ord DESC LIMIT $2`,
      [id, Math.max(0, Math.floor(query.limit))],
    );
    return rows.map(toOrder);
  }

  async getOrder(id: string, orderId: string): Promise<OrderRecord | null> {
    assertStrategyId(id);
    const { rows } = await this.db.query(`${SELECT_ORDER} WHERE o.strategy_id = $1 AND o.order_id = $2`, [id, orderId]);
    return rows[0] ? toOrder(rows[0]) : null;
  }

  async appendEvents(id: string, events: readonly StrategyEventRecord[]): Promise<void> {
    assertStrategyId(id);
    checkEvents(id, events);
    await insertEvents(this.db, id, events);
  }

  async listEvents(id: string, afterSeq: number, limit: number): Promise<StrategyEventRecord[]> {
    assertStrategyId(id);
    const { rows } = await this.db.query(
      `SELECT e.seq::text AS seq_text, e.type, e.time::text AS time_text, e.data::text AS data_text FROM strategy_events e WHERE e.strategy_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3`,
      [id, afterSeq, Math.max(0, Math.floor(limit))],
    );
    return rows.map((r) => ({ strategyId: id, seq: Number(r.seq_text), type: String(r.type), time: Number(r.time_text), data: JSON.parse(String(r.data_text)) as unknown }));
  }

  async saveSnapshot(snapshot: SnapshotRecord): Promise<void> {
    assertStrategyId(snapshot.strategyId);
    await this.db.query(
      `INSERT INTO snapshots (strategy_id, event_seq, market_seq, time, state, checksum, saved_at) VALUES ($1, $2, $3, $4, $5::json, $6, now())
       ON CONFLICT (strategy_id) DO UPDATE SET event_seq = EXCLUDED.event_seq, market_seq = EXCLUDED.market_seq, time = EXCLUDED.time,
         state = EXCLUDED.state, checksum = EXCLUDED.checksum, saved_at = now()`,
      [snapshot.strategyId, snapshot.eventSeq, snapshot.marketSeq, snapshot.time, JSON.stringify(snapshot.state), snapshotChecksum(snapshot)],
    );
  }

  async loadSnapshot(id: string): Promise<SnapshotLoad> {
    assertStrategyId(id);
    const { rows } = await this.db.query(
      `SELECT event_seq::text AS event_seq, market_seq::text AS market_seq, time::text AS time, state::text AS state, checksum FROM snapshots WHERE strategy_id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return { status: 'missing' };
    let state: unknown;
    try {
      state = JSON.parse(String(r.state));
    } catch {
      return { status: 'corrupt', reason: `snapshots[${id}]: state is not valid JSON` };
    }
    const snapshot: SnapshotRecord = { strategyId: id, eventSeq: Number(r.event_seq), marketSeq: Number(r.market_seq), time: Number(r.time), state };
    const actual = snapshotChecksum(snapshot);
    if (actual !== r.checksum) return { status: 'corrupt', reason: `snapshots[${id}]: checksum mismatch` };
    return { status: 'ok', snapshot, checksum: actual };
  }

  /**
   * One statement (data-modifying CTEs), so one round trip and one implicit transaction: a crash
   * leaves all of a batch's effects or none.
   */
  async persistEffects(id: string, effects: StrategyEffects): Promise<void> {
    await this.persistMany([{ strategyId: id, effects }]);
  }

  /** Several strategies' batches in the same single statement (one round trip, one commit). */
  async persistMany(batches: readonly StrategyEffectsBatch[]): Promise<void> {
    if (batches.length === 0) return;
    await this.writeEffects([], batches);
  }

  /**
   * The market inputs and their effects in one statement: a plain INSERT into market_events (no ON
   * CONFLICT), so a seq or source id already there fails the whole statement and nothing is written.
   */
  async appendMarketEventsWithEffects(symbol: string, events: readonly MarketEventRecord[], batches: readonly StrategyEffectsBatch[]): Promise<void> {
    checkNumberedMarketEvents(symbol, events);
    if (events.length === 0 && batches.length === 0) return;
    try {
      await this.writeEffects(events, batches);
    } catch (err) {
      const e = err as { code?: string; table?: string; constraint?: string };
      if ((e.code === '23505' || e.code === '23502') && (e.table === 'market_events' || /market_events/.test(e.constraint ?? ''))) {
        throw new ConflictError(`market log of ${symbol} does not continue at seq ${events[0]?.seq ?? '?'} or already holds one of these ${events.length} source ids; nothing was written`);
      }
      throw err;
    }
  }

  private async writeEffects(market: readonly MarketEventRecord[], batches: readonly StrategyEffectsBatch[]): Promise<void> {
    for (const { strategyId: id, effects } of batches) {
      assertStrategyId(id);
      if (effects.trades) checkTrades(id, effects.trades);
      if (effects.orders) checkOrders(id, effects.orders);
      if (effects.events) checkEvents(id, effects.events);
      if (effects.positions) checkPositions(id, effects.positions);
      if (effects.equity) checkEquityPoints(effects.equity);
      if (effects.state) {
        checkStrategyState(effects.state);
        if (effects.state.strategyId !== id) throw new ValidationError(`state of ${effects.state.strategyId} given for ${id}`);
      }
    }
    const { text, values } = effectsStatement(market, batches);
    // a named (prepared) statement: the server parses and plans it once per connection
    await this.db.query({ name: `persist-effects-${this.schema}`, text, values });
  }

  /** One statement; numbering is max(seq)+n, so a concurrent writer makes it fail on the key and retry. */
  async appendMarketEvents(symbol: string, events: ReadonlyArray<Omit<MarketEventRecord, 'seq' | 'symbol'>>): Promise<MarketEventRecord[]> {
    checkMarketEvents(symbol, events);
    if (events.length === 0) return [];
    const bySource = new Map(events.map((e) => [e.sourceId, e] as const));
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows } = await this.db.query<{ seq_text: string; source_id: string }>({
          name: `append-market-events-${this.schema}`,
          text: `WITH input AS (
             SELECT u.kind, u.time, u.source_id, u.data, u.ord
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(kind, time, source_id, data, ord)
           ), fresh AS (
             SELECT DISTINCT ON (i.source_id) i.* FROM input i
             WHERE NOT EXISTS (SELECT 1 FROM market_events m WHERE m.symbol = $1 AND m.source_id = i.source_id)
             ORDER BY i.source_id, i.ord
           ), numbered AS (
             SELECT f.*, (SELECT coalesce(max(seq), 0) FROM market_events WHERE symbol = $1) + row_number() OVER (ORDER BY f.ord) AS seq FROM fresh f
           )
           INSERT INTO market_events (symbol, seq, kind, time, source_id, data)
           SELECT $1, n.seq, n.kind, n.time::bigint, n.source_id, n.data::json FROM numbered n
           RETURNING seq::text AS seq_text, source_id`,
          values: [symbol, events.map((e) => e.kind), events.map((e) => String(e.time)), events.map((e) => e.sourceId), events.map((e) => JSON.stringify(e.data ?? null))],
        });
        return rows
          .map((r) => {
            const e = bySource.get(r.source_id)!;
            return { symbol, seq: Number(r.seq_text), kind: e.kind, time: e.time, sourceId: e.sourceId, data: e.data };
          })
          .sort((a, b) => a.seq - b.seq);
      } catch (err) {
        if ((err as { code?: string }).code !== '23505' || attempt >= 10) throw err;
      }
    }
  }

  async pruneMarketEvents(symbol: string, uptoSeq: number): Promise<number> {
    checkMarketEvents(symbol, []);
    const { rowCount } = await this.db.query(`DELETE FROM market_events WHERE symbol = $1 AND seq <= $2 AND seq < (SELECT max(seq) FROM market_events WHERE symbol = $1)`, [symbol, Math.floor(uptoSeq)]);
    return rowCount ?? 0;
  }

  async lastMarketEvents(symbol: string, limit: number): Promise<MarketEventRecord[]> {
    const { rows } = await this.db.query(
      `SELECT m.seq::text AS seq_text, m.kind, m.time::text AS time_text, m.source_id, m.data::text AS data_text FROM market_events m WHERE m.symbol = $1 ORDER BY m.seq DESC LIMIT $2`,
      [symbol, Math.max(0, Math.floor(limit))],
    );
    return rows.reverse().map((r) => ({ symbol, seq: Number(r.seq_text), kind: r.kind as MarketEventRecord['kind'], time: Number(r.time_text), sourceId: String(r.source_id), data: JSON.parse(String(r.data_text)) as unknown }));
  }

  async listMarketEvents(symbol: string, afterSeq: number, limit: number): Promise<MarketEventRecord[]> {
    const { rows } = await this.db.query(
      `SELECT m.seq::text AS seq_text, m.kind, m.time::text AS time_text, m.source_id, m.data::text AS data_text FROM market_events m WHERE m.symbol = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3`,
      [symbol, afterSeq, Math.max(0, Math.floor(limit))],
    );
    return rows.map((r) => ({ symbol, seq: Number(r.seq_text), kind: r.kind as MarketEventRecord['kind'], time: Number(r.time_text), sourceId: String(r.source_id), data: JSON.parse(String(r.data_text)) as unknown }));
  }

  /** Uses the database clock, so workers on different machines agree on expiry. */
  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, now() + $3::bigint * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
       WHERE leases.owner = EXCLUDED.owner OR leases.expires_at < now()
       RETURNING owner`,
      [name, owner, Math.max(1, Math.floor(ttlMs))],
    );
    return rows.length === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.db.query(`DELETE FROM leases WHERE name = $1 AND owner = $2`, [name, owner]);
  }

  async getLease(name: string): Promise<LeaseInfo | null> {
    const { rows } = await this.db.query(`SELECT owner, ${MS('expires_at')}::text AS expires_ms FROM leases WHERE name = $1 AND expires_at > now()`, [name]);
    const r = rows[0];
    return r ? { name, owner: String(r.owner), expiresAt: Number(r.expires_ms) } : null;
  }

  /** Start claims: one advisory lock serialises them, so checking and claiming is one atomic step. */
  async claimStrategyStart(request: StartClaimRequest): Promise<StartClaim> {
    assertStrategyId(request.strategyId);
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey(`${this.schema}:start-claims`)]);
      const pending = await client.query(`SELECT 1 FROM start_claims WHERE strategy_id = $1 AND pending_until > now()`, [request.strategyId]);
      if (pending.rows.length > 0) return { outcome: 'in-progress' as const };
      const current = await client.query<{ status: StrategyStatusValue }>(`SELECT status FROM strategies WHERE id = $1`, [request.strategyId]);
      const status = current.rows[0]?.status;
      if (status !== undefined && LIVE_STRATEGY_STATUSES.has(status)) return { outcome: 'live' as const, status };
      if (request.maxLivePerOwner !== null) {
        const { rows } = await client.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM start_claims c LEFT JOIN strategies s ON s.id = c.strategy_id
           WHERE c.owner = $1 AND c.strategy_id <> $2 AND (c.pending_until > now() OR s.status = ANY($3::text[]))`,
          [request.owner, request.strategyId, [...LIVE_STRATEGY_STATUSES]],
        );
        const live = Number(rows[0]?.n ?? 0);
        if (live >= request.maxLivePerOwner) return { outcome: 'limit-reached' as const, live, limit: request.maxLivePerOwner };
      }
      await client.query(
        `INSERT INTO start_claims (strategy_id, owner, claimed_at, pending_until) VALUES ($1, $2, now(), now() + $3 * interval '1 millisecond')
         ON CONFLICT (strategy_id) DO UPDATE SET owner = EXCLUDED.owner, claimed_at = EXCLUDED.claimed_at, pending_until = EXCLUDED.pending_until`,
        [request.strategyId, request.owner, Math.max(0, Math.floor(request.ttlMs))],
      );
      return { outcome: 'claimed' as const };
    });
  }

  async settleStrategyStart(strategyId: string, owner: string): Promise<void> {
    assertStrategyId(strategyId);
    await this.db.query(`UPDATE start_claims SET pending_until = claimed_at WHERE strategy_id = $1 AND owner = $2`, [strategyId, owner]);
  }

  async saveParityCheck(check: ParityCheckRecord): Promise<void> {
    const valid = checkParityCheck(check);
    await this.db.query(
      `INSERT INTO parity_checks (strategy_id, check_id, checked_at, verdict, record) VALUES ($1, $2, $3, $4, $5::json) ON CONFLICT (strategy_id, check_id) DO NOTHING`,
      [valid.strategyId, valid.checkId, valid.checkedAt, valid.verdict, JSON.stringify(valid)],
    );
  }

  async listParityChecks(id: string, limit: number): Promise<ParityCheckRecord[]> {
    assertStrategyId(id);
    const { rows } = await this.db.query(`SELECT check_id, record::text AS record FROM parity_checks WHERE strategy_id = $1 ORDER BY checked_at DESC, check_id DESC LIMIT $2`, [id, Math.max(0, Math.floor(limit))]);
    return rows.map((r) => parseStored(StrategyParityCheckedV1, JSON.parse(String(r.record)), `parity_checks[${id}/${String(r.check_id)}]`));
  }

  async saveWarmupHistory(history: WarmupHistoryRecord): Promise<void> {
    const valid = checkWarmupHistory(history);
    await this.db.query(
      `INSERT INTO warmup_history (strategy_id, symbol, candles) VALUES ($1, $2, $3::json) ON CONFLICT (strategy_id) DO UPDATE SET symbol = EXCLUDED.symbol, candles = EXCLUDED.candles`,
      [valid.strategyId, valid.symbol, JSON.stringify(valid.candles)],
    );
  }

  async loadWarmupHistory(id: string): Promise<WarmupHistoryRecord | null> {
    assertStrategyId(id);
    const { rows } = await this.db.query(`SELECT symbol, candles::text AS candles FROM warmup_history WHERE strategy_id = $1`, [id]);
    const row = rows[0];
    return row ? parseStored(StoredWarmupHistory, { strategyId: id, symbol: row.symbol, candles: JSON.parse(String(row.candles)) }, `warmup_history[${id}]`) : null;
  }

  async getParityCheck(id: string, checkId: string): Promise<ParityCheckRecord | null> {
    assertStrategyId(id);
    const { rows } = await this.db.query(`SELECT record::text AS record FROM parity_checks WHERE strategy_id = $1 AND check_id = $2`, [id, checkId]);
    return rows[0] ? parseStored(StrategyParityCheckedV1, JSON.parse(String(rows[0].record)), `parity_checks[${id}/${checkId}]`) : null;
  }

  async listMarketSymbols(): Promise<string[]> {
    const { rows } = await this.db.query<{ symbol: string }>(`SELECT DISTINCT symbol FROM market_events ORDER BY symbol`);
    return rows.map((r) => r.symbol);
  }

  async importMarketEvents(symbol: string, events: readonly MarketEventRecord[]): Promise<void> {
    checkNumberedMarketEvents(symbol, events);
    if (events.length === 0) return;
    await this.transaction(async (client) => {
      const { rows } = await client.query<{ last: string | null }>(`SELECT max(seq)::text AS last FROM market_events WHERE symbol = $1`, [symbol]);
      const last = rows[0]?.last === null || rows[0]?.last === undefined ? null : Number(rows[0].last);
      if (last !== null && events[0]!.seq !== last + 1) throw new ConflictError(`market log of ${symbol} ends at seq ${last}; cannot import from seq ${events[0]!.seq}`);
      await client.query(
        `INSERT INTO market_events (symbol, seq, kind, time, source_id, data)
         SELECT $1, u.seq::bigint, u.kind, u.time::bigint, u.source_id, u.data::json
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(seq, kind, time, source_id, data)`,
        [symbol, events.map((e) => String(e.seq)), events.map((e) => e.kind), events.map((e) => String(e.time)), events.map((e) => e.sourceId), events.map((e) => JSON.stringify(e.data ?? null))],
      );
    });
  }

  /** One REPEATABLE READ, READ ONLY transaction: every record comes from the same snapshot of the database. */
  async *exportData(): AsyncGenerator<BackupRecord> {
    const client = await this.pool.connect();
    let isDone = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const view = new PostgresStrategyStore(this.pool, this.schema, client);
      yield* dumpStore(view, {
        source: 'postgres',
        createdAt: Date.now(),
        claims: async () => (await client.query<{ strategy_id: string; owner: string }>(`SELECT strategy_id, owner FROM start_claims ORDER BY strategy_id`)).rows.map((r) => ({ strategyId: r.strategy_id, owner: r.owner })),
        // the same snapshot of the database as everything else in the backup
        outboxRows: () => new PostgresNotificationOutbox(client).recent(Number.MAX_SAFE_INTEGER),
      });
      await client.query('COMMIT');
      isDone = true;
    } finally {
      if (!isDone) await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }

  /** In one transaction: a restore that fails part-way leaves the store as it was. */
  async importData(records: AsyncIterable<BackupRecord>): Promise<BackupCounts> {
    return this.transaction(async (client) => {
      const view = new PostgresStrategyStore(this.pool, this.schema, client);
      if (!(await isStoreEmpty(view))) throw new ConflictError('the store is not empty; restore into an empty one (or clear it first)');
      return loadRecords(view, records, {
        importMarket: (symbol, events) => view.importMarketEvents(symbol, events),
        importClaim: async (strategyId, owner) => {
          await client.query(`INSERT INTO start_claims (strategy_id, owner, claimed_at, pending_until) VALUES ($1, $2, now(), now()) ON CONFLICT (strategy_id) DO UPDATE SET owner = EXCLUDED.owner`, [strategyId, owner]);
        },
        importOutbox: (rows) => new PostgresNotificationOutbox(client).importRows(rows),
      });
    });
  }

  async clear(): Promise<void> {
    await this.db.query(`TRUNCATE strategies, strategy_state, trades, positions, equity_points, orders, strategy_events, snapshots, market_events, leases, start_claims, notification_outbox, parity_checks, warmup_history`);
  }

  async close(): Promise<void> {
    if (this.isClosed || this.client) return;
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
    ...(r['liquidity'] === null || r['liquidity'] === undefined ? {} : { liquidity: String(r['liquidity']) }),
    ...(r['quality'] === null || r['quality'] === undefined ? {} : { quality: JSON.parse(String(r['quality'])) as unknown }),
    ...(r['provenance'] === null || r['provenance'] === undefined ? {} : { provenance: JSON.parse(String(r['provenance'])) as unknown }),
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

const SELECT_ORDER = `SELECT strategy_id, order_id, symbol, side, type, quantity::text AS quantity, limit_price::text AS limit_price, stop_price::text AS stop_price,
  reduce_only, status, filled_qty::text AS filled_qty, avg_price::text AS avg_price, fees::text AS fees, reason, decided_at::text AS decided_at,
  arrives_at::text AS arrives_at, triggered_at::text AS triggered_at, reject_reason, reject_message, updated_at::text AS updated_at, quality::text AS quality FROM orders o`;

function toOrder(r: Record<string, unknown>): OrderRecord {
  const opt = (k: string) => (r[k] === null || r[k] === undefined ? null : String(r[k]));
  const optNum = (k: string) => (r[k] === null || r[k] === undefined ? null : Number(r[k]));
  return {
    strategyId: String(r['strategy_id']),
    orderId: String(r['order_id']),
    symbol: String(r['symbol']),
    side: String(r['side']) as OrderRecord['side'],
    type: String(r['type']) as OrderRecord['type'],
    quantity: String(r['quantity']),
    limitPrice: opt('limit_price'),
    stopPrice: opt('stop_price'),
    reduceOnly: Boolean(r['reduce_only']),
    status: String(r['status']) as OrderRecord['status'],
    filledQty: String(r['filled_qty']),
    avgPrice: opt('avg_price'),
    fees: String(r['fees']),
    reason: String(r['reason']),
    decidedAt: Number(r['decided_at']),
    arrivesAt: Number(r['arrives_at']),
    triggeredAt: optNum('triggered_at'),
    rejectReason: opt('reject_reason'),
    rejectMessage: opt('reject_message'),
    updatedAt: Number(r['updated_at']),
    quality: JSON.parse(String(r['quality'])) as OrderRecord['quality'],
  };
}

async function insertTrades(db: Queryable, id: string, trades: readonly TradeRecord[]): Promise<void> {
  if (trades.length === 0) return;
  const col = <K extends keyof TradeRecord>(k: K) => trades.map((t) => (t[k] === undefined ? null : typeof t[k] === 'object' ? JSON.stringify(t[k]) : String(t[k])));
  await db.query(
    `INSERT INTO trades (strategy_id, trade_id, order_id, symbol, side, quantity, price, fee, realized_pnl, reason, time, liquidity, quality, provenance)
     SELECT $1, u.trade_id, u.order_id, u.symbol, u.side, u.quantity::numeric, u.price::numeric, u.fee::numeric, u.pnl::numeric, u.reason, ${TS('u.time')}, u.liquidity, u.quality::json, u.provenance::json
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
          WITH ORDINALITY AS u(trade_id, order_id, symbol, side, quantity, price, fee, pnl, reason, time, liquidity, quality, provenance, ord)
     ORDER BY u.ord
     ON CONFLICT (strategy_id, trade_id) DO NOTHING`,
    [id, col('tradeId'), col('orderId'), col('symbol'), col('side'), col('quantity'), col('price'), col('fee'), col('realizedPnl'), col('reason'), col('time'), col('liquidity'), col('quality'), col('provenance')],
  );
}

async function upsertOrderRows(db: Queryable, id: string, orders: readonly OrderRecord[]): Promise<void> {
  if (orders.length === 0) return;
  // one row per order id: the last version in the batch wins
  const last = new Map<string, OrderRecord>();
  for (const o of orders) last.set(o.orderId, o);
  const list = [...last.values()];
  const col = (f: (o: OrderRecord) => unknown) => list.map((o) => {
    const v = f(o);
    return v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
  await db.query(
    `INSERT INTO orders (strategy_id, order_id, symbol, side, type, quantity, limit_price, stop_price, reduce_only, status, filled_qty, avg_price, fees, reason,
                         decided_at, arrives_at, triggered_at, reject_reason, reject_message, updated_at, quality)
     SELECT $1, u.order_id, u.symbol, u.side, u.type, u.quantity::numeric, u.limit_price::numeric, u.stop_price::numeric, u.reduce_only::boolean, u.status,
            u.filled_qty::numeric, u.avg_price::numeric, u.fees::numeric, u.reason, u.decided_at::bigint, u.arrives_at::bigint, u.triggered_at::bigint,
            u.reject_reason, u.reject_message, u.updated_at::bigint, u.quality::json
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
                 $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[])
          WITH ORDINALITY AS u(order_id, symbol, side, type, quantity, limit_price, stop_price, reduce_only, status, filled_qty, avg_price, fees, reason,
                               decided_at, arrives_at, triggered_at, reject_reason, reject_message, updated_at, quality, ord)
     ORDER BY u.ord
     ON CONFLICT (strategy_id, order_id) DO UPDATE SET status = EXCLUDED.status, filled_qty = EXCLUDED.filled_qty, avg_price = EXCLUDED.avg_price,
       fees = EXCLUDED.fees, triggered_at = EXCLUDED.triggered_at, reject_reason = EXCLUDED.reject_reason, reject_message = EXCLUDED.reject_message,
       updated_at = EXCLUDED.updated_at, quality = EXCLUDED.quality, quantity = EXCLUDED.quantity, limit_price = EXCLUDED.limit_price,
       stop_price = EXCLUDED.stop_price, arrives_at = EXCLUDED.arrives_at`,
    [
      id,
      col((o) => o.orderId), col((o) => o.symbol), col((o) => o.side), col((o) => o.type), col((o) => o.quantity), col((o) => o.limitPrice), col((o) => o.stopPrice),
      col((o) => o.reduceOnly), col((o) => o.status), col((o) => o.filledQty), col((o) => o.avgPrice), col((o) => o.fees), col((o) => o.reason),
      col((o) => o.decidedAt), col((o) => o.arrivesAt), col((o) => o.triggeredAt), col((o) => o.rejectReason), col((o) => o.rejectMessage), col((o) => o.updatedAt),
      col((o) => o.quality),
    ],
  );
}

async function insertEvents(db: Queryable, id: string, events: readonly StrategyEventRecord[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO strategy_events (strategy_id, seq, type, time, data)
     SELECT $1, u.seq::bigint, u.type, u.time::bigint, u.data::json FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(seq, type, time, data)
     ON CONFLICT (strategy_id, seq) DO NOTHING`,
    [id, events.map((e) => String(e.seq)), events.map((e) => e.type), events.map((e) => String(e.time)), events.map((e) => JSON.stringify(e.data ?? null))],
  );
}

async function replacePositions(db: Queryable, id: string, positions: readonly PositionRecord[]): Promise<void> {
  await db.query('DELETE FROM positions WHERE strategy_id = $1', [id]);
  if (positions.length === 0) return;
  await db.query(
    `INSERT INTO positions (strategy_id, symbol, ordinal, quantity, average_price, unrealized_pnl, realized_pnl, updated_at)
     SELECT $1, u.symbol, (u.ord - 1)::integer, u.quantity::numeric, u.avg::numeric, u.upnl::numeric, u.rpnl::numeric, ${TS('u.updated')}
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS u(symbol, quantity, avg, upnl, rpnl, updated, ord)`,
    [id, positions.map((p) => p.symbol), positions.map((p) => p.quantity), positions.map((p) => p.averagePrice), positions.map((p) => p.unrealizedPnl), positions.map((p) => p.realizedPnl), positions.map((p) => String(p.updatedAt))],
  );
}

async function insertEquity(db: Queryable, id: string, points: readonly EquityPoint[]): Promise<void> {
  const ordered: EquityPoint[] = [];
  for (const p of points) if (ordered.length === 0 || p.time > ordered[ordered.length - 1]!.time) ordered.push(p);
  if (ordered.length === 0) return;
  await db.query(
    `INSERT INTO equity_points (strategy_id, time, equity)
     SELECT $1, ${TS('u.time')}, u.equity::numeric FROM unnest($2::text[], $3::text[]) AS u(time, equity)
     WHERE ${TS('u.time')} > coalesce((SELECT max(time) FROM equity_points WHERE strategy_id = $1), '-infinity'::timestamptz)
     ON CONFLICT (strategy_id, time) DO NOTHING`,
    [id, ordered.map((p) => String(p.time)), ordered.map((p) => p.equity)],
  );
}

async function writeState(db: Queryable, state: StrategyState): Promise<void> {
  const text = JSON.stringify(state);
  await db.query(
    `INSERT INTO strategy_state (strategy_id, time, snapshot, checksum, saved_at) VALUES ($1, ${TS('$2')}, $3::json, $4, now())
     ON CONFLICT (strategy_id) DO UPDATE SET time = EXCLUDED.time, snapshot = EXCLUDED.snapshot, checksum = EXCLUDED.checksum, saved_at = now()`,
    [state.strategyId, Math.max(0, Math.floor(state.time)), text, checksumOf(text)],
  );
}

/** Builds the one statement that writes batches of effects of several strategies (empty parts write nothing). */
function effectsStatement(market: readonly MarketEventRecord[], batches: readonly StrategyEffectsBatch[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const text = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const trades: TradeRecord[] = [];
  const orderMap = new Map<string, OrderRecord>();
  const events: StrategyEventRecord[] = [];
  const positions: PositionRecord[] = [];
  const positionOwners: string[] = [];
  const equity: Array<EquityPoint & { strategyId: string }> = [];
  const states = new Map<string, StrategyState>();
  for (const { strategyId: id, effects } of batches) {
    trades.push(...(effects.trades ?? []));
    for (const o of effects.orders ?? []) orderMap.set(`${id}\u0000${o.orderId}`, o);
    events.push(...(effects.events ?? []));
    if (effects.positions) {
      positionOwners.push(id);
      positions.push(...effects.positions);
    }
    let lastTime = equity.filter((q) => q.strategyId === id).reduce((m, q) => Math.max(m, q.time), Number.NEGATIVE_INFINITY);
    for (const q of effects.equity ?? []) {
      if (q.time <= lastTime) continue;
      equity.push({ ...q, strategyId: id });
      lastTime = q.time;
    }
    if (effects.state) states.set(id, effects.state);
  }
  const orders = [...orderMap.values()];
  const tcol = <K extends keyof TradeRecord>(k: K) => p(trades.map((t) => text(t[k])));
  const ocol = (f: (o: OrderRecord) => unknown) => p(orders.map((o) => text(f(o))));
  const stateList = [...states.values()];
  const sql = `WITH
  m AS (
    INSERT INTO market_events (symbol, seq, kind, time, source_id, data)
    -- the inputs must continue the log exactly: otherwise seq becomes NULL and the NOT NULL
    -- constraint fails the whole statement (a gap or an overlap writes nothing)
    SELECT u.symbol,
           CASE WHEN u.seq::bigint - u.ord + 1 = (SELECT coalesce(max(x.seq), 0) + 1 FROM market_events x WHERE x.symbol = u.symbol) THEN u.seq::bigint END,
           u.kind, u.time::bigint, u.source_id, u.data::json
    FROM unnest(${p(market.map((e) => e.symbol))}::text[], ${p(market.map((e) => String(e.seq)))}::text[], ${p(market.map((e) => e.kind))}::text[],
                ${p(market.map((e) => String(e.time)))}::text[], ${p(market.map((e) => e.sourceId))}::text[], ${p(market.map((e) => JSON.stringify(e.data ?? null)))}::text[])
         WITH ORDINALITY AS u(symbol, seq, kind, time, source_id, data, ord)
    RETURNING 1),
  t AS (
    INSERT INTO trades (strategy_id, trade_id, order_id, symbol, side, quantity, price, fee, realized_pnl, reason, time, liquidity, quality, provenance)
    SELECT u.strategy_id, u.trade_id, u.order_id, u.symbol, u.side, u.quantity::numeric, u.price::numeric, u.fee::numeric, u.pnl::numeric, u.reason, ${TS('u.time')}, u.liquidity, u.quality::json, u.provenance::json
    FROM unnest(${tcol('strategyId')}::text[], ${tcol('tradeId')}::text[], ${tcol('orderId')}::text[], ${tcol('symbol')}::text[], ${tcol('side')}::text[], ${tcol('quantity')}::text[], ${tcol('price')}::text[],
                ${tcol('fee')}::text[], ${tcol('realizedPnl')}::text[], ${tcol('reason')}::text[], ${tcol('time')}::text[], ${tcol('liquidity')}::text[], ${tcol('quality')}::text[], ${tcol('provenance')}::text[])
         WITH ORDINALITY AS u(strategy_id, trade_id, order_id, symbol, side, quantity, price, fee, pnl, reason, time, liquidity, quality, provenance, ord)
    ORDER BY u.ord
    ON CONFLICT (strategy_id, trade_id) DO NOTHING RETURNING 1),
  o AS (
    INSERT INTO orders (strategy_id, order_id, symbol, side, type, quantity, limit_price, stop_price, reduce_only, status, filled_qty, avg_price, fees, reason,
                        decided_at, arrives_at, triggered_at, reject_reason, reject_message, updated_at, quality)
    SELECT u.strategy_id, u.order_id, u.symbol, u.side, u.type, u.quantity::numeric, u.limit_price::numeric, u.stop_price::numeric, u.reduce_only::boolean, u.status,
           u.filled_qty::numeric, u.avg_price::numeric, u.fees::numeric, u.reason, u.decided_at::bigint, u.arrives_at::bigint, u.triggered_at::bigint,
           u.reject_reason, u.reject_message, u.updated_at::bigint, u.quality::json
    FROM unnest(${ocol((o) => o.strategyId)}::text[], ${ocol((o) => o.orderId)}::text[], ${ocol((o) => o.symbol)}::text[], ${ocol((o) => o.side)}::text[], ${ocol((o) => o.type)}::text[], ${ocol((o) => o.quantity)}::text[],
                ${ocol((o) => o.limitPrice)}::text[], ${ocol((o) => o.stopPrice)}::text[], ${ocol((o) => o.reduceOnly)}::text[], ${ocol((o) => o.status)}::text[],
                ${ocol((o) => o.filledQty)}::text[], ${ocol((o) => o.avgPrice)}::text[], ${ocol((o) => o.fees)}::text[], ${ocol((o) => o.reason)}::text[],
                ${ocol((o) => o.decidedAt)}::text[], ${ocol((o) => o.arrivesAt)}::text[], ${ocol((o) => o.triggeredAt)}::text[], ${ocol((o) => o.rejectReason)}::text[],
                ${ocol((o) => o.rejectMessage)}::text[], ${ocol((o) => o.updatedAt)}::text[], ${ocol((o) => o.quality)}::text[])
         WITH ORDINALITY AS u(strategy_id, order_id, symbol, side, type, quantity, limit_price, stop_price, reduce_only, status, filled_qty, avg_price, fees, reason,
                              decided_at, arrives_at, triggered_at, reject_reason, reject_message, updated_at, quality, ord)
    ORDER BY u.ord
    ON CONFLICT (strategy_id, order_id) DO UPDATE SET status = EXCLUDED.status, filled_qty = EXCLUDED.filled_qty, avg_price = EXCLUDED.avg_price,
      fees = EXCLUDED.fees, triggered_at = EXCLUDED.triggered_at, reject_reason = EXCLUDED.reject_reason, reject_message = EXCLUDED.reject_message,
      updated_at = EXCLUDED.updated_at, quality = EXCLUDED.quality, quantity = EXCLUDED.quantity, limit_price = EXCLUDED.limit_price,
      stop_price = EXCLUDED.stop_price, arrives_at = EXCLUDED.arrives_at
    RETURNING 1),
  e AS (
    INSERT INTO strategy_events (strategy_id, seq, type, time, data)
    SELECT u.strategy_id, u.seq::bigint, u.type, u.time::bigint, u.data::json
    FROM unnest(${p(events.map((x) => x.strategyId))}::text[], ${p(events.map((x) => String(x.seq)))}::text[], ${p(events.map((x) => x.type))}::text[], ${p(events.map((x) => String(x.time)))}::text[],
                ${p(events.map((x) => JSON.stringify(x.data ?? null)))}::text[]) AS u(strategy_id, seq, type, time, data)
    ON CONFLICT (strategy_id, seq) DO NOTHING RETURNING 1),
  pd AS (
    DELETE FROM positions d WHERE d.strategy_id = ANY(${p(positionOwners)}::text[])
      AND NOT EXISTS (SELECT 1 FROM unnest(${p(positions.map((x) => x.strategyId))}::text[], ${p(positions.map((x) => x.symbol))}::text[]) AS k(strategy_id, symbol)
                      WHERE k.strategy_id = d.strategy_id AND k.symbol = d.symbol)
    RETURNING 1),
  pu AS (
    INSERT INTO positions (strategy_id, symbol, ordinal, quantity, average_price, unrealized_pnl, realized_pnl, updated_at)
    SELECT u.strategy_id, u.symbol, (row_number() OVER (PARTITION BY u.strategy_id ORDER BY u.ord) - 1)::integer, u.quantity::numeric, u.avg::numeric, u.upnl::numeric, u.rpnl::numeric, ${TS('u.updated')}
    FROM unnest(${p(positions.map((x) => x.strategyId))}::text[], ${p(positions.map((x) => x.symbol))}::text[], ${p(positions.map((x) => x.quantity))}::text[], ${p(positions.map((x) => x.averagePrice))}::text[],
                ${p(positions.map((x) => x.unrealizedPnl))}::text[], ${p(positions.map((x) => x.realizedPnl))}::text[], ${p(positions.map((x) => String(x.updatedAt)))}::text[])
         WITH ORDINALITY AS u(strategy_id, symbol, quantity, avg, upnl, rpnl, updated, ord)
    ON CONFLICT (strategy_id, symbol) DO UPDATE SET ordinal = EXCLUDED.ordinal, quantity = EXCLUDED.quantity, average_price = EXCLUDED.average_price,
      unrealized_pnl = EXCLUDED.unrealized_pnl, realized_pnl = EXCLUDED.realized_pnl, updated_at = EXCLUDED.updated_at
    RETURNING 1),
  q AS (
    INSERT INTO equity_points (strategy_id, time, equity)
    SELECT u.strategy_id, ${TS('u.time')}, u.equity::numeric
    FROM unnest(${p(equity.map((x) => x.strategyId))}::text[], ${p(equity.map((x) => String(x.time)))}::text[], ${p(equity.map((x) => x.equity))}::text[]) AS u(strategy_id, time, equity)
    WHERE ${TS('u.time')} > coalesce((SELECT max(x.time) FROM equity_points x WHERE x.strategy_id = u.strategy_id), '-infinity'::timestamptz)
    ON CONFLICT (strategy_id, time) DO NOTHING RETURNING 1),
  s AS (
    INSERT INTO strategy_state (strategy_id, time, snapshot, checksum, saved_at)
    SELECT u.strategy_id, ${TS('u.time')}, u.snapshot::json, u.checksum, now()
    FROM unnest(${p(stateList.map((x) => x.strategyId))}::text[], ${p(stateList.map((x) => String(Math.max(0, Math.floor(x.time)))))}::text[],
                ${p(stateList.map((x) => JSON.stringify(x)))}::text[], ${p(stateList.map((x) => checksumOf(JSON.stringify(x))))}::text[]) AS u(strategy_id, time, snapshot, checksum)
    ON CONFLICT (strategy_id) DO UPDATE SET time = EXCLUDED.time, snapshot = EXCLUDED.snapshot, checksum = EXCLUDED.checksum, saved_at = now()
    RETURNING 1)
SELECT (SELECT count(*) FROM t) AS trades`;
  return { text: sql, values };
}
