/**
 * View models of the dashboard and tolerant readers that turn api-server JSON into them.
 * Money stays a decimal string end to end; it is only formatted for display (format.ts).
 */

export interface TradeView {
  tradeId: string;
  orderId: string;
  strategyId: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  fee: string;
  realizedPnl: string;
  reason: string;
  time: number;
}

export interface StrategyView {
  id: string;
  name: string;
  status: string;
  symbol: string;
  equity: string | null;
  initialCash: string | null;
  pnl: string | null;
  realizedPnl: string | null;
  unrealizedPnl: string | null;
  positionQty: string | null;
  avgEntryPrice: string | null;
  lastPrice: string | null;
  tradeCount: number | null;
  error: string | null;
  configName: string | null;
  lastTrades: TradeView[];
}

export interface FeedView {
  source: string;
  requestedSource: string | null;
  isSimulated: boolean;
  state: string;
  isStale: boolean;
  message: string;
  lastCandleCloseTime: number | null;
  lagMs: number | null;
  symbols: string[];
  reconnects: number | null;
  circuit: string | null;
}

export interface CandleView {
  time: number; // open time, ms
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface EquityPointView {
  time: number;
  equity: number;
}

export interface OrderView {
  orderId: string;
  side: string;
  type: string;
  status: string;
  quantity: string;
  filledQuantity: string | null;
  price: string | null;
  time: number | null;
  decisionPrice: string | null;
  arrivalMid: string | null;
  vwap: string | null;
  slippageBps: number | null;
  latencyMs: number | null;
  levelsUsed: number | null;
  fee: string | null;
}

export interface PositionView {
  symbol: string;
  quantity: string;
  averagePrice: string | null;
  unrealizedPnl: string | null;
  realizedPnl: string | null;
}

type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Unwraps `{ data: x }`, `{ items: [...] }`, `{ <key>: [...] }` or a bare array into a list. */
export function listOf(body: unknown, ...keys: string[]): unknown[] {
  if (Array.isArray(body)) return body;
  if (!isObj(body)) return [];
  for (const k of [...keys, 'items', 'data', 'results']) {
    const v = body[k];
    if (Array.isArray(v)) return v;
    if (isObj(v)) {
      const inner = listOf(v, ...keys);
      if (inner.length > 0) return inner;
    }
  }
  return [];
}

/** Unwraps `{ data: {...} }` / `{ <key>: {...} }` into the object itself. */
export function objOf(body: unknown, ...keys: string[]): Obj | null {
  if (!isObj(body)) return null;
  for (const k of [...keys, 'data']) {
    const v = body[k];
    if (isObj(v)) return v;
  }
  return body;
}

function pick(o: Obj | null | undefined, ...keys: string[]): unknown {
  if (!o) return undefined;
  for (const k of keys) {
    if (k.includes('.')) {
      const [head, ...rest] = k.split('.');
      const inner = o[head!];
      if (isObj(inner)) {
        const v = pick(inner, rest.join('.'));
        if (v !== undefined && v !== null) return v;
      }
      continue;
    }
    const v = o[k];
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

export function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

export function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function time(v: unknown): number | null {
  const n = num(v);
  if (n !== null) return n < 1e11 ? n * 1000 : n; // seconds → ms
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** Subtracts two decimal strings exactly (scaled BigInt), for PnL = equity − initial cash. */
export function subDecimal(a: string, b: string): string | null {
  const re = /^-?\d+(\.\d+)?$/;
  if (!re.test(a) || !re.test(b)) return null;
  const scale = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const toBig = (s: string): bigint => {
    const neg = s.startsWith('-');
    const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
    const v = BigInt(i! + f.padEnd(scale, '0'));
    return neg ? -v : v;
  };
  const d = toBig(a) - toBig(b);
  const neg = d < 0n;
  const digits = (neg ? -d : d).toString().padStart(scale + 1, '0');
  const out = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${out}` : out;
}

export function addDecimal(a: string, b: string): string | null {
  return subDecimal(a, b.startsWith('-') ? b.slice(1) : `-${b}`.replace(/^--/, ''));
}

export function toTrade(raw: unknown): TradeView | null {
  if (!isObj(raw)) return null;
  const side = String(pick(raw, 'side') ?? '').toLowerCase();
  const price = str(pick(raw, 'price', 'fillPrice', 'avgPrice'));
  const quantity = str(pick(raw, 'quantity', 'qty', 'size', 'amount'));
  if ((side !== 'buy' && side !== 'sell') || price === null || quantity === null) return null;
  return {
    tradeId: str(pick(raw, 'tradeId', 'id')) ?? '',
    orderId: str(pick(raw, 'orderId')) ?? '',
    strategyId: str(pick(raw, 'strategyId')) ?? '',
    symbol: str(pick(raw, 'symbol')) ?? '',
    side,
    quantity,
    price,
    fee: str(pick(raw, 'fee', 'commission')) ?? '0',
    realizedPnl: str(pick(raw, 'realizedPnl', 'pnl')) ?? '0',
    reason: str(pick(raw, 'reason', 'signal')) ?? '',
    time: time(pick(raw, 'time', 'timestamp', 'executedAt', 'ts')) ?? 0,
  };
}

export function toTrades(body: unknown): TradeView[] {
  return listOf(body, 'trades').map(toTrade).filter((t): t is TradeView => t !== null);
}

export function nextCursorOf(body: unknown): string | null {
  if (!isObj(body)) return null;
  return str(pick(body, 'nextCursor', 'next_cursor', 'cursor.next', 'page.nextCursor', 'meta.nextCursor'));
}

export function toStrategy(raw: unknown): StrategyView | null {
  if (!isObj(raw)) return null;
  const id = str(pick(raw, 'id', 'strategyId'));
  if (!id) return null;
  const equity = str(pick(raw, 'equity', 'state.equity', 'account.equity'));
  const initialCash = str(pick(raw, 'initialCash', 'initialCapital', 'startingCash', 'state.initialCash'));
  const realized = str(pick(raw, 'realizedPnl', 'state.realizedPnl', 'pnl.realized'));
  const unrealized = str(pick(raw, 'unrealizedPnl', 'state.unrealizedPnl', 'pnl.unrealized'));
  let pnl = str(pick(raw, 'pnl', 'totalPnl', 'pnl.total', 'state.pnl'));
  if (pnl === null && equity !== null && initialCash !== null) pnl = subDecimal(equity, initialCash);
  if (pnl === null && realized !== null && unrealized !== null) pnl = addDecimal(realized, unrealized);
  const errorVal = pick(raw, 'error', 'lastError');
  return {
    id,
    name: str(pick(raw, 'name', 'configName')) ?? id,
    status: str(pick(raw, 'status', 'state.status')) ?? 'unknown',
    symbol: str(pick(raw, 'symbol', 'config.symbol')) ?? '',
    equity,
    initialCash,
    pnl,
    realizedPnl: realized,
    unrealizedPnl: unrealized,
    positionQty: str(pick(raw, 'positionQty', 'state.positionQty', 'position.quantity')),
    avgEntryPrice: str(pick(raw, 'avgEntryPrice', 'state.avgEntryPrice', 'position.averagePrice')),
    lastPrice: str(pick(raw, 'lastPrice', 'state.lastPrice')),
    tradeCount: num(pick(raw, 'tradeCount', 'trades', 'tradesCount', 'state.tradeCount', 'stats.tradeCount')),
    error: typeof errorVal === 'string' ? errorVal : isObj(errorVal) ? (str(errorVal['message']) ?? JSON.stringify(errorVal)) : null,
    configName: str(pick(raw, 'configName', 'config')),
    lastTrades: toTrades(pick(raw, 'lastTrades', 'recentTrades') ?? []),
  };
}

export function toStrategies(body: unknown): StrategyView[] {
  return listOf(body, 'strategies').map(toStrategy).filter((s): s is StrategyView => s !== null);
}

/** Merges a detail answer (/status) over a list entry: fields present in `detail` win. */
export function mergeStrategy(base: StrategyView, detail: StrategyView | null): StrategyView {
  if (!detail) return base;
  const out: StrategyView = { ...base };
  for (const [k, v] of Object.entries(detail) as [keyof StrategyView, unknown][]) {
    if (v === null || v === undefined || v === '') continue;
    if (k === 'lastTrades' && Array.isArray(v) && v.length === 0) continue;
    if (k === 'name' && v === detail.id && base.name !== base.id) continue;
    if (k === 'status' && v === 'unknown') continue;
    (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

const STALE_STATES = new Set(['stale', 'degraded', 'stopped']);

export function toFeed(body: unknown): FeedView | null {
  const o = objOf(body, 'feed', 'status');
  if (!o) return null;
  const state = str(pick(o, 'state')) ?? 'unknown';
  const source = str(pick(o, 'source')) ?? 'unknown';
  return {
    source,
    requestedSource: str(pick(o, 'requestedSource')),
    isSimulated: pick(o, 'isSimulated') === true || source === 'simulated',
    state,
    isStale: pick(o, 'isStale', 'stale') === true || STALE_STATES.has(state),
    message: str(pick(o, 'message')) ?? '',
    lastCandleCloseTime: time(pick(o, 'lastCandleCloseTime')),
    lagMs: num(pick(o, 'lagMs')),
    symbols: (Array.isArray(o['symbols']) ? o['symbols'] : []).filter((s): s is string => typeof s === 'string'),
    reconnects: num(pick(o, 'reconnects')),
    circuit: str(pick(o, 'circuit')),
  };
}

export function toCandle(raw: unknown): CandleView | null {
  if (Array.isArray(raw)) {
    // Binance kline array: [openTime, open, high, low, close, volume, closeTime, ...]
    const [t, o, h, l, c, v] = raw as unknown[];
    const tt = time(t);
    const [oo, hh, ll, cc] = [num(o), num(h), num(l), num(c)];
    if (tt === null || oo === null || hh === null || ll === null || cc === null) return null;
    return { time: tt, open: oo, high: hh, low: ll, close: cc, volume: num(v) ?? 0 };
  }
  if (!isObj(raw)) return null;
  const candle = isObj(raw['candle']) ? raw['candle'] : raw;
  const t = time(pick(candle, 'openTime', 'time', 't'));
  const o = num(pick(candle, 'open', 'o'));
  const h = num(pick(candle, 'high', 'h'));
  const l = num(pick(candle, 'low', 'l'));
  const c = num(pick(candle, 'close', 'c'));
  if (t === null || o === null || h === null || l === null || c === null) return null;
  return { time: t, open: o, high: h, low: l, close: c, volume: num(pick(candle, 'volume', 'v')) ?? 0 };
}

export function toCandles(body: unknown): CandleView[] {
  const list = listOf(body, 'candles', 'klines')
    .map(toCandle)
    .filter((c): c is CandleView => c !== null)
    .sort((a, b) => a.time - b.time);
  // de-duplicate on time (lightweight-charts requires strictly ascending times)
  const out: CandleView[] = [];
  for (const c of list) {
    if (out.length > 0 && out[out.length - 1]!.time === c.time) out[out.length - 1] = c;
    else out.push(c);
  }
  return out;
}

export function toEquityPoints(body: unknown): EquityPointView[] {
  return listOf(body, 'equity', 'points', 'curve')
    .map((raw) => {
      if (!isObj(raw)) return null;
      const t = time(pick(raw, 'time', 'timestamp', 't'));
      const e = num(pick(raw, 'equity', 'value', 'v'));
      return t === null || e === null ? null : { time: t, equity: e };
    })
    .filter((p): p is EquityPointView => p !== null)
    .sort((a, b) => a.time - b.time);
}

/** Drawdown in percent below the running peak, for each equity point (0 or negative). */
export function drawdownOf(points: readonly EquityPointView[]): { time: number; drawdownPct: number }[] {
  let peak = -Infinity;
  return points.map((p) => {
    peak = Math.max(peak, p.equity);
    const dd = peak > 0 ? ((p.equity - peak) / peak) * 100 : 0;
    return { time: p.time, drawdownPct: Math.round(dd * 10_000) / 10_000 };
  });
}

export function toOrders(body: unknown): OrderView[] {
  return listOf(body, 'orders')
    .map((raw): OrderView | null => {
      if (!isObj(raw)) return null;
      const fq = isObj(raw['fillQuality']) ? raw['fillQuality'] : isObj(raw['quality']) ? raw['quality'] : raw;
      const status = str(pick(raw, 'status')) ?? '';
      const reject = str(pick(raw, 'rejectMessage', 'rejectReason'));
      return {
        orderId: str(pick(raw, 'orderId', 'id')) ?? '',
        side: str(pick(raw, 'side')) ?? '',
        type: str(pick(raw, 'type', 'orderType')) ?? 'market',
        status: reject && status === 'rejected' ? `rejected: ${reject}` : status,
        quantity: str(pick(raw, 'quantity', 'qty')) ?? '',
        filledQuantity: str(pick(raw, 'filledQty', 'filledQuantity', 'executedQty')),
        price: str(pick(raw, 'avgPrice', 'price', 'limitPrice', 'stopPrice')),
        time: time(pick(raw, 'decidedAt', 'lastFillTime', 'time', 'firstFillTime', 'createdAt', 'updatedAt')),
        decisionPrice: str(pick(fq, 'decisionPrice')),
        arrivalMid: str(pick(fq, 'arrivalMid', 'arrivalMidPrice')),
        vwap: str(pick(fq, 'vwap', 'fillVwap', 'averagePrice')),
        slippageBps: num(pick(fq, 'slippageBps')),
        latencyMs: num(pick(fq, 'latencyMs', 'ackLatencyMs')),
        levelsUsed: num(pick(fq, 'levelsConsumed', 'levelsUsed', 'levels')) ?? (Array.isArray(fq['levels']) ? (fq['levels'] as unknown[]).length : null),
        fee: str(pick(raw, 'fees', 'fee')),
      };
    })
    .filter((o): o is OrderView => o !== null);
}

export function toPositions(body: unknown): PositionView[] {
  return listOf(body, 'positions')
    .map((raw): PositionView | null => {
      if (!isObj(raw)) return null;
      const quantity = str(pick(raw, 'quantity', 'qty', 'positionQty'));
      if (quantity === null) return null;
      return {
        symbol: str(pick(raw, 'symbol')) ?? '',
        quantity,
        averagePrice: str(pick(raw, 'averagePrice', 'avgEntryPrice', 'entryPrice')),
        unrealizedPnl: str(pick(raw, 'unrealizedPnl')),
        realizedPnl: str(pick(raw, 'realizedPnl')),
      };
    })
    .filter((p): p is PositionView => p !== null);
}
