/**
 * A stand-in for OUR api-server (shapes from packages/contracts/src/http), used by the dashboard's
 * tests only until the real api-server is committed. It serves JSON and an SSE event stream from
 * in-memory state that a test changes (addFill, setFeed, ...).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DoubleStrategy {
  id: string;
  name: string;
  configName: string;
  symbol: string;
  status: 'starting' | 'warming-up' | 'running' | 'stopped' | 'error';
  error: string | null;
  initialCash: string;
  equity: string;
  cash: string;
  positionQty: string;
  realizedPnl: string;
  unrealizedPnl: string;
  lastPrice: string | null;
  trades: DoubleTrade[];
  equityCurve: { time: number; equity: string }[];
}

export interface DoubleTrade {
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

export interface ApiDoubleOptions {
  strategies?: number;
  /** serve GET /api/v1/events (default true) */
  events?: boolean;
  /** require this X-API-Key on every request (default: none) */
  requireKey?: string;
  /** JWT mode: resources need `Authorization: Bearer <token>`; POST /api/v1/auth/token exchanges this API key */
  jwtKey?: string;
  isSimulated?: boolean;
}

function money(n: number): string {
  return n.toFixed(2);
}

export class ApiDouble {
  readonly strategies = new Map<string, DoubleStrategy>();
  feed = {
    source: 'simulated',
    requestedSource: 'auto',
    isSimulated: true,
    state: 'live',
    circuit: 'closed',
    symbols: ['BTCUSDT'],
    lastCandleCloseTime: 1_764_000_000_000 as number | null,
    lagMs: 120 as number | null,
    reconnects: 0,
    message: 'Binance did not answer; using the seeded simulator',
  };
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers'] }[] = [];
  private readonly sseClients = new Set<ServerResponse>();
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private seq = 0;
  readonly tokens = new Set<string>();
  url = '';

  constructor(private readonly options: ApiDoubleOptions = {}) {
    const n = options.strategies ?? 2;
    this.feed.isSimulated = options.isSimulated ?? true;
    const t0 = 1_764_000_000_000;
    for (let i = 0; i < n; i++) {
      const id = i === 0 ? 'demo-rsi' : i === 1 ? 'demo-ema-cross' : `strategy-${i}`;
      const s: DoubleStrategy = {
        id,
        name: i === 0 ? 'RSI mean reversion' : i === 1 ? 'EMA cross' : `Strategy ${i}`,
        configName: `${id}.yaml`,
        symbol: 'BTCUSDT',
        status: 'running',
        error: null,
        initialCash: '10000.00',
        equity: money(10000 + i * 13.5),
        cash: money(10000 + i * 13.5),
        positionQty: '0',
        realizedPnl: money(i * 13.5),
        unrealizedPnl: '0.00',
        lastPrice: '95000.00',
        trades: [],
        equityCurve: [],
      };
      for (let k = 0; k < 60; k++) s.equityCurve.push({ time: t0 + k * 60_000, equity: money(10000 + Math.sin(k / 5) * 40 + k * (i + 1)) });
      this.strategies.set(id, s);
      this.addFill(id, { side: 'buy', price: '94950.00', quantity: '0.01', time: t0 + 10 * 60_000 }, false);
      this.addFill(id, { side: 'sell', price: '95120.00', quantity: '0.01', time: t0 + 30 * 60_000, realizedPnl: '1.70' }, false);
    }
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const c of this.sseClients) c.end();
    this.sseClients.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get sseClientCount(): number {
    return this.sseClients.size;
  }

