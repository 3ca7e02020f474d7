/**
 * Page data loaders: each page's view model assembled from api-server calls.
 * Every API path the dashboard uses is listed in `paths` so a change in the API is one edit here.
 */
import { ApiError, type ApiAuth, type ApiClient } from './api-client.js';
import {
  isObj,
  listOf,
  mergeStrategy,
  nextCursorOf,
  objOf,
  str,
  toCandles,
  toEquityPoints,
  toFeed,
  toOrders,
  toPositions,
  toStrategies,
  toStrategy,
  toTrades,
  drawdownOf,
  type CandleView,
  type EquityPointView,
  type FeedView,
  type OrderView,
  type PositionView,
  type StrategyView,
  type TradeView,
} from './normalize.js';

const enc = encodeURIComponent;

export const paths = {
  active: '/api/v1/strategies/active',
  strategies: '/api/v1/strategies',
  status: (id: string) => `/api/v1/strategies/${enc(id)}/status`,
  stats: (id: string) => `/api/v1/strategies/${enc(id)}/stats`,
  trades: (id: string, q: URLSearchParams) => `/api/v1/strategies/${enc(id)}/trades?${q.toString()}`,
  equity: (id: string, limit: number) => `/api/v1/strategies/${enc(id)}/equity?limit=${limit}`,
  orders: (id: string, limit: number) => `/api/v1/strategies/${enc(id)}/orders?limit=${limit}`,
  positions: (id: string) => `/api/v1/strategies/${enc(id)}/positions`,
  indicators: (id: string, limit: number) => `/api/v1/strategies/${enc(id)}/indicators?limit=${limit}`,
  stop: (id: string) => `/api/v1/strategies/${enc(id)}/stop`,
  start: '/api/v1/strategies/start',
  validate: '/api/v1/configs/validate',
  configs: '/api/v1/configs/available',
  feed: '/api/v1/market/feed',
  /** MarketDataResponse: last price, bid/ask, candles per timeframe, feed */
  market: (symbol: string, timeframe: string, limit: number) => `/api/v1/market/data/${enc(symbol)}?timeframes=${enc(timeframe)}&limit=${limit}`,
  depth: (symbol: string, limit: number) => `/api/v1/market/depth/${enc(symbol)}?limit=${limit}`,
  events: '/api/v1/events',
  token: '/api/v1/auth/token',
  refresh: '/api/v1/auth/refresh',
} as const;

export interface OverviewData {
  feed: FeedView | null;
  feedError: string | null;
  strategies: StrategyView[];
  error: string | null;
  generatedAt: number;
}

function msg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Auth failures must reach the route (it redirects to the login page); anything else becomes a message. */
function rethrowAuth(err: unknown): void {
  if (err instanceof ApiError && (err.status === 401 || err.status === 403)) throw err;
}

export async function loadFeed(api: ApiClient, auth?: ApiAuth): Promise<{ feed: FeedView | null; error: string | null }> {
  try {
    const body = await api.optional(paths.feed, auth);
    return { feed: body === null ? null : toFeed(body), error: body === null ? 'the API has no feed status endpoint' : null };
  } catch (err) {
    rethrowAuth(err);
    return { feed: null, error: msg(err) };
  }
}

export async function loadOverview(api: ApiClient, auth?: ApiAuth, tradesPerStrategy = 3): Promise<OverviewData> {
  const [feedR, listR] = await Promise.allSettled([loadFeed(api, auth), api.json(paths.active, { auth })]);
  let strategies: StrategyView[] = [];
  let error: string | null = null;
  if (listR.status === 'fulfilled') strategies = toStrategies(listR.value);
  else {
    rethrowAuth(listR.reason);
    error = msg(listR.reason);
  }
  if (feedR.status === 'rejected') throw feedR.reason;
  strategies = await Promise.all(
    strategies.map(async (s) => {
      let out = s;
      if (s.equity === null || s.tradeCount === null) {
        const detail = await api.optional(paths.status(s.id), auth).catch(() => null);
        out = mergeStrategy(out, toStrategy(objOf(detail, 'strategy', 'status')));
      }
      if (out.lastTrades.length === 0 && tradesPerStrategy > 0) {
        const q = new URLSearchParams({ limit: String(tradesPerStrategy) });
        const page = await api.optional(paths.trades(s.id, q), auth).catch(() => null);
        out = { ...out, lastTrades: newestFirst(toTrades(page)).slice(0, tradesPerStrategy) };
      }
      return out;
    }),
  );
  const { feed, error: feedError } = feedR.value;
  return { feed, feedError, strategies, error, generatedAt: Date.now() };
}

