import type { DepthSnapshot } from '@btc-research/engine';
import { backoffDelay, type BackoffOptions, type Logger } from '@btc-research/platform';
import { parseDepthSnapshot, parseRestKlines, retryDecision, type RestKline } from './rest-bodies.js';

export class BinanceRestError extends Error {
  override readonly name = 'BinanceRestError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface BinanceRestClientOptions {
  baseUrl: string;
  logger: Logger;
  timeoutMs?: number;
  /** attempts per request (429/418/5xx/network) before giving up */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** stop waiting (shutdown) */
  signal?: AbortSignal;
}

export interface RestClientCounters {
  requests: number;
  rateLimited: number;
  banned: number;
  serverErrors: number;
  networkErrors: number;
  /** last X-MBX-USED-WEIGHT-1M seen */
  usedWeight: number;
}

/** Waits `ms`, or less when the signal aborts; the abort listener is removed when the wait ends. */
export const abortableSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Binance REST with its rules: every request to the host waits while a 429/418 Retry-After is
 * running (shared by all callers, as Binance counts per IP), 5xx and network errors are retried
 * with backoff and jitter, and the used request weight is watched (requests slow down near the
 * 6,000/min limit).
 */
export class BinanceRestClient {
  private blockedUntil = 0;
  readonly counters: RestClientCounters = { requests: 0, rateLimited: 0, banned: 0, serverErrors: 0, networkErrors: 0, usedWeight: 0 };
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly backoff: BackoffOptions;

  constructor(private readonly o: BinanceRestClientOptions) {
    this.sleep = o.sleep ?? ((ms) => abortableSleep(ms, o.signal));
    this.backoff = { baseMs: o.baseDelayMs ?? 250, maxMs: o.maxDelayMs ?? 10_000 };
  }

  get baseUrl(): string {
    return this.o.baseUrl;
  }

  /** ms the client still waits because of a Retry-After */
  get blockedForMs(): number {
    return Math.max(0, this.blockedUntil - Date.now());
  }

  async getJson(pathAndQuery: string, weight = 1): Promise<unknown> {
    const maxAttempts = this.o.maxAttempts ?? 6;
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (this.o.signal?.aborted) throw new BinanceRestError('aborted', 0);
      const wait = this.blockedUntil - Date.now();
      if (wait > 0) await this.sleep(wait);
      if (this.counters.usedWeight + weight > 5_400) await this.sleep(1_000); // near the per-minute weight limit
      const url = `${this.o.baseUrl}${pathAndQuery}`;
      let res: Response;
      this.counters.requests += 1;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000) });
      } catch (err) {
        this.counters.networkErrors += 1;
        const e = err as Error & { cause?: { code?: string } };
        lastError = new BinanceRestError(`GET ${url}: ${e.cause?.code ?? e.message}`, 0);
        await this.sleep(backoffDelay(attempt, this.backoff));
        continue;
      }
      const used = Number(res.headers.get('x-mbx-used-weight-1m'));
      if (Number.isFinite(used) && used > 0) this.counters.usedWeight = used;
      if (res.ok) {
        try {
          return await res.json();
        } catch {
          lastError = new BinanceRestError(`GET ${url}: body is not JSON`, res.status);
          continue;
        }
      }
      const body = await res.text().catch(() => '');
      const decision = retryDecision(res.status, res.headers.get('retry-after'), attempt, this.backoff);
      lastError = new BinanceRestError(`GET ${url} → HTTP ${res.status} ${body.slice(0, 200)}`, res.status);
      if (!decision.retry) throw lastError;
      if (res.status === 429 || res.status === 418) {
        this.counters.rateLimited += 1;
        if (decision.banned) this.counters.banned += 1;
        this.blockedUntil = Math.max(this.blockedUntil, Date.now() + decision.delayMs);
        this.o.logger.warn({ status: res.status, retryAfterMs: decision.delayMs, url }, 'Binance REST rate limit: waiting out Retry-After');
      } else {
        this.counters.serverErrors += 1;
        await this.sleep(decision.delayMs);
      }
    }
    throw lastError ?? new BinanceRestError('request failed', 0);
  }

  async ping(): Promise<void> {
    await this.getJson('/api/v3/ping');
  }

  async serverTime(): Promise<number> {
    const body = (await this.getJson('/api/v3/time')) as { serverTime?: unknown };
    if (typeof body?.serverTime !== 'number') throw new BinanceRestError('/api/v3/time has no serverTime', 200);
    return body.serverTime;
  }

  /** 1m klines with openTime in [startTime, endTime], at most `limit` (≤ 1000) */
  async klines(symbol: string, startTime: number, endTime: number, limit = 1000): Promise<RestKline[]> {
    return parseRestKlines(await this.getJson(`/api/v3/klines?symbol=${symbol}&interval=1m&startTime=${startTime}&endTime=${endTime}&limit=${limit}`, 2));
  }

  /**
   * Whether the venue lists the symbol for trading (GET /api/v3/exchangeInfo?symbol=…: Binance
   * answers 400 with code -1121 "Invalid symbol." for one it does not list).
   */
  async isListed(symbol: string): Promise<boolean> {
    try {
      const body = (await this.getJson(`/api/v3/exchangeInfo?symbol=${encodeURIComponent(symbol)}`, 20)) as { symbols?: Array<{ symbol?: unknown; status?: unknown }> };
      return (body.symbols ?? []).some((s) => s.symbol === symbol && (s.status === undefined || s.status === 'TRADING'));
    } catch (err) {
      if (err instanceof BinanceRestError && err.status === 400 && err.message.includes('-1121')) return false;
      throw err;
    }
  }

  async depth(symbol: string, limit = 1000): Promise<DepthSnapshot> {
    const weight = limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
    return parseDepthSnapshot(await this.getJson(`/api/v3/depth?symbol=${symbol}&limit=${limit}`, weight));
  }
}
