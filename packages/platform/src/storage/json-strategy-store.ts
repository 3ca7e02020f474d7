import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StrategyFillV1, StrategyParityCheckedV1 } from '@btc-research/contracts';
import { z } from 'zod';
import { ConflictError, DataCorruptedError } from '../errors.js';
import { JsonlFile, readJsonFile, readTextFile, writeFileAtomic } from './atomic-file.js';
import { IndexedJsonlFile } from './indexed-jsonl-file.js';
import { SegmentedMarketLog, type SegmentedMarketLogOptions } from './segmented-market-log.js';
import { JsonNotificationOutbox } from './json-notification-outbox.js';
import { JsonStartClaims } from './json-start-claims.js';
import { snapshotChecksum } from './snapshot-checksum.js';
import { dumpStore, isStoreEmpty, loadRecords, readStrategyRecords } from './store-backup.js';
import type { BackupCounts, BackupRecord, StartClaim, StartClaimRequest, EquityPoint, LeaseInfo, MarketEventRecord, OrderQuery, OrderRecord, ParityCheckRecord, SnapshotLoad, SnapshotRecord, StrategyEffects, StrategyEffectsBatch, StrategyEventRecord, PositionRecord, StrategyRecord, StrategyState, StrategyStore, TradePage, TradeQuery, TradeRecord, WarmupHistoryRecord } from './strategy-store.js';
import { decodeTradeCursor, encodeTradeCursor, isOlderThan } from './trade-cursor.js';
import {
  assertStrategyId,
  assertTradeQuery,
  checkEquityPoints,
  checkPositions,
  checkStrategyRecord,
  checkStrategyState,
  checkTrades,
  checkOrders,
  checkEvents,
  checkParityCheck,
  checkWarmupHistory,
  StoredWarmupHistory,
  checkMarketEvents,
  checkNumberedMarketEvents,
  isMarketSymbol,
  StoredOrder,
  StoredEvent,
  parseStored,
  parseStoredState,
  StoredEquity,
  StoredPosition,
  StoredStrategy,
} from './validate.js';

export interface JsonStrategyStoreOptions {
  /** the data directory; strategies live in <dataDir>/strategies/{id}/ */
  dataDir: string;
  /** the market log starts a new segment file once the last one holds this many bytes (default 4 MiB) */
  marketLogSegmentBytes?: number;
  /** market-log records of each symbol kept in memory for the hot path (default 1,024) */
  marketLogRecentCache?: number;
}

interface StrategyFiles {
  dir: string;
  configYaml: string;
  strategy: string;
  state: string;
  positions: string;
  trades: JsonlFile<TradeRecord>;
  /** the curve grows with market time: records stay on disk, indexed by time */
  equity: IndexedJsonlFile<EquityPoint>;
  /** every version of every order, latest wins */
  orders: JsonlFile<OrderRecord>;
  /** records stay on disk, indexed by seq */
  events: IndexedJsonlFile<StrategyEventRecord>;
  snapshot: string;
  /** parity checks, append-only, one per check */
  parity: JsonlFile<ParityCheckRecord>;
  /** older candles for the strategy's warm-up (see WarmupHistoryRecord) */
  warmup: string;
  /** tradeIds already stored, derived from the trades snapshot it was built from */
  /** memos of a trades-file snapshot: valid while its items array is the same and as long (appends extend it in place) */
  tradeIds: { items: readonly TradeRecord[]; length: number; ids: Set<string> } | null;
  tradeOrder: { items: readonly TradeRecord[]; length: number; order: readonly number[] } | null;
  lastConfigYaml: string | null;
}

