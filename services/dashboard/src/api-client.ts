/**
 * The dashboard's only way to the system: HTTP calls to the api-server (/api/v1).
 *
 * Credentials stay on the server: a configured API key is added here as `X-API-Key`; a signed-in
 * user's JWT travels as `Authorization: Bearer`. Neither is ever rendered into a page.
 * Responses are normalised (see normalize.ts) so a page never depends on an envelope detail.
 */

export interface ApiAuth {
  /** a user's own token (JWT) from the login form, kept in an HttpOnly cookie */
  token?: string | undefined;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly path: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  apiUrl: string;
  apiKey?: string | undefined;
  /** per-request timeout; default 10 s */
  timeoutMs?: number;
  /**
   * GET answers are shared for this long (and concurrent identical GETs share one request), so many
   * browser tabs cost the API, and its per-client rate limit, about as much as one. Default 1000 ms.
   */
  cacheTtlMs?: number;
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly cacheTtlMs: number;
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.apiUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey && options.apiKey.length > 0 ? options.apiKey : undefined;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.cacheTtlMs = options.cacheTtlMs ?? 1000;
  }

  get hasApiKey(): boolean {
    return this.apiKey !== undefined;
  }

  url(path: string): string {
    return `${this.baseUrl}${path.startsWith('/') ? path : `/${path}`}`;
  }

  headers(auth?: ApiAuth, extra?: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', ...extra };
    if (this.apiKey !== undefined) h['x-api-key'] = this.apiKey;
    if (auth?.token) h['authorization'] = `Bearer ${auth.token}`;
    return h;
  }

  /** Raw fetch with credentials and timeout. */
  async fetch(path: string, init: { method?: string; body?: unknown; auth?: ApiAuth | undefined; accept?: string; signal?: AbortSignal } = {}): Promise<Response> {
    const headers = this.headers(init.auth, init.accept ? { accept: init.accept } : undefined);
    let body: string | undefined;
    if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    const signal = init.signal ?? AbortSignal.timeout(this.timeoutMs);
    return fetch(this.url(path), { method: init.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}), signal });
  }

  /** JSON request; throws ApiError for any non-2xx answer (with the API's own message when it sent one). */
  async json<T = unknown>(path: string, init: { method?: string; body?: unknown; auth?: ApiAuth | undefined } = {}): Promise<T> {
    const method = init.method ?? 'GET';
    if (method !== 'GET' || this.cacheTtlMs <= 0) return this.request<T>(path, init);
    const key = `${init.auth?.token ?? ''} ${path}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.cacheTtlMs) return hit.value as Promise<T>;
    const value = this.request<T>(path, init);
    this.cache.set(key, { at: now, value });
    value.catch(() => this.cache.delete(key));
    if (this.cache.size > 500) {
      for (const [k, v] of this.cache) if (now - v.at >= this.cacheTtlMs) this.cache.delete(k);
    }
    return value;
  }

  /** Any state-changing call makes cached reads stale. */
  invalidate(): void {
    this.cache.clear();
  }

  private async request<T>(path: string, init: { method?: string; body?: unknown; auth?: ApiAuth | undefined }): Promise<T> {
    if ((init.method ?? 'GET') !== 'GET') this.invalidate();
    let res: Response;
    try {
      res = await this.fetch(path, init);
    } catch (err) {
      throw new ApiError(`api-server unreachable at ${this.baseUrl}: ${(err as Error).message}`, 0, path, null);
    }
    const text = await res.text();
    let parsed: unknown = null;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!res.ok) {
      throw new ApiError(errorMessage(parsed) ?? `${res.status} ${res.statusText}`, res.status, path, parsed);
    }
    return parsed as T;
  }

  /** Like json() but answers null for 404 / 405 / 501: an endpoint the API does not (yet) offer. */
  async optional<T = unknown>(path: string, auth?: ApiAuth): Promise<T | null> {
    try {
      return await this.json<T>(path, { auth });
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 405 || err.status === 501)) return null;
      throw err;
    }
  }
}

export function errorMessage(body: unknown): string | undefined {
  if (typeof body === 'string' && body.length > 0 && body.length < 500) return body;
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    const e = o['error'];
    if (e && typeof e === 'object') {
      const m = (e as Record<string, unknown>)['message'];
      if (typeof m === 'string') return m;
    }
    if (typeof o['message'] === 'string') return o['message'];
    if (typeof e === 'string') return e;
  }
  return undefined;
}
