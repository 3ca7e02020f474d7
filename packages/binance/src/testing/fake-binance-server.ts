import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { FakeMarket, type FakeMarketOptions } from './fake-market.js';

export interface RestFault {
  /** path prefix it applies to, e.g. /api/v3/klines; undefined = any */
  path?: string;
  status: number;
  /** Retry-After header in seconds */
  retryAfterSec?: number;
  body?: string;
}

export interface FakeBinanceOptions extends FakeMarketOptions {
  /** wall ms between market steps (default 20) */
  tickMs?: number;
  /** market ms per step (default 1000: ×50 speed at tickMs 20) */
  marketMsPerTick?: number;
  /** server pings every N wall ms (Binance: 20 s); 0 = never */
  serverPingMs?: number;
  /** start stepping at once (default true) */
  autoStart?: boolean;
  /** listen port (default: any free port) */
  port?: number;
}

interface Client {
  ws: WebSocket;
  streams: Set<string>;
}

/**
 * A local Binance for tests: REST (/api/v3/ping, time, klines, depth, exchangeInfo) and WebSocket
 * combined streams (/stream?streams=a/b/c and /ws/<stream>) in Binance's formats, driven by
 * FakeMarket at an accelerated clock, with fault injection: disconnects, stalls (no frames and no
 * pongs), malformed frames, depth sequence gaps, skipped minutes and trade gaps (trade/kline frames
 * not sent), rejected connections, REST 429/418/5xx with Retry-After, and the whole exchange down
 * for a while.
 */
export class FakeBinanceServer {
  readonly market: FakeMarket;
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private timer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private stalled = false;
  private withholdDepth = 0;
  /** trade and kline frames of market time before this are not sent (skipped minutes) */
  private skipTradesUntil = 0;
  /** kline frames of market time before this are not sent (trades still are) */
  private skipKlinesUntil = 0;
  /** answered to every matching REST request until cleared (a REST outage of one endpoint) */
  private restFailure: RestFault | null = null;
  private withholdTradeFrames = 0;
  private rejectNext = 0;
  private down = false;
  readonly restFaults: RestFault[] = [];
  readonly stats = { connections: 0, rejectedConnections: 0, restRequests: {} as Record<string, number>, framesSent: 0, depthWithheld: 0, faultsServed: 0, tradeFramesWithheld: 0, klineFramesWithheld: 0 };
  url = '';
  wsUrl = '';

  private constructor(private readonly o: FakeBinanceOptions) {
    this.market = new FakeMarket(o);
    this.http = http.createServer((req, res) => this.handleRest(req, res));
    this.wss = new WebSocketServer({ noServer: true, autoPong: false });
    this.http.on('upgrade', (req, socket, head) => {
      if (this.rejectNext > 0 || this.down) {
        if (!this.down) this.rejectNext -= 1;
        this.stats.rejectedConnections += 1;
        socket.end('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req.url ?? '/'));
    });
  }

  static async start(o: FakeBinanceOptions): Promise<FakeBinanceServer> {
    const s = new FakeBinanceServer(o);
    await new Promise<void>((resolve) => s.http.listen(o.port ?? 0, '127.0.0.1', resolve));
    const port = (s.http.address() as AddressInfo).port;
    s.url = `http://127.0.0.1:${port}`;
    s.wsUrl = `ws://127.0.0.1:${port}`;
    if (o.autoStart !== false) s.resume();
    if ((o.serverPingMs ?? 0) > 0) {
      s.pingTimer = setInterval(() => {
        if (!s.stalled) for (const c of s.clients) c.ws.ping();
      }, o.serverPingMs);
    }
    return s;
  }

  private accept(ws: WebSocket, url: string): void {
    this.stats.connections += 1;
    const u = new URL(url, 'http://x');
    const streams = new Set<string>();
    const names = u.pathname === '/stream' ? (u.searchParams.get('streams') ?? '').split('/') : u.pathname.startsWith('/ws/') ? u.pathname.slice(4).split('/') : [];
    for (const n of names) if (n) streams.add(n);
    const client: Client = { ws, streams };
    this.clients.add(client);
    ws.on('ping', (data) => {
      if (!this.stalled) ws.pong(data);
    });
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => this.clients.delete(client));
  }

  get connectedClients(): number {
    return this.clients.size;
  }

  /** market steps run on a timer */
  resume(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.step(), this.o.tickMs ?? 20);
  }

  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Advances the market one step (or `ms` of market time) and sends the frames. */
  step(ms = this.o.marketMsPerTick ?? 1000): void {
    const frames = this.market.advance(ms);
    if (this.stalled) return;
    for (const f of frames) {
      if (this.withholdDepth > 0 && f.stream.includes('@depth')) {
        this.withholdDepth -= 1;
        this.stats.depthWithheld += 1;
        continue;
      }
      const isTrade = f.stream.endsWith('@trade') || f.stream.endsWith('@aggTrade');
      const isKline = f.stream.includes('@kline');
      if (isKline && this.market.time <= this.skipKlinesUntil) {
        this.stats.klineFramesWithheld += 1;
        continue;
      }
      if ((isTrade || isKline) && this.market.time <= this.skipTradesUntil) {
        if (isTrade) this.stats.tradeFramesWithheld += 1;
        else this.stats.klineFramesWithheld += 1;
        continue;
      }
      if (isTrade && this.withholdTradeFrames > 0) {
        this.withholdTradeFrames -= 1;
        this.stats.tradeFramesWithheld += 1;
        continue;
      }
      this.broadcast(f.stream, f.text);
    }
  }