function newestFirst(trades: TradeView[]): TradeView[] {
  return [...trades].sort((a, b) => b.time - a.time);
}

export interface StatsView {
  entries: { label: string; value: string }[];
}

/** The statistics shown, in order, with how to format them; other fields of the answer are ignored. */
const STATS: { keys: string[]; label: string; kind: 'money' | 'pct' | 'int' | 'ratio' }[] = [
  { keys: ['totalReturnPct'], label: 'Total return', kind: 'pct' },
  { keys: ['totalPnl', 'pnl'], label: 'Total PnL', kind: 'money' },
  { keys: ['maxDrawdownPct'], label: 'Max drawdown', kind: 'pct' },
  { keys: ['winRatePct'], label: 'Win rate', kind: 'pct' },
  { keys: ['profitFactor'], label: 'Profit factor', kind: 'ratio' },
  { keys: ['closedTrades'], label: 'Closed trades', kind: 'int' },
  { keys: ['winningTrades'], label: 'Winners', kind: 'int' },
  { keys: ['losingTrades'], label: 'Losers', kind: 'int' },
  { keys: ['averageWin'], label: 'Average win', kind: 'money' },
  { keys: ['averageLoss'], label: 'Average loss', kind: 'money' },
  { keys: ['feesPaid'], label: 'Fees paid', kind: 'money' },
  { keys: ['avgEntryPrice'], label: 'Avg. entry price', kind: 'money' },
  { keys: ['cash'], label: 'Cash', kind: 'money' },
  { keys: ['initialCash'], label: 'Initial cash', kind: 'money' },
  { keys: ['sharpe', 'sharpeRatio'], label: 'Sharpe', kind: 'ratio' },
];

export function toStats(body: unknown): StatsView {
  const o = objOf(body, 'stats');
  const entries: { label: string; value: string }[] = [];
  if (!o) return { entries };
  for (const st of STATS) {
    const key = st.keys.find((k) => o[k] !== undefined);
    if (key === undefined) continue;
    const v = o[key];
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    let value: string;
    if (v === null || !Number.isFinite(n)) value = '—';
    else if (st.kind === 'money') value = n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    else if (st.kind === 'pct') value = `${n.toFixed(2)} %`;
    else if (st.kind === 'int') value = String(Math.round(n));
    else value = n.toFixed(2);
    entries.push({ label: st.label, value });
  }
  return { entries };
}

export interface IndicatorSeries {
  name: string;
  points: { time: number; value: number }[];
  /** overlay on the price chart (true) or a separate pane such as RSI (false) */
  overlay: boolean;
}

function toIndicators(body: unknown): IndicatorSeries[] {
  const out: IndicatorSeries[] = [];
  const o = objOf(body, 'indicators');
  if (!o) return out;
  const series = Array.isArray(o['series']) ? o['series'] : null;
  if (series) {
    for (const s of series) {
      if (!isObj(s)) continue;
      const name = str(s['name']) ?? 'indicator';
      const pts = toEquityPoints({ items: (Array.isArray(s['points']) ? s['points'] : []).map((p) => (isObj(p) ? { time: p['time'], equity: p['value'] } : null)) });
      out.push({ name, points: pts.map((p) => ({ time: p.time, value: p.equity })), overlay: s['overlay'] !== false && !/rsi|stoch|macd|adx|atr|volume/i.test(name) });
    }
    return out;
  }
  // { EMA_20: [{time, value}], ... }
  for (const [name, v] of Object.entries(o)) {
    if (!Array.isArray(v)) continue;
    const pts = v
      .map((p) => (isObj(p) ? { time: Number(p['time']), value: Number(p['value']) } : null))
      .filter((p): p is { time: number; value: number } => p !== null && Number.isFinite(p.time) && Number.isFinite(p.value));
    out.push({ name, points: pts, overlay: !/rsi|stoch|macd|adx|atr|volume/i.test(name) });
  }
  return out;
}