/**
 * StrategyStore over JSON files in the plan's layout:
 *   data/strategies/{id}/config.yaml     the YAML the strategy runs with
 *                       strategy.json    the record (without the YAML)
 *                       state.json       account state after the last input
 *                       positions.json   open positions
 *                       trades.jsonl     fills, append-only, one JSON per line
 *                       equity.jsonl     equity curve, append-only
 * Whole-file writes are atomic (temp file + fsync + rename); appends are fsync'd; a torn last
 * line left by a crash is ignored on read and cut off by the next append. Writes to one strategy
 * are serialised inside the process; one process writes a strategy's files at a time.
 */
export class JsonStrategyStore implements StrategyStore {
  readonly kind = 'json' as const;
  private readonly root: string;
  private readonly files = new Map<string, StrategyFiles>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly dataDir: string;
  private readonly markets = new Map<string, SegmentedMarketLog>();
  private readonly marketLogTuning: Pick<SegmentedMarketLogOptions, 'maxSegmentBytes' | 'recentCacheSize'>;
  /** leases live in memory: the JSON backend serves one process */
  private readonly leases = new Map<string, LeaseInfo>();
  private readonly claims: JsonStartClaims;
  readonly outbox: JsonNotificationOutbox;

  constructor(options: JsonStrategyStoreOptions) {
    this.root = join(options.dataDir, 'strategies');
    this.dataDir = options.dataDir;
    this.marketLogTuning = {
      ...(options.marketLogSegmentBytes !== undefined ? { maxSegmentBytes: options.marketLogSegmentBytes } : {}),
      ...(options.marketLogRecentCache !== undefined ? { recentCacheSize: options.marketLogRecentCache } : {}),
    };
    this.claims = new JsonStartClaims(join(options.dataDir, 'start-claims.json'));
    this.outbox = new JsonNotificationOutbox(join(options.dataDir, 'notifications', 'outbox.jsonl'));
  }

  private filesOf(id: string): StrategyFiles {
    assertStrategyId(id);
    let f = this.files.get(id);
    if (!f) {
      const dir = join(this.root, id);
      f = {
        dir,
        configYaml: join(dir, 'config.yaml'),
        strategy: join(dir, 'strategy.json'),
        state: join(dir, 'state.json'),
        positions: join(dir, 'positions.json'),
        trades: new JsonlFile(join(dir, 'trades.jsonl'), (v, where) => parseStored(StrategyFillV1, v, where)),
        equity: new IndexedJsonlFile(join(dir, 'equity.jsonl'), (v, where) => parseStored(StoredEquity, v, where), (p) => p.time),
        orders: new JsonlFile(join(dir, 'orders.jsonl'), (v, where) => parseStored(StoredOrder, v, where) as OrderRecord),
        events: new IndexedJsonlFile(join(dir, 'events.jsonl'), (v, where) => parseStored(StoredEvent, v, where) as StrategyEventRecord, (e) => e.seq),
        snapshot: join(dir, 'snapshot.json'),
        parity: new JsonlFile(join(dir, 'parity.jsonl'), (v, where) => parseStored(StrategyParityCheckedV1, v, where)),
        warmup: join(dir, 'warmup.json'),
        tradeIds: null,
        tradeOrder: null,
        lastConfigYaml: null,
      };
      this.files.set(id, f);
    }
    return f;
  }

  /** runs write operations on one strategy one after another */
  private serialise<T>(id: string, op: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous.then(op, op);
    const settled = next.catch(() => undefined);
    this.queues.set(id, settled);
    void settled.then(() => {
      if (this.queues.get(id) === settled) this.queues.delete(id);
    });
    return next;
  }

  private async ensureDir(f: StrategyFiles): Promise<void> {
    await mkdir(f.dir, { recursive: true });
  }

