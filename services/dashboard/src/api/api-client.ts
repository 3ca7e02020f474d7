/**
 * The dashboard's only way to the system: HTTP calls to the api-server (/api/v1), each answer read
 * through its contract schema (endpoints.ts).
 *
 * Credentials stay on the server: a configured API key is added here as `X-API-Key`; a signed-in
 * user's JWT travels as `Authorization: Bearer`. Neither is ever rendered into a page.
 */
import type { Logger } from '@btc-research/platform';
import type { z } from 'zod';
import { ApiContractError, ApiError, apiErrorFrom } from './api-errors.js';
import type { Endpoint } from './endpoints.js';
import { parseResponse } from './parse-response.js';
import { SharedReads } from './shared-reads.js';

export interface ApiAuth {
  /** a user's own token (JWT) from the login form, kept in an HttpOnly cookie */
  token?: string | undefined;
}

export interface ApiClientOptions {
  apiUrl: string;
  apiKey?: string | undefined;
  log: Pick<Logger, 'error'>;
  /** per-request timeout; default 10 s */
  timeoutMs?: number | undefined;
  /** how long identical GETs are shared (see SharedReads); default 1000 ms, 0 = off */
  cacheTtlMs?: number | undefined;
}

export interface RawRequest {
  method?: string;
  body?: unknown;
  auth?: ApiAuth | undefined;
  accept?: string;
  signal?: AbortSignal;
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly reads: SharedReads;
  private readonly log: Pick<Logger, 'error'>;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.apiUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey && options.apiKey.length > 0 ? options.apiKey : undefined;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.reads = new SharedReads(options.cacheTtlMs ?? 1000);
    this.log = options.log;
  }

  get hasApiKey(): boolean {
    return this.apiKey !== undefined;
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  /** GET an endpoint; the answer is parsed with its contract schema (shared briefly between callers). */
  read<S extends z.ZodType>(endpoint: Endpoint<S>, auth?: ApiAuth): Promise<z.output<S>> {
    return this.reads.get(`${auth?.token ?? ''} ${endpoint.path}`, () => this.call(endpoint, { auth }));
  }

  /** Something changed in the system (a live event says so, or events may have been missed): reads
   *  shared from before may no longer hold, and the page the event refreshes must not get them. */
  forgetSharedReads(): void {
    this.reads.clear();
  }

  /** POST to an endpoint with a body of its contract type; makes every shared read stale. */
  send<S extends z.ZodType, B>(endpoint: Endpoint<S, B>, body: B, auth?: ApiAuth): Promise<z.output<S>> {
    return this.changing(() => this.call(endpoint, { method: 'POST', body, auth }));
  }

  /** DELETE an endpoint (no body); makes every shared read stale. */
  remove<S extends z.ZodType>(endpoint: Endpoint<S>, auth?: ApiAuth): Promise<z.output<S>> {
    return this.changing(() => this.call(endpoint, { method: 'DELETE', auth }));
  }

  /** A state-changing call: shared reads are dropped before it and again after it (a read that ran
   * meanwhile, e.g. a live poll, may hold the state from before the change). */
  private async changing<T>(call: () => Promise<T>): Promise<T> {
    this.reads.clear();
    try {
      return await call();
    } finally {
      this.reads.clear();
    }
  }

  /** Raw fetch with credentials and timeout, for answers that are not JSON (CSV, event stream). */
  async fetch(path: string, init: RawRequest = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
    // a signed-in user's own token wins: the API reads X-API-Key first, and refuses keys in JWT mode
    if (init.auth?.token) headers['authorization'] = `Bearer ${init.auth.token}`;
    else if (this.apiKey !== undefined) headers['x-api-key'] = this.apiKey;
    let body: string | undefined;
    if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    const signal = init.signal ?? AbortSignal.timeout(this.timeoutMs);
    try {
      return await fetch(this.url(path), { method: init.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}), signal });
    } catch (err) {
      throw new ApiError(`api-server unreachable at ${this.baseUrl}: ${(err as Error).message}`, 0, path);
    }
  }

  /** The ApiError of a non-2xx answer: the API's error body, or the bare status when a proxy answered. */
  async failure(res: Response, path: string): Promise<ApiError> {
    return apiErrorFrom(res.status, res.statusText, path, await readBody(res));
  }

  private async call<S extends z.ZodType>(endpoint: Endpoint<S, unknown>, init: RawRequest): Promise<z.output<S>> {
    const res = await this.fetch(endpoint.path, init);
    if (!res.ok) throw await this.failure(res, endpoint.path);
    const body = await readBody(res);
    try {
      return parseResponse(endpoint, body);
    } catch (err) {
      if (err instanceof ApiContractError) this.log.error({ method: err.method, path: err.path, issues: err.issues }, 'api answer outside its contract');
      throw err;
    }
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