export interface DetailData {
  strategy: StrategyView;
  feed: FeedView | null;
  stats: StatsView;
  trades: TradeView[];
  candles: CandleView[];
  indicators: IndicatorSeries[];
  equity: EquityPointView[];
  drawdown: { time: number; drawdownPct: number }[];
  positions: PositionView[];
  orders: OrderView[];
  missing: string[];
}

export async function loadDetail(api: ApiClient, id: string, auth?: ApiAuth): Promise<DetailData | null> {
  const statusBody = await api.optional(paths.status(id), auth);
  if (statusBody === null) return null;
  let strategy = toStrategy(objOf(statusBody, 'strategy', 'status'));
  if (!strategy) strategy = toStrategy({ ...(objOf(statusBody) ?? {}), id });
  if (!strategy) return null;
  const missing: string[] = [];
  const opt = async (p: string, label: string): Promise<unknown> => {
    try {
      const b = await api.optional(p, auth);
      if (b === null) missing.push(label);
      return b;
    } catch (err) {
      rethrowAuth(err);
      missing.push(`${label} (${msg(err)})`);
      return null;
    }
  };
  const symbol = strategy.symbol || 'BTCUSDT';
  const [statsB, tradesB, candlesB, equityB, positionsB, ordersB, indicatorsB, feedR] = await Promise.all([
    opt(paths.stats(id), 'stats'),
    opt(paths.trades(id, new URLSearchParams({ limit: '200' })), 'trades'),
    opt(paths.market(symbol, '1m', 300), 'candles'),
    opt(paths.equity(id, 2000), 'equity curve'),
    opt(paths.positions(id), 'positions'),
    opt(paths.orders(id, 50), 'orders'),
    opt(paths.indicators(id, 300), 'indicators'),
    loadFeed(api, auth),
  ]);
  const stats = toStats(statsB);
  const st = toStrategy(objOf(statsB, 'stats'));
  if (st) strategy = mergeStrategy(strategy, { ...st, id: strategy.id, name: strategy.name, status: strategy.status });
  const equity = toEquityPoints(equityB);
  let positions = toPositions(positionsB);
  if (positions.length === 0 && strategy.positionQty !== null && Number(strategy.positionQty) !== 0) {
    positions = [{ symbol, quantity: strategy.positionQty, averagePrice: strategy.avgEntryPrice, unrealizedPnl: strategy.unrealizedPnl, realizedPnl: strategy.realizedPnl }];
  }
  return {
    strategy,
    feed: feedR.feed,
    stats,
    trades: newestFirst(toTrades(tradesB)),
    candles: marketCandles(candlesB, '1m'),
    indicators: toIndicators(indicatorsB),
    equity,
    drawdown: drawdownOf(equity),
    positions,
    orders: toOrders(ordersB),
    missing,
  };
}

/** The parts of a strategy page that change with fills: statistics, positions, orders. */
export async function loadPanels(api: ApiClient, id: string, auth?: ApiAuth): Promise<Pick<DetailData, 'stats' | 'positions' | 'orders'> | null> {
  const statusBody = await api.optional(paths.status(id), auth);
  if (statusBody === null) return null;
  const strategy = toStrategy(objOf(statusBody, 'strategy', 'status'));
  const [statsB, positionsB, ordersB] = await Promise.all([
    api.optional(paths.stats(id), auth).catch(() => null),
    api.optional(paths.positions(id), auth).catch(() => null),
    api.optional(paths.orders(id, 50), auth).catch(() => null),
  ]);
  let positions = toPositions(positionsB);
  const st = toStrategy(objOf(statsB, 'stats'));
  const qty = st?.positionQty ?? strategy?.positionQty ?? null;
  if (positions.length === 0 && qty !== null && Number(qty) !== 0) {
    positions = [{ symbol: strategy?.symbol || 'BTCUSDT', quantity: qty, averagePrice: st?.avgEntryPrice ?? null, unrealizedPnl: st?.unrealizedPnl ?? null, realizedPnl: st?.realizedPnl ?? null }];
  }
  return { stats: toStats(statsB), positions, orders: toOrders(ordersB) };
}