  async listStrategies(): Promise<StrategyRecord[]> {
    let names: string[];
    try {
      names = (await readdir(this.root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const records: StrategyRecord[] = [];
    for (const name of names) {
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) continue;
      const record = await this.getStrategy(name);
      if (record) records.push(record);
    }
    return records.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async getStrategy(id: string): Promise<StrategyRecord | null> {
    const f = this.filesOf(id);
    const raw = await readJsonFile(f.strategy);
    if (raw === null) return null;
    const stored = parseStored(StoredStrategy, raw, f.strategy);
    const configYaml = await readTextFile(f.configYaml);
    if (configYaml === null) throw new DataCorruptedError(`${f.configYaml} is missing`, { details: { file: f.configYaml } });
    return { ...stored, configYaml };
  }

  async deleteStrategy(id: string): Promise<boolean> {
    const f = this.filesOf(id);
    const removed = await this.serialise(id, async () => {
      if ((await readJsonFile(f.strategy)) === null) return false;
      // strategy.json first: it is the commit point, so a crash part-way leaves no half strategy listed
      await rm(f.strategy, { force: true });
      await rm(f.dir, { recursive: true, force: true });
      return true;
    });
    this.files.delete(id);
    await this.serialise('start-claims', () => this.claims.remove(id));
    return removed;
  }

  async upsertStrategy(record: StrategyRecord): Promise<void> {
    const f = this.filesOf(record.id);
    checkStrategyRecord(record);
    const { configYaml, ...rest } = record;
    const stored = StoredStrategy.parse(rest);
    await this.serialise(record.id, async () => {
      await this.ensureDir(f);
      if (f.lastConfigYaml !== configYaml) {
        // the YAML first: strategy.json is the commit point of a new strategy
        await writeFileAtomic(f.configYaml, configYaml);
        f.lastConfigYaml = configYaml;
      }
      await writeFileAtomic(f.strategy, `${JSON.stringify(stored, null, 2)}\n`);
    });
  }

  async saveState(state: StrategyState): Promise<void> {
    const f = this.filesOf(state.strategyId);
    checkStrategyState(state);
    await this.serialise(state.strategyId, async () => {
      await this.ensureDir(f);
      await writeFileAtomic(f.state, `${JSON.stringify(state)}\n`);
    });
  }

  async loadState(id: string): Promise<StrategyState | null> {
    const f = this.filesOf(id);
    const raw = await readJsonFile(f.state);
    if (raw === null) return null;
    return parseStoredState(raw, f.state);
  }

  async appendTrades(id: string, trades: readonly TradeRecord[]): Promise<void> {
    const f = this.filesOf(id);
    checkTrades(id, trades);
    if (trades.length === 0) return;
    await this.serialise(id, async () => {
      await this.ensureDir(f);
      const ids = await this.tradeIdsOf(f);
      const fresh: TradeRecord[] = [];
      for (const t of trades) {
        if (ids.has(t.tradeId)) continue;
        ids.add(t.tradeId);
        fresh.push(t);
      }
      try {
        await f.trades.append(fresh);
      } catch (err) {
        f.tradeIds = null; // rebuild from the file: the append may or may not have landed
        throw err;
      }
      const snap = await f.trades.load();
      f.tradeIds = { items: snap.items, length: snap.items.length, ids };
    });
  }

  private async tradeIdsOf(f: StrategyFiles): Promise<Set<string>> {
    const snap = await f.trades.load();
    if (f.tradeIds && f.tradeIds.items === snap.items && f.tradeIds.length === snap.items.length) return f.tradeIds.ids;
    const ids = new Set(snap.items.map((t) => t.tradeId));
    f.tradeIds = { items: snap.items, length: snap.items.length, ids };
    return ids;
  }

  /** Newest first; `from` inclusive, `to` exclusive (epoch ms); cursor from a previous page. */
  async listTrades(id: string, query: TradeQuery): Promise<TradePage> {
    assertTradeQuery(query);
    const f = this.filesOf(id);
    const cursor = query.cursor === undefined ? null : decodeTradeCursor(query.cursor);
    const { items } = await f.trades.load();
    const ordered = this.newestFirst(f, items);
    const page: Array<{ trade: TradeRecord; seq: number }> = [];
    let hasMore = false;
    for (const seq of ordered) {
      const trade = items[seq]!;
      if (query.from !== undefined && trade.time < query.from) continue;
      if (query.to !== undefined && trade.time >= query.to) continue;
      if (cursor && !isOlderThan(trade.time, seq, cursor)) continue;
      if (page.length === query.limit) {
        hasMore = true;
        break;
      }
      page.push({ trade, seq });
    }
    const last = page[page.length - 1];
    const nextCursor = hasMore && last ? encodeTradeCursor({ time: last.trade.time, seq: last.seq }) : null;
    return { items: page.map((c) => c.trade), nextCursor };
  }

  /** insertion indexes in newest-first order, computed once per file snapshot */
  private newestFirst(f: StrategyFiles, items: readonly TradeRecord[]): readonly number[] {
    if (f.tradeOrder?.items === items && f.tradeOrder.length === items.length) return f.tradeOrder.order;
    const order = items.map((_, i) => i).sort((a, b) => items[b]!.time - items[a]!.time || b - a);
    f.tradeOrder = { items, length: items.length, order };
    return order;
  }

  async countTrades(id: string): Promise<number> {
    return (await this.filesOf(id).trades.load()).items.length;
  }

  async savePositions(id: string, positions: readonly PositionRecord[]): Promise<void> {
    const f = this.filesOf(id);
    checkPositions(id, positions);
    await this.serialise(id, async () => {
      await this.ensureDir(f);
      await writeFileAtomic(f.positions, `${JSON.stringify(positions, null, 2)}\n`);
    });
  }

  async loadPositions(id: string): Promise<PositionRecord[]> {
    const f = this.filesOf(id);
    const raw = await readJsonFile(f.positions);
    if (raw === null) return [];
    return parseStored(z.array(StoredPosition), raw, f.positions);
  }

  /**
   * Appends equity points. Idempotent on time: points not newer than the last stored one are
   * skipped, so a redelivered input never duplicates a point and the curve stays ordered.
   */
  async appendEquity(id: string, points: readonly EquityPoint[]): Promise<void> {
    const f = this.filesOf(id);
    checkEquityPoints(points);
    if (points.length === 0) return;
    await this.serialise(id, async () => {
      await this.ensureDir(f);
      const n = await f.equity.load();
      let lastTime = n > 0 ? f.equity.keyAt(n - 1) : Number.NEGATIVE_INFINITY;
      const fresh: EquityPoint[] = [];
      for (const p of points) {
        if (p.time <= lastTime) continue;
        fresh.push({ time: p.time, equity: p.equity });
        lastTime = p.time;
      }
      await f.equity.append(fresh);
    });
  }

  /** Points with time >= since, oldest first, at most `limit`. */
  async listEquity(id: string, since: number, limit: number): Promise<EquityPoint[]> {
    if (limit <= 0) return [];
    const file = this.filesOf(id).equity;
    await file.load();
    // times are strictly increasing (appendEquity skips anything not newer): binary search
    const from = file.lowerBound(since);
    return file.read(from, from + limit);
  }

  async upsertOrders(id: string, orders: readonly OrderRecord[]): Promise<void> {
    const f = this.filesOf(id);
    checkOrders(id, orders);
    if (orders.length === 0) return;
    await this.serialise(id, async () => {
      await this.ensureDir(f);
      await f.orders.append(orders);
    });
  }

  private async latestOrders(f: StrategyFiles): Promise<OrderRecord[]> {
    const { items } = await f.orders.load();
    const latest = new Map<string, { order: OrderRecord; first: number }>();
    items.forEach((o, i) => {
      const prev = latest.get(o.orderId);
      latest.set(o.orderId, { order: o, first: prev?.first ?? i });
    });
    return [...latest.values()].sort((a, b) => b.order.decidedAt - a.order.decidedAt || b.first - a.first).map((x) => x.order);
  }

  async listOrders(id: string, query: OrderQuery): Promise<OrderRecord[]> {
    const all = await this.latestOrders(this.filesOf(id));
    const open = query.openOnly ? all.filter((o) => o.status === 'pending' || o.status === 'open') : all;
    return open.slice(0, Math.max(0, query.limit));
  }

  async getOrder(id: string, orderId: string): Promise<OrderRecord | null> {
    const { items } = await this.filesOf(id).orders.load();
    for (let i = items.length - 1; i >= 0; i--) if (items[i]!.orderId === orderId) return items[i]!;
    return null;
  }

  async appendEvents(id: string, events: readonly StrategyEventRecord[]): Promise<void> {
    const f = this.filesOf(id);
    checkEvents(id, events);
    if (events.length === 0) return;
    await this.serialise(id, async () => {
      await this.ensureDir(f);
      await f.events.load();
      const inBatch = new Set<number>();
      const fresh: StrategyEventRecord[] = [];
      for (const e of events) {
        if (inBatch.has(e.seq) || f.events.hasKey(e.seq)) continue;
        inBatch.add(e.seq);
        fresh.push(e);
      }
      await f.events.append(fresh);
    });
  }

  async listEvents(id: string, afterSeq: number, limit: number): Promise<StrategyEventRecord[]> {
    const file = this.filesOf(id).events;
    await file.load();
    return file.readAt(file.indexesAfter(afterSeq, limit));
  }

  async saveSnapshot(snapshot: SnapshotRecord): Promise<void> {
    const f = this.filesOf(snapshot.strategyId);
    await this.serialise(snapshot.strategyId, async () => {
      await this.ensureDir(f);
      await writeFileAtomic(f.snapshot, `${JSON.stringify({ checksum: snapshotChecksum(snapshot), snapshot })}\n`);
    });
  }

  async loadSnapshot(id: string): Promise<SnapshotLoad> {
    const f = this.filesOf(id);
    const text = await readTextFile(f.snapshot);
    if (text === null) return { status: 'missing' };
    let parsed: { checksum?: unknown; snapshot?: unknown };
    try {
      parsed = JSON.parse(text) as { checksum?: unknown; snapshot?: unknown };
    } catch {
      return { status: 'corrupt', reason: `${f.snapshot} is not valid JSON` };
    }
    const snap = parsed.snapshot as SnapshotRecord | undefined;
    if (typeof parsed.checksum !== 'string' || snap === undefined || snap === null || typeof snap !== 'object') return { status: 'corrupt', reason: `${f.snapshot} has no checksum or snapshot` };
    const actual = snapshotChecksum(snap);
    if (actual !== parsed.checksum) return { status: 'corrupt', reason: `${f.snapshot}: checksum mismatch` };
    return { status: 'ok', snapshot: snap, checksum: actual };
  }

  async persistEffects(id: string, effects: StrategyEffects): Promise<void> {
    if (effects.trades?.length) await this.appendTrades(id, effects.trades);
    if (effects.orders?.length) await this.upsertOrders(id, effects.orders);
    if (effects.events?.length) await this.appendEvents(id, effects.events);
    if (effects.positions) await this.savePositions(id, effects.positions);
    if (effects.equity?.length) await this.appendEquity(id, effects.equity);
    if (effects.state) await this.saveState(effects.state);
  }

  async persistMany(batches: readonly StrategyEffectsBatch[]): Promise<void> {
    await Promise.all(batches.map((b) => this.persistEffects(b.strategyId, b.effects)));
  }

  /** a symbol's market log: segment files under <dataDir>/market_data/log/<SYMBOL>/, read on demand */
  private marketLogOf(symbol: string): SegmentedMarketLog {
    let log = this.markets.get(symbol);
    if (!log) {
      const dir = join(this.dataDir, 'market_data', 'log');
      log = new SegmentedMarketLog({ symbol, dir: join(dir, symbol), legacyFile: join(dir, `${symbol}.jsonl`), ...this.marketLogTuning });
      this.markets.set(symbol, log);
    }
    return log;
  }

  async appendMarketEvents(symbol: string, events: ReadonlyArray<Omit<MarketEventRecord, 'seq' | 'symbol'>>): Promise<MarketEventRecord[]> {
    checkMarketEvents(symbol, events);
    if (events.length === 0) return [];
    return this.marketLogOf(symbol).appendNew(events);
  }

  /** Append then effects, in that order: a crash in between leaves the log ahead, which the replay after it fills in. */
  async appendMarketEventsWithEffects(symbol: string, events: readonly MarketEventRecord[], batches: readonly StrategyEffectsBatch[]): Promise<void> {
    checkNumberedMarketEvents(symbol, events);
    if (events.length > 0) await this.marketLogOf(symbol).appendNumbered(events);
    await this.persistMany(batches);
  }

  /** Deletes whole segment files and rewrites the one the cut falls in (atomically). */
  async pruneMarketEvents(symbol: string, uptoSeq: number): Promise<number> {
    checkMarketEvents(symbol, []);
    return this.marketLogOf(symbol).prune(uptoSeq);
  }

  /** (a symbol that is not one was never appended: nothing, as in PostgreSQL) */
  async lastMarketEvents(symbol: string, limit: number): Promise<MarketEventRecord[]> {
    if (!isMarketSymbol(symbol)) return [];
    return this.marketLogOf(symbol).last(limit);
  }

  async listMarketEvents(symbol: string, afterSeq: number, limit: number): Promise<MarketEventRecord[]> {
    if (!isMarketSymbol(symbol)) return [];
    return this.marketLogOf(symbol).list(afterSeq, limit);
  }

  // ---- start claims, backup and restore (the JSON side of StrategyStore's operations for them)

  async claimStrategyStart(request: StartClaimRequest): Promise<StartClaim> {
    assertStrategyId(request.strategyId);
    return this.serialise('start-claims', () => this.claims.claim(request, async (id) => (await this.getStrategy(id))?.status ?? null));
  }

  async settleStrategyStart(strategyId: string, owner: string): Promise<void> {
    assertStrategyId(strategyId);
    await this.serialise('start-claims', () => this.claims.settle(strategyId, owner));
  }

  /** symbols with a log under market_data/log/ (a SYMBOL.jsonl file, or a SYMBOL/ directory of segments) */
  async listMarketSymbols(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(join(this.dataDir, 'market_data', 'log'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const symbols = new Set<string>();
    for (const n of names) {
      const m = /^([A-Z0-9]{2,30})(\.jsonl)?$/.exec(n);
      if (m?.[1] && (await this.lastMarketEvents(m[1], 1)).length > 0) symbols.add(m[1]);
    }
    return [...symbols].sort();
  }

  async importMarketEvents(symbol: string, events: readonly MarketEventRecord[]): Promise<void> {
    checkNumberedMarketEvents(symbol, events);
    if (events.length === 0) return;
    await this.marketLogOf(symbol).appendNumbered(events, { startAnywhere: true });
  }

  /**
   * Another process (the running system) may write while a backup reads, file by file (each write
   * atomic). So each strategy is read (in reverse write order) between two identical listings of
   * its directory (names, sizes, modification times), retried until one read saw no write, and
   * under its write queue against writers in this process.
   */
  async *exportData(): AsyncGenerator<BackupRecord> {
    yield* dumpStore(this, {
      source: 'json',
      createdAt: Date.now(),
      claims: () => this.claims.list(),
      outboxRows: () => this.outbox.recent(Number.MAX_SAFE_INTEGER),
      readStrategy: (id) =>
        this.serialise(id, async () => {
          let records: BackupRecord[] | null = null;
          for (let attempt = 0; attempt < 50; attempt++) {
            const before = await this.directoryStamp(id);
            records = await readStrategyRecords(this, id);
            if ((await this.directoryStamp(id)) === before) return records;
            await new Promise((resolve) => setTimeout(resolve, 20 + attempt * 10));
          }
          return records; // never quiet: still a read in reverse write order, which the restart's replay completes
        }),
    });
  }

  private async directoryStamp(id: string): Promise<string> {
    const dir = this.filesOf(id).dir;
    const names = (await readdir(dir).catch(() => [] as string[])).sort();
    const parts = await Promise.all(names.map(async (n) => stat(join(dir, n)).then((st) => `${n}:${st.size}:${st.mtimeMs}`, () => `${n}:gone`)));
    return parts.join('|');
  }

  async importData(records: AsyncIterable<BackupRecord>): Promise<BackupCounts> {
    if (!(await isStoreEmpty(this))) throw new ConflictError(`${this.dataDir} is not empty; restore into an empty data directory (or clear it first)`);
    return loadRecords(this, records, {
      importMarket: (symbol, events) => this.importMarketEvents(symbol, events),
      importClaim: (strategyId, owner) => this.serialise('start-claims', () => this.claims.put(strategyId, owner)),
      importOutbox: (rows) => this.outbox.importRows(rows),
    });
  }

  async saveParityCheck(check: ParityCheckRecord): Promise<void> {
    const valid = checkParityCheck(check);
    const f = this.filesOf(valid.strategyId);
    await this.serialise(valid.strategyId, async () => {
      await this.ensureDir(f);
      const { items } = await f.parity.load();
      if (items.some((c) => c.checkId === valid.checkId)) return;
      await f.parity.append([valid]);
    });
  }

  async listParityChecks(id: string, limit: number): Promise<ParityCheckRecord[]> {
    const { items } = await this.filesOf(id).parity.load();
    const newestFirst = items.map((c) => ({ c })).sort((a, b) => b.c.checkedAt - a.c.checkedAt || (a.c.checkId < b.c.checkId ? 1 : a.c.checkId > b.c.checkId ? -1 : 0));
    return newestFirst.slice(0, Math.max(0, Math.floor(limit))).map((x) => x.c);
  }

  async getParityCheck(id: string, checkId: string): Promise<ParityCheckRecord | null> {
    const { items } = await this.filesOf(id).parity.load();
    return items.find((c) => c.checkId === checkId) ?? null;
  }

  async saveWarmupHistory(history: WarmupHistoryRecord): Promise<void> {
    const valid = checkWarmupHistory(history);
    const f = this.filesOf(valid.strategyId);
    await this.serialise(valid.strategyId, async () => {
      await this.ensureDir(f);
      await writeFileAtomic(f.warmup, `${JSON.stringify(valid)}\n`);
    });
  }

  async loadWarmupHistory(id: string): Promise<WarmupHistoryRecord | null> {
    const f = this.filesOf(id);
    const raw = await readJsonFile(f.warmup);
    return raw === null ? null : parseStored(StoredWarmupHistory, raw, f.warmup);
  }

  async clear(): Promise<void> {
    await Promise.all([...this.queues.values()]);
    await rm(this.root, { recursive: true, force: true });
    await rm(join(this.dataDir, 'market_data', 'log'), { recursive: true, force: true });
    await this.claims.clear();
    await this.outbox.clear();
    this.files.clear();
    this.markets.clear();
    this.leases.clear();
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const held = this.leases.get(name);
    if (held && held.owner !== owner && held.expiresAt > now) return false;
    this.leases.set(name, { name, owner, expiresAt: now + ttlMs });
    return true;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    if (this.leases.get(name)?.owner === owner) this.leases.delete(name);
  }

  async getLease(name: string): Promise<LeaseInfo | null> {
    const l = this.leases.get(name);
    return l && l.expiresAt > Date.now() ? { ...l } : null;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values(), ...[...this.markets.values()].map((log) => log.close())]);
  }
}