  /** Appends a fill, updates equity, and (when `emit`) sends strategy.order.filled + strategy.equity.updated. */
  addFill(id: string, f: { side: 'buy' | 'sell'; price: string; quantity: string; time?: number; realizedPnl?: string }, emit = true): DoubleTrade {
    const s = this.strategies.get(id);
    if (!s) throw new Error(`no strategy ${id}`);
    this.seq++;
    const t: DoubleTrade = {
      tradeId: `${id}-t${this.seq}`,
      orderId: `${id}-o${this.seq}`,
      strategyId: id,
      symbol: s.symbol,
      side: f.side,
      quantity: f.quantity,
      price: f.price,
      fee: money(Number(f.price) * Number(f.quantity) * 0.001),
      realizedPnl: f.realizedPnl ?? '0',
      reason: f.side === 'buy' ? 'entry rule' : 'exit rule',
      time: f.time ?? Date.now(),
    };
    s.trades.push(t);
    if (emit) {
      this.emit('fill', 'strategy.order.filled', id, t);
      this.setEquity(id, money(Number(s.equity) + Number(t.realizedPnl) - Number(t.fee)));
    }
    return t;
  }

  setEquity(id: string, equity: string): void {
    const s = this.strategies.get(id)!;
    s.equity = equity;
    s.equityCurve.push({ time: Date.now(), equity });
    this.emit('equity', 'strategy.equity.updated', id, {
      strategyId: id,
      time: Date.now(),
      equity,
      cash: s.cash,
      positionQty: s.positionQty,
      realizedPnl: s.realizedPnl,
      unrealizedPnl: money(Number(equity) - Number(s.initialCash) - Number(s.realizedPnl)),
      lastPrice: s.lastPrice,
    });
  }

  setStatus(id: string, status: DoubleStrategy['status'], error: string | null = null): void {
    const s = this.strategies.get(id)!;
    s.status = status;
    s.error = error;
    this.emit('status', 'strategy.status.changed', id, { strategyId: id, status, error, time: Date.now() });
  }

  setFeed(patch: Partial<ApiDouble['feed']>): void {
    Object.assign(this.feed, patch);
    this.emit('feed', 'market.feed.status', null, this.feed);
  }

  private emit(kind: string, type: string, strategyId: string | null, payload: unknown): void {
    const msg = { kind, cursor: `strategy-events|${Date.now()}-${this.seq}`, strategyId, type, tsEvent: Date.now(), payload };
    for (const c of this.sseClients) c.write(`id: ${msg.cursor}\nevent: ${kind}\ndata: ${JSON.stringify(msg)}\n\n`);
  }

  private summary(s: DoubleStrategy): Record<string, unknown> {
    const pnl = money(Number(s.equity) - Number(s.initialCash));
    return {
      id: s.id,
      name: s.name,
      configName: s.configName,
      symbol: s.symbol,
      status: s.status,
      error: s.error,
      initialCash: s.initialCash,
      equity: s.equity,
      cash: s.cash,
      pnl,
      pnlPct: (Number(pnl) / Number(s.initialCash)) * 100,
      realizedPnl: s.realizedPnl,
      unrealizedPnl: s.unrealizedPnl,
      positionQty: s.positionQty,
      lastPrice: s.lastPrice,
      tradeCount: s.trades.length,
      lastTrades: [...s.trades].reverse().slice(0, 5),
      createdAt: 1_764_000_000_000,
      updatedAt: Date.now(),
    };
  }