export interface TradesQuery {
  strategy?: string | undefined;
  side?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface TradesData {
  strategies: StrategyView[];
  selected: string | null;
  trades: TradeView[];
  nextCursor: string | null;
  query: TradesQuery;
  error: string | null;
}

/** A datetime-local value ("2025-11-24T16:00") is read as UTC, like every time the dashboard shows. */
function parseUtc(v: string): number {
  return Date.parse(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(v) ? `${v}Z` : v);
}

export function tradeApiQuery(q: TradesQuery): URLSearchParams {
  const p = new URLSearchParams();
  p.set('limit', String(q.limit ?? 50));
  if (q.cursor) p.set('cursor', q.cursor);
  if (q.side === 'buy' || q.side === 'sell') p.set('side', q.side);
  const from = q.from ? parseUtc(q.from) : NaN;
  const to = q.to ? parseUtc(q.to) : NaN;
  if (Number.isFinite(from)) p.set('from', String(from));
  if (Number.isFinite(to)) p.set('to', String(to));
  return p;
}

export async function loadTrades(api: ApiClient, q: TradesQuery, auth?: ApiAuth): Promise<TradesData> {
  let strategies: StrategyView[] = [];
  let error: string | null = null;
  try {
    strategies = toStrategies(await api.json(paths.active, { auth }));
  } catch (err) {
    rethrowAuth(err);
    error = msg(err);
  }
  const selected = q.strategy && strategies.some((s) => s.id === q.strategy) ? q.strategy : (q.strategy ?? strategies[0]?.id ?? null);
  let trades: TradeView[] = [];
  let nextCursor: string | null = null;
  if (selected) {
    try {
      const body = await api.json(paths.trades(selected, tradeApiQuery(q)), { auth });
      trades = toTrades(body);
      nextCursor = nextCursorOf(body);
      // the API may not filter by side itself; filtering here again is harmless
      if (q.side === 'buy' || q.side === 'sell') trades = trades.filter((t) => t.side === q.side);
    } catch (err) {
      rethrowAuth(err);
      error = msg(err);
    }
  }
  return { strategies, selected, trades, nextCursor, query: q, error };
}

export interface ConfigEntry {
  name: string;
  strategyName: string | null;
  symbol: string | null;
  isValid: boolean | null;
  problems: ValidationIssue[];
}

export async function loadConfigs(api: ApiClient, auth?: ApiAuth): Promise<{ configs: ConfigEntry[]; error: string | null }> {
  try {
    const body = await api.optional(paths.configs, auth);
    if (body === null) return { configs: [], error: 'The API does not list configs yet.' };
    const configs = listOf(body, 'configs')
      .map((raw): ConfigEntry | null => {
        if (typeof raw === 'string') return { name: raw, strategyName: null, symbol: null, isValid: null, problems: [] };
        if (!isObj(raw)) return null;
        const name = str(raw['configName']) ?? str(raw['fileName']) ?? str(raw['file']);
        if (!name) return null;
        return {
          name,
          strategyName: str(raw['name']),
          symbol: str(raw['symbol']),
          isValid: typeof raw['isValid'] === 'boolean' ? raw['isValid'] : null,
          problems: toValidationIssues({ problems: raw['problems'] }),
        };
      })
      .filter((c): c is ConfigEntry => c !== null);
    return { configs, error: null };
  } catch (err) {
    rethrowAuth(err);
    return { configs: [], error: msg(err) };
  }
}

export interface ValidationIssue {
  line: number | null;
  column: number | null;
  path: string | null;
  message: string;
}

/** Reads validation errors from an API answer (`{ valid, errors: [{ line, column, path, message }] }` or an error body). */
export function toValidationIssues(body: unknown): ValidationIssue[] {
  const list = listOf(body, 'problems', 'errors', 'issues');
  const fromError = isObj(body) && isObj(body['error']) ? listOf(body['error'], 'details', 'problems', 'issues', 'errors') : [];
  return [...list, ...fromError]
    .map((raw): ValidationIssue | null => {
      if (typeof raw === 'string') return { line: null, column: null, path: null, message: raw };
      if (!isObj(raw)) return null;
      const line = Number(raw['line'] ?? (isObj(raw['position']) ? raw['position']['line'] : undefined));
      const column = Number(raw['column'] ?? raw['col'] ?? (isObj(raw['position']) ? raw['position']['column'] : undefined));
      const p = raw['path'];
      return {
        line: Number.isFinite(line) ? line : null,
        column: Number.isFinite(column) ? column : null,
        path: Array.isArray(p) ? p.join('.') : str(p),
        message: str(raw['message']) ?? JSON.stringify(raw),
      };
    })
    .filter((i): i is ValidationIssue => i !== null);
}

export interface MarketData {
  feed: FeedView | null;
  feedError: string | null;
  symbol: string;
  ticker: { price: string | null; bid: string | null; ask: string | null; spread: string | null; spreadBps: number | null; time: number | null } | null;
  depth: { bids: [string, string][]; asks: [string, string][] } | null;
  candles: CandleView[];
  missing: string[];
}

function levels(v: unknown): [string, string][] {
  if (!Array.isArray(v)) return [];
  return v
    .map((l): [string, string] | null => {
      if (Array.isArray(l) && l.length >= 2) return [String(l[0]), String(l[1])];
      if (isObj(l)) {
        const p = str(l['price']);
        const q = str(l['quantity'] ?? l['qty'] ?? l['size']);
        return p && q ? [p, q] : null;
      }
      return null;
    })
    .filter((l): l is [string, string] => l !== null);
}

/** Candles of one timeframe from a MarketDataResponse (`candles: { "1m": [...] }`) or a plain list. */
export function marketCandles(body: unknown, timeframe: string): CandleView[] {
  const o = objOf(body);
  if (o && isObj(o['candles'])) return toCandles(o['candles'][timeframe] ?? []);
  return toCandles(body);
}

export async function loadMarket(api: ApiClient, symbolIn: string | undefined, auth?: ApiAuth): Promise<MarketData> {
  const { feed, error: feedError } = await loadFeed(api, auth);
  const symbol = symbolIn && /^[A-Z0-9]{2,20}$/.test(symbolIn) ? symbolIn : (feed?.symbols[0] ?? 'BTCUSDT');
  const missing: string[] = [];
  const opt = async (p: string, label: string): Promise<unknown> => {
    try {
      const b = await api.optional(p, auth);
      if (b === null) missing.push(label);
      return b;
    } catch (err) {
      rethrowAuth(err);
      missing.push(`${label} (${msg(err)})`);
      return null;
    }
  };
  const [marketB, depthB] = await Promise.all([opt(paths.market(symbol, '1m', 120), 'market data'), opt(paths.depth(symbol, 10), 'order book depth')]);
  let ticker: MarketData['ticker'] = null;
  const t = objOf(marketB, 'ticker');
  if (t) {
    const bid = str(t['bid'] ?? t['bidPrice']);
    const ask = str(t['ask'] ?? t['askPrice']);
    const price = str(t['lastPrice'] ?? t['price'] ?? t['last']) ?? (bid && ask ? String((Number(bid) + Number(ask)) / 2) : null);
    const spreadN = bid && ask ? Number(ask) - Number(bid) : null;
    const mid = bid && ask ? (Number(ask) + Number(bid)) / 2 : null;
    ticker = {
      price,
      bid,
      ask,
      spread: str(t['spread']) ?? (spreadN !== null ? spreadN.toFixed(2) : null),
      spreadBps: spreadN !== null && mid ? Math.round((spreadN / mid) * 1e6) / 100 : null,
      time: Number(t['lastTradeTime'] ?? t['bookTime'] ?? t['time'] ?? 0) || null,
    };
  }
  const d = objOf(depthB, 'depth', 'book');
  const depth = d ? { bids: levels(d['bids']).slice(0, 10), asks: levels(d['asks']).slice(0, 10) } : null;
  return { feed, feedError, symbol, ticker, depth, candles: marketCandles(marketB, '1m'), missing };
}
