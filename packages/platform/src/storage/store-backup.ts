import { ConflictError, ValidationError } from '../errors.js';
import { snapshotChecksum } from './snapshot-checksum.js';
import type { OutboxDelivery } from './notification-outbox.js';
import type { BackupCounts, BackupRecord, EquityPoint, MarketEventRecord, StrategyRecord, StrategyState, StrategyStore, TradeRecord } from './strategy-store.js';

/** Rows per backup line: large tables are split into lines of this many. */
export const BACKUP_BATCH = 1_000;
const PAGE = 5_000;

/** The part of a store the generic dump reads: the public read operations. */
type StoreReader = Pick<
  StrategyStore,
  'listStrategies' | 'getStrategy' | 'loadState' | 'loadPositions' | 'listTrades' | 'listEquity' | 'listOrders' | 'listEvents' | 'loadSnapshot' | 'listMarketSymbols' | 'listMarketEvents' | 'listParityChecks' | 'loadWarmupHistory'
>;

function* batches<T>(items: readonly T[], make: (chunk: T[]) => BackupRecord): Generator<BackupRecord> {
  for (let i = 0; i < items.length; i += BACKUP_BATCH) yield make(items.slice(i, i + BACKUP_BATCH));
}

/** Every trade of a strategy, oldest first (insertion order among equal times), through listTrades' pages. */
export async function allTradesOldestFirst(store: Pick<StrategyStore, 'listTrades'>, id: string): Promise<TradeRecord[]> {
  const newestFirst: TradeRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listTrades(id, cursor === undefined ? { limit: 1_000 } : { limit: 1_000, cursor });
    newestFirst.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return newestFirst.reverse();
}

async function allEquity(store: StoreReader, id: string): Promise<EquityPoint[]> {
  const out: EquityPoint[] = [];
  for (let since = 0; ; ) {
    const page = await store.listEquity(id, since, PAGE);
    out.push(...page);
    if (page.length < PAGE) return out;
    since = page[page.length - 1]!.time + 1;
  }
}

async function allEvents(store: StoreReader, id: string) {
  const out: Awaited<ReturnType<StoreReader['listEvents']>> = [];
  for (let after = 0; ; ) {
    const page = await store.listEvents(id, after, PAGE);
    out.push(...page);
    if (page.length < PAGE) return out;
    after = page[page.length - 1]!.seq;
  }
}

/**
 * One strategy's records, read through the store's public operations in the reverse of the order
 * the paper-trader writes them (snapshot, state, positions, equity, event log, orders, trades, and
 * the record): whatever is read later is at least as new, so the copy is at worst "effects ahead of
 * the state", which is what a crash leaves and what the restart's replay completes exactly.
 * Null when the strategy does not exist.
 */
export async function readStrategyRecords(store: StoreReader, id: string): Promise<BackupRecord[] | null> {
  const snapshot = await store.loadSnapshot(id);
  const state = await store.loadState(id);
  const positions = await store.loadPositions(id);
  const equity = await allEquity(store, id);
  const events = await allEvents(store, id);
  // newest decision first → oldest first, so a restore inserts them in their original order
  const orders = (await store.listOrders(id, { limit: Number.MAX_SAFE_INTEGER })).reverse();
  const trades = await allTradesOldestFirst(store, id);
  // written apart from the trading effects (by the parity monitor): any moment will do
  const parity = (await store.listParityChecks(id, Number.MAX_SAFE_INTEGER)).reverse();
  const warmup = await store.loadWarmupHistory(id);
  const record = await store.getStrategy(id);
  if (!record) return null;
  const out: BackupRecord[] = [{ kind: 'strategy', record }];
  if (state) out.push({ kind: 'state', strategyId: id, state });
  out.push({ kind: 'positions', strategyId: id, positions });
  out.push(...batches(trades, (chunk) => ({ kind: 'trades', strategyId: id, trades: chunk })));
  out.push(...batches(equity, (chunk) => ({ kind: 'equity', strategyId: id, points: chunk })));
  out.push(...batches(orders, (chunk) => ({ kind: 'orders', strategyId: id, orders: chunk })));
  out.push(...batches(events, (chunk) => ({ kind: 'events', strategyId: id, events: chunk })));
  if (snapshot.status === 'ok') out.push({ kind: 'snapshot', strategyId: id, snapshot: snapshot.snapshot, checksum: snapshot.checksum });
  out.push(...batches(parity, (chunk) => ({ kind: 'parity', strategyId: id, checks: chunk })));
  if (warmup) out.push({ kind: 'warmup', strategyId: id, history: warmup });
  return out;
}

export interface DumpOptions {
  source: 'json' | 'postgres';
  createdAt: number;
  /** who started which strategy (start claims), read by the backend */
  claims(): Promise<ReadonlyArray<{ strategyId: string; owner: string }>>;
  /** every notification outbox row, in any order */
  outboxRows(): Promise<readonly OutboxDelivery[]>;
  /** one strategy's records; default readStrategyRecords (the JSON backend adds its own consistency check) */
  readStrategy?(id: string): Promise<BackupRecord[] | null>;
}

/**
 * The whole store as backup records, through its public read operations: header, each strategy,
 * start ownership, then every symbol's market log (read last: it is only appended to, so it holds
 * every input the strategies read before had processed). A snapshot whose replay point the log no
 * longer reaches (pruned meanwhile) fails the dump with a ConflictError: run it again.
 */
