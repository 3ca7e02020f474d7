import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StrategyFillV1 } from '@btc-research/contracts';
import { z } from 'zod';
import { ConflictError, DataCorruptedError } from '../errors.js';
import { JsonlFile, readJsonFile, readTextFile, writeFileAtomic } from './atomic-file.js';
import { JsonStartClaims } from './json-start-claims.js';
import { snapshotChecksum } from './snapshot-checksum.js';
import { dumpStore, isStoreEmpty, loadRecords, readStrategyRecords } from './store-backup.js';
import type {
  BackupCounts,
  BackupRecord,
  StartClaim,
  StartClaimRequest,
  EquityPoint,
  LeaseInfo,
  MarketEventRecord,
  OrderQuery,
  OrderRecord,
  SnapshotLoad,
  SnapshotRecord,
  StrategyEffects,
  StrategyEventRecord,
  PositionRecord,
  StrategyRecord,
  StrategyState,
  StrategyStore,
  TradePage,
  TradeQuery,
  TradeRecord,
} from './strategy-store.js';
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
  checkMarketEvents,
  checkNumberedMarketEvents,
  StoredOrder,
  StoredEvent,
  StoredMarketEvent,
  parseStored,
  parseStoredState,
  StoredEquity,
  StoredPosition,
  StoredStrategy,
} from './validate.js';

export interface JsonStrategyStoreOptions {
  /** the data directory; strategies live in <dataDir>/strategies/{id}/ */
  dataDir: string;
}

interface StrategyFiles {
  dir: string;
  configYaml: string;
  strategy: string;
  state: string;
  positions: string;
  trades: JsonlFile<TradeRecord>;
  equity: JsonlFile<EquityPoint>;
  /** every version of every order, latest wins */
  orders: JsonlFile<OrderRecord>;
  events: JsonlFile<StrategyEventRecord>;
  snapshot: string;
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
  private readonly markets = new Map<string, { file: JsonlFile<MarketEventRecord>; ids: Set<string> | null }>();
  /** leases live in memory: the JSON backend serves one process */
  private readonly leases = new Map<string, LeaseInfo>();
  private readonly claims: JsonStartClaims;

