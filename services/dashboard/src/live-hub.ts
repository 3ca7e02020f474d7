/**
 * LiveHub: one upstream connection to the api-server's event stream, fanned out to every browser
 * connected to this dashboard (over WebSocket or SSE).
 *
 * Upstream preference: the API's SSE stream (`GET /api/v1/events`). When that is unavailable the hub
 * polls the API and turns differences into the same event types, so browsers see one protocol
 * whatever the API offers. The upstream runs only while at least one browser listens.
 */
import type { ApiAuth, ApiClient } from './api-client.js';
import { loadOverview, paths, type OverviewData } from './data.js';
import { isObj, str, type StrategyView } from './normalize.js';

export interface LiveEvent {
  type: string;
  payload: unknown;
  /** event time (ms) when known */
  time?: number;
}

export interface HubLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export type UpstreamMode = 'idle' | 'sse' | 'poll';

export interface LiveHubOptions {
  api: ApiClient;
  auth?: ApiAuth | undefined;
  logger: HubLogger;
  /** API poll interval when the API offers no event stream; default 2000 ms */
  pollMs?: number;
  /** how long to poll before trying the API's SSE stream again; default 30 000 ms */
  sseRetryMs?: number;
  /** 'auto' (default): the API's event stream, polling while it is unavailable; 'poll': poll only
   *  (for an API behind a proxy that buffers event streams) */
  upstream?: 'auto' | 'poll';
}

type Listener = (ev: LiveEvent) => void;

export class LiveHub {
  private readonly listeners = new Set<Listener>();
  private controller: AbortController | null = null;
  private running: Promise<void> | null = null;
  private _mode: UpstreamMode = 'idle';
  private readonly pollMs: number;
  private readonly sseRetryMs: number;
  private prev: Map<string, StrategyView> | null = null;
  private prevFeed = '';

  constructor(private readonly opts: LiveHubOptions) {
    this.pollMs = opts.pollMs ?? 2000;
    this.sseRetryMs = opts.sseRetryMs ?? 30_000;
  }

  get mode(): UpstreamMode {
    return this._mode;
  }

  get size(): number {
    return this.listeners.size;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    if (!this.running) this.start();
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) void this.stop();
    };
  }

  private emit(ev: LiveEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (err) {
        this.opts.logger.warn({ err }, 'live listener failed');
      }
    }
  }

  private start(): void {
    const controller = new AbortController();
    this.controller = controller;
    this.running = this.loop(controller.signal).finally(() => {
      if (this.controller === controller) {
        this.running = null;
        this.controller = null;
        this._mode = 'idle';
      }
    });
  }

  async stop(): Promise<void> {
    const c = this.controller;
    const r = this.running;
    this.controller = null;
    this.running = null;
    this._mode = 'idle';
    this.prev = null;
    this.prevFeed = '';
    c?.abort();
    await r?.catch(() => undefined);
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (this.opts.upstream === 'poll') throw new Error('event stream not used (upstream: poll)');
        await this.runSse(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.opts.logger.debug({ err: (err as Error).message }, 'api event stream unavailable; polling the API');
      }
      if (signal.aborted) return;
      this._mode = 'poll';
      const until = Date.now() + this.sseRetryMs;
      while (!signal.aborted && Date.now() < until) {
        await this.pollOnce(signal).catch((err: unknown) => this.opts.logger.debug({ err: (err as Error).message }, 'api poll failed'));
        await abortableDelay(this.pollMs, signal);
      }
    }
  }

  private async runSse(signal: AbortSignal): Promise<void> {
    const res = await this.opts.api.fetch(paths.events, { accept: 'text/event-stream', auth: this.opts.auth, signal });
    const ct = res.headers.get('content-type') ?? '';
    if (!res.ok || !res.body || !ct.includes('text/event-stream')) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`GET ${paths.events} answered ${res.status} ${ct}`);
    }
    this._mode = 'sse';
    this.opts.logger.info({ url: this.opts.api.url(paths.events) }, 'relaying api events');
    const decoder = new TextDecoder();
    let buf = '';
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        let idx: number;
        while ((idx = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, idx);
          buf = buf.slice(idx + 2);
          const ev = parseSseBlock(block);
          if (ev) this.emit(ev);
        }
      }
    } finally {
      reader.releaseLock();
    }
    throw new Error('api event stream ended');
  }

  private async pollOnce(signal: AbortSignal): Promise<void> {
    const data = await loadOverview(this.opts.api, this.opts.auth, 5);
    if (signal.aborted) return;
    for (const ev of diffOverview(this.prev, this.prevFeed, data)) this.emit(ev);
    this.prev = new Map(data.strategies.map((s) => [s.id, s]));
    this.prevFeed = JSON.stringify(data.feed);
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Parses one SSE block. Accepts an envelope (`{type, payload}`) as data, or data named by `event:`. */
export function parseSseBlock(block: string): LiveEvent | null {
  let event = '';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.join('\n'));
  } catch {
    return null;
  }
  if (isObj(parsed) && typeof parsed['type'] === 'string' && 'payload' in parsed) {
    const t = typeof parsed['tsEvent'] === 'number' ? parsed['tsEvent'] : undefined;
    return { type: parsed['type'], payload: parsed['payload'], ...(t !== undefined ? { time: t } : {}) };
  }
  if (event === 'feed-snapshot') return { type: 'market.feed.status', payload: isObj(parsed) && isObj(parsed['feed']) ? parsed['feed'] : parsed };
  if (!event || event === 'message') {
    if (isObj(parsed) && typeof parsed['type'] === 'string') return { type: parsed['type'], payload: parsed };
    return null;
  }
  return { type: event, payload: parsed };
}