export async function* dumpStore(store: StoreReader, options: DumpOptions): AsyncGenerator<BackupRecord> {
  yield { kind: 'header', format: 'btc-research-backup', version: 1, createdAt: options.createdAt, source: options.source };
  const replayPoints = new Map<string, number>();
  for (const { id, symbol } of await store.listStrategies()) {
    const records = await (options.readStrategy ? options.readStrategy(id) : readStrategyRecords(store, id));
    if (!records) continue;
    for (const r of records) {
      if (r.kind === 'snapshot') replayPoints.set(symbol, Math.min(replayPoints.get(symbol) ?? Number.POSITIVE_INFINITY, r.snapshot.marketSeq));
      yield r;
    }
  }
  for (const c of await options.claims()) yield { kind: 'start-claim', strategyId: c.strategyId, owner: c.owner };
  const outbox = [...(await options.outboxRows())].sort((a, b) => a.createdAt - b.createdAt || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : a.channel < b.channel ? -1 : 1));
  yield* batches(outbox, (rows) => ({ kind: 'outbox', rows }));
  for (const symbol of await store.listMarketSymbols()) {
    let first: number | null = null;
    for (let after = 0; ; ) {
      const page: MarketEventRecord[] = await store.listMarketEvents(symbol, after, BACKUP_BATCH);
      if (page.length === 0) break;
      first ??= page[0]!.seq;
      yield { kind: 'market', symbol, events: page };
      after = page[page.length - 1]!.seq;
    }
    const replayFrom = replayPoints.get(symbol);
    if (first !== null && replayFrom !== undefined && first > replayFrom + 1) {
      throw new ConflictError(`the market log of ${symbol} was pruned past a strategy's snapshot while the backup ran (log starts at ${first}, snapshot at ${replayFrom}); run the backup again`);
    }
  }
}

export interface LoadHooks {
  importMarket(symbol: string, events: readonly MarketEventRecord[]): Promise<void>;
  importClaim(strategyId: string, owner: string): Promise<void>;
  importOutbox(rows: readonly OutboxDelivery[]): Promise<void>;
}

/**
 * Writes backup records into an (empty) store through its public write operations. A strategy's
 * state and then its record are written last, when its section ends: the record is the commit point
 * of a strategy (JSON files), so an interrupted restore never shows a strategy without its data.
 */
export async function loadRecords(store: StrategyStore, records: AsyncIterable<BackupRecord>, hooks: LoadHooks): Promise<BackupCounts> {
  const counts: BackupCounts = { strategies: 0, trades: 0, orders: 0, events: 0, equityPoints: 0, snapshots: 0, marketEvents: 0, notifications: 0 };
  let open: { record: StrategyRecord; state: StrategyState | null } | null = null;
  const closeSection = async () => {
    if (!open) return;
    if (open.state) await store.saveState(open.state);
    await store.upsertStrategy(open.record);
    counts.strategies += 1;
    open = null;
  };
  const sectionOf = (strategyId: string): void => {
    if (open?.record.id !== strategyId) throw new ValidationError(`backup: data of strategy "${strategyId}" outside its section`);
  };
  let sawHeader = false;
  for await (const r of records) {
    if (!sawHeader && r.kind !== 'header') throw new ValidationError('backup: the first record must be the header');
    switch (r.kind) {
      case 'header':
        if (sawHeader) throw new ValidationError('backup: a second header');
        sawHeader = true;
        break;
      case 'strategy':
        await closeSection();
        open = { record: r.record, state: null };
        break;
      case 'state':
        sectionOf(r.strategyId);
        open!.state = r.state;
        break;
      case 'positions':
        sectionOf(r.strategyId);
        await store.savePositions(r.strategyId, r.positions);
        break;
      case 'trades':
        sectionOf(r.strategyId);
        await store.appendTrades(r.strategyId, r.trades);
        counts.trades += r.trades.length;
        break;
      case 'equity':
        sectionOf(r.strategyId);
        await store.appendEquity(r.strategyId, r.points);
        counts.equityPoints += r.points.length;
        break;
      case 'orders':
        sectionOf(r.strategyId);
        await store.upsertOrders(r.strategyId, r.orders);
        counts.orders += r.orders.length;
        break;
      case 'events':
        sectionOf(r.strategyId);
        await store.appendEvents(r.strategyId, r.events);
        counts.events += r.events.length;
        break;
      case 'snapshot':
        sectionOf(r.strategyId);
        if (snapshotChecksum(r.snapshot) !== r.checksum) throw new ValidationError(`backup: the snapshot of "${r.strategyId}" does not match its checksum`);
        await store.saveSnapshot(r.snapshot);
        counts.snapshots += 1;
        break;
      case 'parity':
        sectionOf(r.strategyId);
        for (const c of r.checks) {
          if (c.strategyId !== r.strategyId) throw new ValidationError(`backup: a parity check of "${c.strategyId}" in the section of "${r.strategyId}"`);
          await store.saveParityCheck(c);
        }
        break;
      case 'warmup':
        sectionOf(r.strategyId);
        if (r.history.strategyId !== r.strategyId) throw new ValidationError(`backup: the warm-up history of "${r.history.strategyId}" in the section of "${r.strategyId}"`);
        await store.saveWarmupHistory(r.history);
        break;
      case 'start-claim':
        await closeSection();
        await hooks.importClaim(r.strategyId, r.owner);
        break;
      case 'market':
        await closeSection();
        await hooks.importMarket(r.symbol, r.events);
        counts.marketEvents += r.events.length;
        break;
      case 'outbox':
        await closeSection();
        await hooks.importOutbox(r.rows);
        counts.notifications += r.rows.length;
        break;
    }
  }
  await closeSection();
  if (!sawHeader) throw new ValidationError('backup: no records');
  return counts;
}

/** Strategies and market logs: what "empty" means for a restore (leases do not count). */
export async function isStoreEmpty(store: Pick<StrategyStore, 'listStrategies' | 'listMarketSymbols'>): Promise<boolean> {
  return (await store.listStrategies()).length === 0 && (await store.listMarketSymbols()).length === 0;
}