  private broadcast(stream: string, text: string): void {
    for (const c of this.clients) {
      if (c.ws.readyState !== c.ws.OPEN) continue;
      if (stream !== '*' && !c.streams.has(stream)) continue;
      c.ws.send(text);
      this.stats.framesSent += 1;
    }
  }

  // ---- faults -------------------------------------------------------------

  /** Drops every client connection (as Binance does at 24 h or on maintenance). */
  dropConnections(): number {
    const n = this.clients.size;
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    return n;
  }

  /** Sockets stay open but nothing is sent and pings go unanswered (a dead connection). */
  setStalled(stalled: boolean): void {
    this.stalled = stalled;
  }

  /** Sends a frame text as is to every client (malformed or unexpected frames). */
  sendRaw(text: string): void {
    this.broadcast('*', text);
  }

  /** The next `n` depth diffs are not sent: clients see a sequence gap. */
  withholdDepthDiffs(n = 1): void {
    this.withholdDepth += n;
  }

  /**
   * Skipped minutes: for the next `minutes` of market time no trade or kline frame is sent, while
   * the connection stays up and book frames keep the clock moving (REST still has the candles).
   */
  skipTradeAndKlineMinutes(minutes: number): void {
    this.skipTradesUntil = this.market.time + minutes * 60_000;
  }

  /** For the next `minutes` of market time no kline frame is sent (trades are): no closed kline confirms those minutes. */
  withholdKlineMinutes(minutes: number): void {
    this.skipKlinesUntil = this.market.time + minutes * 60_000;
  }

  /** Every REST request matching `fault` gets its error until `setRestFailure(null)` (unlike the one-shot restFaults). */
  setRestFailure(fault: RestFault | null): void {
    this.restFailure = fault;
  }

  /** The next `n` trade frames are not sent: clients see a trade-id gap. */
  withholdTrades(n = 1): void {
    this.withholdTradeFrames += n;
  }

  /** The next `n` WebSocket upgrades are refused with 503. */
  rejectConnections(n: number): void {
    this.rejectNext += n;
  }

  /** The exchange is down: clients are dropped, upgrades refused and REST answers 503 until `setDown(false)`. */
  setDown(down: boolean): void {
    this.down = down;
    if (down) this.dropConnections();
  }

  // ---- REST ---------------------------------------------------------------

  private handleRest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://x');
    this.stats.restRequests[u.pathname] = (this.stats.restRequests[u.pathname] ?? 0) + 1;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-mbx-used-weight-1m': '10', ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (this.down) {
      this.stats.faultsServed += 1;
      return send(503, { code: -1000, msg: 'Service unavailable.' });
    }
    const failing = this.restFailure !== null && (this.restFailure.path === undefined || u.pathname.startsWith(this.restFailure.path)) ? this.restFailure : null;
    const faultIndex = failing !== null ? -1 : this.restFaults.findIndex((f) => f.path === undefined || u.pathname.startsWith(f.path));
    if (failing !== null || faultIndex >= 0) {
      const f = failing ?? this.restFaults.splice(faultIndex, 1)[0]!;
      this.stats.faultsServed += 1;
      const headers: Record<string, string> = f.retryAfterSec === undefined ? {} : { 'retry-after': String(f.retryAfterSec) };
      return send(f.status, f.body ?? { code: f.status === 429 ? -1003 : -1000, msg: f.status === 429 ? 'Too many requests; current limit is 6000 request weight per 1 MINUTE.' : 'An unknown error occurred while processing the request.' }, headers);
    }
    const symbol = u.searchParams.get('symbol') ?? '';
    switch (u.pathname) {
      case '/api/v3/ping':
        return send(200, {});
      case '/api/v3/time':
        return send(200, { serverTime: this.market.time });
      case '/api/v3/exchangeInfo': {
        // as Binance: ?symbol= of a symbol it does not list is a 400 with code -1121
        if (symbol !== '' && !this.market.markets.has(symbol)) return send(400, { code: -1121, msg: 'Invalid symbol.' });
        const listed = [...this.market.markets.keys()].filter((s) => symbol === '' || s === symbol);
        return send(200, { timezone: 'UTC', serverTime: this.market.time, symbols: listed.map((s) => ({ symbol: s, status: 'TRADING' })) });
      }
      case '/api/v3/klines': {
        if (!this.market.markets.has(symbol)) return send(400, { code: -1121, msg: 'Invalid symbol.' });
        if (u.searchParams.get('interval') !== '1m') return send(400, { code: -1120, msg: 'Invalid interval.' });
        const limit = Math.min(1000, Number(u.searchParams.get('limit') ?? 500));
        const start = Number(u.searchParams.get('startTime') ?? 0);
        const end = Number(u.searchParams.get('endTime') ?? Number.MAX_SAFE_INTEGER);
        return send(200, this.market.klineRows(symbol, start, end, limit));
      }
      case '/api/v3/depth': {
        if (!this.market.markets.has(symbol)) return send(400, { code: -1121, msg: 'Invalid symbol.' });
        return send(200, this.market.depth(symbol, Math.min(5000, Number(u.searchParams.get('limit') ?? 100))));
      }
      default:
        return send(404, { code: -1000, msg: `unknown path ${u.pathname}` });
    }
  }

  async close(): Promise<void> {
    this.pause();
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