  constructor(options: JsonStrategyStoreOptions) {
    this.root = join(options.dataDir, 'strategies');
    this.dataDir = options.dataDir;
    this.claims = new JsonStartClaims(join(options.dataDir, 'start-claims.json'));
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
        equity: new JsonlFile(join(dir, 'equity.jsonl'), (v, where) => parseStored(StoredEquity, v, where)),
        orders: new JsonlFile(join(dir, 'orders.jsonl'), (v, where) => parseStored(StoredOrder, v, where) as OrderRecord),
        events: new JsonlFile(join(dir, 'events.jsonl'), (v, where) => parseStored(StoredEvent, v, where) as StrategyEventRecord),
        snapshot: join(dir, 'snapshot.json'),
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
      const { items } = await f.equity.load();
      let lastTime = items.length > 0 ? items[items.length - 1]!.time : Number.NEGATIVE_INFINITY;
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
    const { items } = await this.filesOf(id).equity.load();
    // times are strictly increasing (appendEquity skips anything not newer): binary search
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid]!.time < since) lo = mid + 1;
      else hi = mid;
    }
    return items.slice(lo, lo + limit);
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
      const { items } = await f.events.load();
      const have = new Set(items.map((e) => e.seq));
      const fresh: StrategyEventRecord[] = [];
      for (const e of events) {
        if (have.has(e.seq)) continue;
        have.add(e.seq);
        fresh.push(e);
      }
      await f.events.append(fresh);
    });
  }

  async listEvents(id: string, afterSeq: number, limit: number): Promise<StrategyEventRecord[]> {
    const { items } = await this.filesOf(id).events.load();
    return items
      .filter((e) => e.seq > afterSeq)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, Math.max(0, limit));
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

  async persistMany(batches: ReadonlyArray<{ strategyId: string; effects: StrategyEffects }>): Promise<void> {
    await Promise.all(batches.map((b) => this.persistEffects(b.strategyId, b.effects)));
  }

  private marketOf(symbol: string) {
    let m = this.markets.get(symbol);
    if (!m) {
      m = { file: new JsonlFile(join(this.dataDir, 'market_data', 'log', `${symbol}.jsonl`), (v, where) => parseStored(StoredMarketEvent, v, where) as MarketEventRecord), ids: null };
      this.markets.set(symbol, m);
    }
    return m;
  }

  /**
   * Appends to a symbol's log file what `choose` picks, given where the log ends and the source ids
   * in it, one append at a time per symbol.
   */
  private appendToLog(symbol: string, choose: (lastSeq: number, ids: ReadonlySet<string>) => MarketEventRecord[]): Promise<MarketEventRecord[]> {
    return this.serialise(`market:${symbol}`, async () => {
      const m = this.marketOf(symbol);
      await mkdir(join(this.dataDir, 'market_data', 'log'), { recursive: true });
      const { items } = await m.file.load();
      if (m.ids === null) m.ids = new Set(items.map((e) => e.sourceId));
      const chosen = choose(items.length > 0 ? items[items.length - 1]!.seq : 0, m.ids);
      try {
        await m.file.append(chosen);
      } catch (err) {
        m.ids = null;
        throw err;
      }
      for (const e of chosen) m.ids.add(e.sourceId);
      return chosen;
    });
  }

  async appendMarketEvents(symbol: string, events: ReadonlyArray<Omit<MarketEventRecord, 'seq' | 'symbol'>>): Promise<MarketEventRecord[]> {
    checkMarketEvents(symbol, events);
    if (events.length === 0) return [];
    return this.appendToLog(symbol, (lastSeq, ids) => {
      const fresh: MarketEventRecord[] = [];
      const inBatch = new Set<string>();
      for (const e of events) {
        if (ids.has(e.sourceId) || inBatch.has(e.sourceId)) continue;
        inBatch.add(e.sourceId);
        fresh.push({ symbol, seq: lastSeq + fresh.length + 1, kind: e.kind, time: e.time, sourceId: e.sourceId, data: e.data });
      }
      return fresh;
    });
  }

  /** Append then effects, in that order: a crash in between leaves the log ahead, which the replay after it fills in. */
  async appendMarketEventsWithEffects(
    symbol: string,
    events: readonly MarketEventRecord[],
    batches: ReadonlyArray<{ strategyId: string; effects: StrategyEffects }>,
  ): Promise<void> {
    checkNumberedMarketEvents(symbol, events);
    if (events.length > 0) {
      await this.appendToLog(symbol, (lastSeq, ids) => {
        if (events[0]!.seq !== lastSeq + 1) throw new ConflictError(`market log of ${symbol} ends at seq ${lastSeq}; cannot append from seq ${events[0]!.seq}`);
        const seen = new Set<string>();
        for (const e of events) {
          if (ids.has(e.sourceId) || seen.has(e.sourceId)) throw new ConflictError(`market event ${e.sourceId} is already in the log of ${symbol}`);
          seen.add(e.sourceId);
        }
        return events.map((e) => ({ symbol, seq: e.seq, kind: e.kind, time: e.time, sourceId: e.sourceId, data: e.data }));
      });
    }
    await this.persistMany(batches);
  }

  /** Rewrites the log file without the pruned inputs (atomically), under the symbol's append lock. */
  async pruneMarketEvents(symbol: string, uptoSeq: number): Promise<number> {
    checkMarketEvents(symbol, []);
    return this.serialise(`market:${symbol}`, async () => {
      const m = this.marketOf(symbol);
      const { items } = await m.file.load();
      const keep = items.filter((e, i) => e.seq > uptoSeq || i === items.length - 1);
      if (keep.length === items.length) return 0;
      await m.file.rewrite(keep);
      m.ids = null;
      return items.length - keep.length;
    });
  }

  async lastMarketEvents(symbol: string, limit: number): Promise<MarketEventRecord[]> {
    const { items } = await this.marketOf(symbol).file.load();
    return items.slice(Math.max(0, items.length - Math.max(0, Math.floor(limit))));
  }

  async listMarketEvents(symbol: string, afterSeq: number, limit: number): Promise<MarketEventRecord[]> {
    const { items } = await this.marketOf(symbol).file.load();
    // seqs are dense from the first one kept (1 unless pruned), so seq n sits at index n − first
    const first = items[0]?.seq ?? 1;
    const from = Math.max(0, afterSeq + 1 - first);
    return items.slice(from, from + Math.max(0, limit));
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
    await this.appendToLog(symbol, (lastSeq) => {
      if (lastSeq !== 0 && events[0]!.seq !== lastSeq + 1) throw new ConflictError(`market log of ${symbol} ends at seq ${lastSeq}; cannot import from seq ${events[0]!.seq}`);
      return events.map((e) => ({ symbol, seq: e.seq, kind: e.kind, time: e.time, sourceId: e.sourceId, data: e.data }));
    });
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
    });
  }

  async clear(): Promise<void> {
    await Promise.all([...this.queues.values()]);
    await rm(this.root, { recursive: true, force: true });
    await rm(join(this.dataDir, 'market_data', 'log'), { recursive: true, force: true });
    await this.claims.clear();
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
    await Promise.all([...this.queues.values()]);
  }
}