  private candles(limit: number): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    const t0 = 1_764_000_000_000;
    let price = 95000;
    for (let i = 0; i < limit; i++) {
      const open = price;
      const close = open + Math.sin(i / 3) * 40 + ((i * 7919) % 13) - 6;
      const high = Math.max(open, close) + 15;
      const low = Math.min(open, close) - 15;
      out.push({ openTime: t0 + i * 60_000, closeTime: t0 + (i + 1) * 60_000, open: money(open), high: money(high), low: money(low), close: money(close), volume: '3.5', isComplete: true });
      price = close;
    }
    return out;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://double');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, code: string, message: string, details?: unknown): void => json(status, { error: { code, message, requestId: 'double', ...(details !== undefined ? { details } : {}) } });
    if (this.options.requireKey && req.headers['x-api-key'] !== this.options.requireKey) return error(401, 'UNAUTHENTICATED', 'send X-API-Key');
    let body: Record<string, unknown> = {};
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return error(400, 'INVALID_JSON', 'body is not JSON');
      }
    }
    const p = url.pathname;
    let m: RegExpMatchArray | null;
    if (this.options.jwtKey) {
      if (p === '/api/v1/auth/token' && req.method === 'POST') {
        if (body['apiKey'] !== this.options.jwtKey) return error(401, 'UNAUTHENTICATED', 'unknown API key');
        this.tokens.add('tok-' + this.tokens.size + '-' + Date.now());
        return json(200, { tokenType: 'Bearer', accessToken: [...this.tokens].at(-1), expiresIn: 900, refreshToken: 'refresh-x', refreshExpiresIn: 86400, scopes: ['read', 'control'] });
      }
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || !this.tokens.has(bearer)) return error(401, 'UNAUTHENTICATED', 'send a bearer token');
    }
    if (p === '/api/v1/strategies/active') return json(200, { items: [...this.strategies.values()].map((s) => this.summary(s)), asOf: Date.now() });
    if (p === '/api/v1/market/feed') return json(200, { available: true, isSimulated: this.feed.isSimulated, status: this.feed, receivedAt: Date.now() });
    if ((m = p.match(/^\/api\/v1\/market\/data\/([A-Z0-9]+)$/))) {
      const limit = Number(url.searchParams.get('limit') ?? 50);
      return json(200, { symbol: m[1], venue: 'SIMULATED', lastPrice: '95010.50', lastTradeTime: Date.now(), bid: '95010.00', ask: '95011.00', bookTime: Date.now(), candles: { '1m': this.candles(limit) }, feed: { available: true, isSimulated: this.feed.isSimulated, status: this.feed, receivedAt: Date.now() } });
    }
    if (p === '/api/v1/events') {
      if (this.options.events === false) return error(404, 'ROUTE_NOT_FOUND', 'no events here');
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      res.write(`retry: 2000\n: connected\n\n`);
      res.write(`event: feed-snapshot\ndata: ${JSON.stringify({ available: true, isSimulated: this.feed.isSimulated, status: this.feed, receivedAt: Date.now() })}\n\n`);
      this.sseClients.add(res);
      req.on('close', () => this.sseClients.delete(res));
      return;
    }
    if (p === '/api/v1/configs/available') {
      return json(200, {
        items: [
          { configName: 'demo-rsi.yaml', name: 'RSI mean reversion', symbol: 'BTC/USDC', exchange: 'binance', timeframes: ['1m'], isValid: true, problems: [], sizeBytes: 100, modifiedAt: 0 },
          { configName: 'broken.yaml', name: null, symbol: null, exchange: null, timeframes: [], isValid: false, problems: [{ message: 'unknown indicator "FOO"', path: 'indicators.0.type', line: 7, column: 11 }], sizeBytes: 50, modifiedAt: 0 },
        ],
      });
    }
    if (p === '/api/v1/configs/validate' && req.method === 'POST') {
      const yaml = String(body['yaml'] ?? '');
      const problems: unknown[] = [];
      yaml.split('\n').forEach((line, i) => {
        const at = line.indexOf('FOO');
        if (at >= 0) problems.push({ message: 'unknown indicator "FOO"', path: 'indicators', line: i + 1, column: at + 1 });
      });
      if (!/^name:/m.test(yaml)) problems.push({ message: 'missing required field "name"', path: 'name', line: null, column: null });
      return json(200, { isValid: problems.length === 0, name: /^name:\s*(.+)$/m.exec(yaml)?.[1] ?? null, problems });
    }
    if (p === '/api/v1/strategies/start' && req.method === 'POST') {
      const id = typeof body['strategyId'] === 'string' ? body['strategyId'] : `started-${this.strategies.size + 1}`;
      if (typeof body['configYaml'] === 'string' && body['configYaml'].includes('FOO')) {
        return error(422, 'CONFIG_INVALID', 'the config is invalid', { problems: [{ message: 'unknown indicator "FOO"', path: 'indicators', line: 2, column: 3 }] });
      }
      const s: DoubleStrategy = { id, name: `Started ${id}`, configName: String(body['configName'] ?? 'inline.yaml'), symbol: 'BTCUSDT', status: 'running', error: null, initialCash: '10000.00', equity: '10000.00', cash: '10000.00', positionQty: '0', realizedPnl: '0', unrealizedPnl: '0', lastPrice: null, trades: [], equityCurve: [] };
      this.strategies.set(id, s);
      this.emit('status', 'strategy.status.changed', id, { strategyId: id, status: 'running', error: null, time: Date.now() });
      return json(201, { strategyId: id, commandId: `cmd-${this.seq++}`, accepted: true, status: 'running', statusUrl: `/api/v1/strategies/${id}/status`, eventsUrl: `/api/v1/events?strategyId=${id}` });
    }
    if ((m = p.match(/^\/api\/v1\/strategies\/([a-z0-9-]+)\/(status|stats|trades|positions|orders|equity|stop)$/))) {
      const s = this.strategies.get(m[1]!);
      if (!s) return error(404, 'STRATEGY_NOT_FOUND', `no strategy "${m[1]}"`);
      const sum = this.summary(s);
      switch (m[2]) {
        case 'status':
          return json(200, { ...sum, isHealthy: s.status === 'running', lastCandleCloseTime: null, stateTime: null });
        case 'stats':
          return json(200, { id: s.id, asOf: Date.now(), initialCash: s.initialCash, equity: s.equity, cash: s.cash, positionQty: s.positionQty, avgEntryPrice: '0', lastPrice: s.lastPrice, totalPnl: sum['pnl'], realizedPnl: s.realizedPnl, unrealizedPnl: s.unrealizedPnl, feesPaid: '1.90', totalReturnPct: sum['pnlPct'], tradeCount: s.trades.length, closedTrades: 1, winningTrades: 1, losingTrades: 0, winRatePct: 100, profitFactor: null, averageWin: '1.70', averageLoss: null, maxDrawdownPct: 0.4, equityPoints: s.equityCurve.length });
        case 'trades': {
          const limit = Number(url.searchParams.get('limit') ?? 50);
          const newest = [...s.trades].reverse();
          const cursor = url.searchParams.get('cursor');
          const start = cursor ? Number(cursor) : 0;
          if (url.searchParams.get('format') === 'csv') {
            res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
            res.end('tradeId,time,side,quantity,price,fee,realizedPnl\n' + newest.map((t) => `${t.tradeId},${t.time},${t.side},${t.quantity},${t.price},${t.fee},${t.realizedPnl}`).join('\n') + '\n');
            return;
          }
          const items = newest.slice(start, start + limit);
          return json(200, { items, nextCursor: start + limit < newest.length ? String(start + limit) : null });
        }
        case 'positions':
          return json(200, { items: Number(s.positionQty) !== 0 ? [{ symbol: s.symbol, quantity: s.positionQty, averagePrice: '95000.00', unrealizedPnl: s.unrealizedPnl, realizedPnl: s.realizedPnl, updatedAt: Date.now() }] : [] });
        case 'orders':
          return json(200, {
            items: s.trades.map((t) => ({ orderId: t.orderId, symbol: t.symbol, side: t.side, status: 'filled', quantity: t.quantity, fee: t.fee, realizedPnl: t.realizedPnl, reason: t.reason, firstFillTime: t.time, lastFillTime: t.time, fillQuality: { vwap: t.price, fills: 1, decisionPrice: t.price, arrivalMid: t.price, slippageBps: 4.8, latencyMs: 72, levelsUsed: 1 } })),
          });
        case 'equity':
          return json(200, { items: s.equityCurve });
        case 'stop':
          if (req.method !== 'POST') return error(405, 'METHOD_NOT_ALLOWED', 'POST');
          this.setStatus(s.id, 'stopped');
          return json(200, { strategyId: s.id, commandId: `cmd-${this.seq++}`, accepted: true, status: 'stopped', statusUrl: '', eventsUrl: '' });
      }
    }
    return error(404, 'ROUTE_NOT_FOUND', `no route ${req.method} ${p}`);
  }
}