/** Turns two overview snapshots into the event types the API would have sent. */
export function diffOverview(prev: Map<string, StrategyView> | null, prevFeed: string, data: OverviewData): LiveEvent[] {
  const out: LiveEvent[] = [];
  const now = data.generatedAt;
  const feedJson = JSON.stringify(data.feed);
  if (data.feed && feedJson !== prevFeed) out.push({ type: 'market.feed.status', payload: data.feed, time: now });
  for (const s of data.strategies) {
    const p = prev?.get(s.id);
    if (!p || p.status !== s.status || p.error !== s.error) {
      out.push({ type: 'strategy.status.changed', payload: { strategyId: s.id, status: s.status, error: s.error, time: now }, time: now });
    }
    const known = new Set((p?.lastTrades ?? []).map((t) => t.tradeId));
    const fresh = s.lastTrades.filter((t) => !known.has(t.tradeId)).sort((a, b) => a.time - b.time);
    for (const t of fresh) out.push({ type: 'strategy.order.filled', payload: { ...t, strategyId: s.id }, time: t.time });
    if (!p || p.equity !== s.equity || p.pnl !== s.pnl || p.tradeCount !== s.tradeCount || p.positionQty !== s.positionQty) {
      out.push({
        type: 'strategy.equity.updated',
        payload: {
          strategyId: s.id,
          time: now,
          equity: s.equity,
          pnl: s.pnl,
          realizedPnl: s.realizedPnl,
          unrealizedPnl: s.unrealizedPnl,
          positionQty: s.positionQty,
          lastPrice: s.lastPrice,
          tradeCount: s.tradeCount,
        },
        time: now,
      });
    }
  }
  return out;
}

/** Hubs per credential: with an API key every browser shares one; with JWT each user has their own. */
export class HubRegistry {
  private readonly hubs = new Map<string, LiveHub>();

  constructor(private readonly make: (auth: ApiAuth | undefined) => LiveHub) {}

  get(auth: ApiAuth | undefined): LiveHub {
    const key = auth?.token ?? '';
    let hub = this.hubs.get(key);
    if (!hub) {
      hub = this.make(auth);
      this.hubs.set(key, hub);
    }
    return hub;
  }

  /** Upstream mode and listener count of each hub (for /healthz). */
  describe(): { mode: UpstreamMode; listeners: number }[] {
    return [...this.hubs.values()].map((h) => ({ mode: h.mode, listeners: h.size }));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.hubs.values()].map((h) => h.stop()));
    this.hubs.clear();
  }
}

export function strategyIdOf(ev: LiveEvent): string | null {
  return isObj(ev.payload) ? str(ev.payload['strategyId']) : null;
}
