/**
 * The dashboard: server-rendered pages (eta) over the api-server, plus a live relay
 * (WebSocket → SSE → polling) and its own static assets. Never imports the engine, Redis or storage.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Eta } from 'eta';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiClient, ApiError, errorMessage, type ApiAuth } from './api-client.js';
import {
  loadConfigs,
  loadDetail,
  loadPanels,
  loadMarket,
  loadOverview,
  loadTrades,
  paths,
  toValidationIssues,
  tradeApiQuery,
  marketCandles,
  type TradesQuery,
} from './data.js';
import { fmt } from './format.js';
import { HubRegistry, LiveHub, strategyIdOf, type LiveEvent } from './live-hub.js';
import { isObj, str, toStrategies, toTrades, type StrategyView } from './normalize.js';

export interface DashboardDeps {
  apiUrl: string;
  apiKey?: string | undefined;
  logger: FastifyBaseLogger;
  /** live transports offered to browsers (default: all). Tests switch some off to prove the fallbacks. */
  transports?: { ws?: boolean; sse?: boolean } | undefined;
  /** how often the browser polls when neither WebSocket nor SSE works; default 5000 ms */
  clientPollMs?: number | undefined;
  /** how often the relay polls the API when the API has no event stream; default 2000 ms */
  hubPollMs?: number | undefined;
  /** how the relay follows the API: its event stream (default 'auto') or by polling only ('poll') */
  relayUpstream?: 'auto' | 'poll' | undefined;
  /** how long GET answers of the API are shared between requests; default 1000 ms (0 = off) */
  apiCacheTtlMs?: number | undefined;
}

const here = dirname(fileURLToPath(import.meta.url));
const viewsDir = join(here, 'views');
const publicDir = join(here, '..', 'public');
const require = createRequire(import.meta.url);

function assetFiles(): Record<string, { file: string; type: string }> {
  const chartDist = dirname(require.resolve('chart.js'));
  const lwcDir = dirname(require.resolve('lightweight-charts/package.json'));
  const js = 'text/javascript; charset=utf-8';
  return {
    'chart.umd.min.js': { file: join(chartDist, 'chart.umd.min.js'), type: js },
    'lightweight-charts.js': { file: join(lwcDir, 'dist', 'lightweight-charts.standalone.production.js'), type: js },
    'app.css': { file: join(publicDir, 'app.css'), type: 'text/css; charset=utf-8' },
    'live.js': { file: join(publicDir, 'live.js'), type: js },
    'overview.js': { file: join(publicDir, 'overview.js'), type: js },
    'strategy.js': { file: join(publicDir, 'strategy.js'), type: js },
    'start.js': { file: join(publicDir, 'start.js'), type: js },
    'market.js': { file: join(publicDir, 'market.js'), type: js },
    'favicon.svg': { file: join(publicDir, 'favicon.svg'), type: 'image/svg+xml' },
  };
}

const TOKEN_COOKIE = 'btcdash_token';
const REFRESH_COOKIE = 'btcdash_refresh';

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    try {
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      /* ignore malformed cookie */
    }
  }
  return out;
}

function cookie(name: string, value: string, maxAgeS: number): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}`;
}

/** Only same-site relative paths are accepted as redirect targets. */
function safeNext(v: unknown, fallback = '/'): string {
  return typeof v === 'string' && /^\/(?!\/)[^\s\\]*$/.test(v) ? v : fallback;
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export async function buildDashboardApp(deps: DashboardDeps): Promise<FastifyInstance> {
  const api = new ApiClient({ apiUrl: deps.apiUrl, apiKey: deps.apiKey, ...(deps.apiCacheTtlMs !== undefined ? { cacheTtlMs: deps.apiCacheTtlMs } : {}) });
  const transports = { ws: deps.transports?.ws ?? true, sse: deps.transports?.sse ?? true };
  const clientPollMs = deps.clientPollMs ?? 5000;
  const eta = new Eta({ views: viewsDir, cache: true, autoEscape: true, autoTrim: false });
  const assets = assetFiles();
  const assetCache = new Map<string, Buffer>();
  const hubs = new HubRegistry((auth) => new LiveHub({ api, auth, logger: deps.logger, upstream: deps.relayUpstream ?? 'auto', ...(deps.hubPollMs !== undefined ? { pollMs: deps.hubPollMs } : {}) }));

  const sseClosers = new Set<() => void>();
  const app = Fastify({ loggerInstance: deps.logger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 512 * 1024 });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      reply.header('content-security-policy', CSP);
      reply.header('cache-control', 'no-store');
    }
    return payload;
  });

  /** Rejects cross-site form posts: an Origin header, when present, must be this dashboard. */
  function sameOrigin(req: FastifyRequest): boolean {
    const origin = req.headers.origin;
    if (!origin || origin === 'null') return origin !== 'null';
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  function authOf(req: FastifyRequest | IncomingMessage): ApiAuth | undefined {
    const c = parseCookies(req.headers.cookie);
    const token = c[TOKEN_COOKIE];
    return token ? { token } : undefined;
  }

  /** Data every page needs: the layout's live settings and the running strategies for "Stop…" in the header. */
  async function common(req: FastifyRequest, extra: Record<string, unknown>): Promise<Record<string, unknown>> {
    const auth = authOf(req);
    let list = Array.isArray(extra['strategies']) ? (extra['strategies'] as StrategyView[]) : null;
    if (!list) {
      try {
        list = toStrategies(await api.json(paths.active, { auth }));
      } catch {
        list = [];
      }
    }
    return {
      stoppable: list.filter((s) => s.status !== 'stopped').map((s) => ({ id: s.id, name: s.name })),
      fmt,
      path: req.url.split('?')[0],
      signedIn: auth !== undefined,
      usesApiKey: api.hasApiKey,
      live: { ws: transports.ws, sse: transports.sse, pollMs: clientPollMs },
      ...extra,
    };
  }

  async function page(reply: FastifyReply, view: string, data: Record<string, unknown>, status = 200): Promise<FastifyReply> {
    const html = await eta.renderAsync(view, data);
    return reply.status(status).type('text/html; charset=utf-8').send(html);
  }

  /** Renders the error page or redirects to the login page when the API wants credentials. */
  async function failure(req: FastifyRequest, reply: FastifyReply, err: unknown): Promise<FastifyReply> {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      if (err.status === 401 && !api.hasApiKey) {
        // try a refresh before asking the user to sign in again
        const refreshed = await tryRefresh(req, reply);
        if (refreshed && req.method === 'GET') return reply.redirect(req.url, 303);
        return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
      }
      return page(reply, 'error', await common(req, { title: 'Not allowed', message: `The API refused the request: ${err.message}`, status: err.status }), err.status);
    }
    req.log.error({ err }, 'dashboard page failed');
    const status = err instanceof ApiError && err.status === 0 ? 502 : 500;
    return page(reply, 'error', await common(req, { title: 'Something went wrong', message: (err as Error).message, status }), status);
  }

  async function tryRefresh(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const refreshToken = parseCookies(req.headers.cookie)[REFRESH_COOKIE];
    if (!refreshToken) return false;
    try {
      const body = await api.json<Record<string, unknown>>(paths.refresh, { method: 'POST', body: { refreshToken } });
      setTokens(reply, body);
      return typeof body['accessToken'] === 'string';
    } catch {
      return false;
    }
  }

  function setTokens(reply: FastifyReply, body: Record<string, unknown>): void {
    const access = str(body['accessToken']);
    const refresh = str(body['refreshToken']);
    const cookies: string[] = [];
    if (access) cookies.push(cookie(TOKEN_COOKIE, access, Number(body['expiresIn'] ?? 3600)));
    if (refresh) cookies.push(cookie(REFRESH_COOKIE, refresh, Number(body['refreshExpiresIn'] ?? 86400)));
    if (cookies.length > 0) reply.header('set-cookie', cookies);
  }

  // ---------------------------------------------------------------- static assets
  app.get<{ Params: { file: string } }>('/assets/:file', async (req, reply) => {
    const a = assets[req.params.file];
    if (!a) return reply.status(404).type('text/plain').send('not found');
    let buf = assetCache.get(req.params.file);
    if (!buf) {
      buf = await readFile(a.file);
      assetCache.set(req.params.file, buf);
    }
    return reply.type(a.type).header('cache-control', 'public, max-age=300').send(buf);
  });
  app.get('/favicon.ico', async (_req, reply) => reply.redirect('/assets/favicon.svg', 301));

  app.get('/healthz', async () => ({ ok: true, apiUrl: api.baseUrl, transports, live: hubs.describe() }));

  // ---------------------------------------------------------------- pages
  app.get('/', async (req, reply) => {
    try {
      const data = await loadOverview(api, authOf(req));
      return await page(reply, 'overview', await common(req, { title: 'Overview', ...data }));
    } catch (err) {
      return failure(req, reply, err);
    }
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>('/strategies/:id', async (req, reply) => {
    try {
      const data = await loadDetail(api, req.params.id, authOf(req));
      if (!data && req.query['started'] && /^[a-z0-9][a-z0-9-]{0,62}$/.test(req.params.id)) {
        // the paper-trader has not confirmed the start yet: say so and look again shortly
        return await page(reply, 'error', await common(req, { title: 'Starting…', message: `Strategy "${req.params.id}" was sent to the paper-trader and is not running yet. This page reloads until it is.`, status: 202, refreshSeconds: 2 }), 202);
      }
      if (!data) return await page(reply, 'error', await common(req, { title: 'Not found', message: `No strategy "${req.params.id}".`, status: 404 }), 404);
      return await page(reply, 'strategy', await common(req, { title: data.strategy.name, ...data }));
    } catch (err) {
      return failure(req, reply, err);
    }
  });

  /** Statistics, positions and orders of a strategy page, re-rendered after fills (JSON of HTML fragments). */
  app.get<{ Params: { id: string } }>('/strategies/:id/panels', async (req, reply) => {
    try {
      const data = await loadPanels(api, req.params.id, authOf(req));
      if (!data) return await reply.status(404).send({ error: 'no such strategy' });
      const [stats, positions, orders] = await Promise.all([
        eta.renderAsync('panel-stats', { ...data, fmt }),
        eta.renderAsync('panel-positions', { ...data, fmt }),
        eta.renderAsync('panel-orders', { ...data, fmt }),
      ]);
      return { stats, positions, orders };
    } catch (err) {
      const status = err instanceof ApiError && err.status > 0 ? err.status : 502;
      return reply.status(status).send({ error: (err as Error).message });
    }
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/trades', async (req, reply) => {
    try {
      const q: TradesQuery = {
        strategy: req.query['strategy'] || undefined,
        side: req.query['side'] || undefined,
        cursor: req.query['cursor'] || undefined,
        from: req.query['from'] || undefined,
        to: req.query['to'] || undefined,
        limit: Math.min(Math.max(Number(req.query['limit']) || 50, 1), 500),
      };
      const data = await loadTrades(api, q, authOf(req));
      return await page(reply, 'trades', await common(req, { title: 'Trades', ...data }));
    } catch (err) {
      return failure(req, reply, err);
    }
  });

  /** CSV download: the API's export (credentials stay here), streamed through to the browser. */
  app.get<{ Querystring: Record<string, string | undefined> }>('/trades.csv', async (req, reply) => {
    const id = req.query['strategy'];
    if (!id || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) return reply.status(400).type('text/plain').send('choose a strategy');
    const q = tradeApiQuery({ from: req.query['from'], to: req.query['to'] });
    q.delete('limit');
    q.set('format', 'csv');
    try {
      const res = await api.fetch(paths.trades(id, q), { auth: authOf(req), accept: 'text/csv' });
      if (!res.ok) {
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* plain text */
        }
        throw new ApiError(errorMessage(body) ?? `${res.status}`, res.status, paths.trades(id, q), body);
      }
      let text = await res.text();
      const side = req.query['side'];
      if ((side === 'buy' || side === 'sell') && text.length > 0) {
        const lines = text.split(/\r?\n/);
        const header = lines[0] ?? '';
        const col = header.split(',').findIndex((h) => h.replace(/"/g, '').trim() === 'side');
        if (col >= 0) text = [header, ...lines.slice(1).filter((l) => l.length > 0 && l.split(',')[col]?.replace(/"/g, '') === side)].join('\n') + '\n';
      }
      return await reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="trades-${id}.csv"`)
        .send(text);
    } catch (err) {
      return failure(req, reply, err);
    }
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/start', async (req, reply) => {
    try {
      const { configs, error } = await loadConfigs(api, authOf(req));
      const selected = req.query['config'] ?? '';
      return await page(reply, 'start', await common(req, { title: 'Start a strategy', configs, configsError: error, selected, problems: [], yaml: '', startError: null }));
    } catch (err) {
      return failure(req, reply, err);
    }
  });

  /** Validation for the start form (JSON in, JSON out); the browser shows problems at their lines. */
  app.post<{ Body: { yaml?: unknown } }>('/start/validate', async (req, reply) => {
    if (!sameOrigin(req)) return reply.status(403).send({ error: 'cross-site request refused' });
    const yaml = isObj(req.body) ? str(req.body['yaml']) : null;
    if (yaml === null) return reply.status(400).send({ error: 'send { yaml }' });
    try {
      const body = await api.json(paths.validate, { method: 'POST', body: { yaml }, auth: authOf(req) });
      const problems = toValidationIssues(body);
      const isValid = isObj(body) && typeof body['isValid'] === 'boolean' ? body['isValid'] : problems.length === 0;
      return { isValid, name: isObj(body) ? str(body['name']) : null, problems };
    } catch (err) {
      if (err instanceof ApiError && (err.status === 400 || err.status === 422)) {
        return { isValid: false, name: null, problems: toValidationIssues(err.body).length > 0 ? toValidationIssues(err.body) : [{ line: null, column: null, path: null, message: err.message }] };
      }
      const status = err instanceof ApiError && err.status > 0 ? err.status : 502;
      return reply.status(status).send({ error: (err as Error).message });
    }
  });

  /** Starts a strategy from a config name or YAML text. Works as a plain form post and from fetch(). */
  app.post<{ Body: Record<string, unknown> }>('/start', async (req, reply) => {
    if (!sameOrigin(req)) return reply.status(403).type('text/plain').send('cross-site request refused');
    const b = isObj(req.body) ? req.body : {};
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    const yaml = str(b['configYaml'])?.trim() ? str(b['configYaml']) : null;
    const configName = yaml ? null : str(b['configName']);
    const body: Record<string, unknown> = yaml ? { configYaml: yaml } : { configName };
    const sid = str(b['strategyId'])?.trim();
    if (sid) body['strategyId'] = sid;
    const cash = str(b['initialCash'])?.trim();
    if (cash) body['initialCash'] = cash;
    try {
      if (!yaml && !configName) throw new ApiError('Pick a config or paste a strategy YAML.', 400, paths.start, null);
      const res = await api.json<Record<string, unknown>>(paths.start, { method: 'POST', body, auth: authOf(req) });
      const id = str(res['strategyId']) ?? str(res['id']) ?? '';
      if (wantsJson) return res;
      const confirmed = res['accepted'] !== false;
      return await reply.redirect(id ? `/strategies/${encodeURIComponent(id)}${confirmed ? '' : '?started=1'}` : '/', 303);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && !api.hasApiKey && !wantsJson) return reply.redirect(`/login?next=${encodeURIComponent('/start')}`, 303);
      const problems = err instanceof ApiError ? toValidationIssues(err.body) : [];
      const message = (err as Error).message;
      if (wantsJson) return reply.status(err instanceof ApiError && err.status > 0 ? err.status : 502).send({ error: message, problems });
      const { configs, error } = await loadConfigs(api, authOf(req)).catch(() => ({ configs: [], error: null }));
      return page(
        reply,
        'start',
        await common(req, { title: 'Start a strategy', configs, configsError: error, selected: configName ?? '', yaml: yaml ?? '', problems, startError: message }),
        err instanceof ApiError && err.status >= 400 && err.status < 500 ? 422 : 502,
      );
    }
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/strategies/:id/stop', async (req, reply) => {
    if (!sameOrigin(req)) return reply.status(403).type('text/plain').send('cross-site request refused');
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    const back = safeNext(isObj(req.body) ? req.body['returnTo'] : undefined, `/strategies/${encodeURIComponent(req.params.id)}`);
    try {
      const res = await api.json(paths.stop(req.params.id), { method: 'POST', body: { reason: 'stopped from the dashboard' }, auth: authOf(req) });
      if (wantsJson) return res;
      return await reply.redirect(back, 303);
    } catch (err) {
      if (wantsJson) return reply.status(err instanceof ApiError && err.status > 0 ? err.status : 502).send({ error: (err as Error).message });
      return failure(req, reply, err);
    }
  });

  /** The header's "Stop…" menu posts the id as a field. */
  app.post<{ Body: Record<string, unknown> }>('/strategies/stop', async (req, reply) => {
    if (!sameOrigin(req)) return reply.status(403).type('text/plain').send('cross-site request refused');
    const id = isObj(req.body) ? str(req.body['id']) : null;
    if (!id || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) return reply.status(400).type('text/plain').send('choose a strategy');
    const back = safeNext(isObj(req.body) ? req.body['returnTo'] : undefined, '/');
    try {
      await api.json(paths.stop(id), { method: 'POST', body: { reason: 'stopped from the dashboard' }, auth: authOf(req) });
      return await reply.redirect(back, 303);
    } catch (err) {
      return failure(req, reply, err);
    }
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/market', async (req, reply) => {
    try {
      const data = await loadMarket(api, req.query['symbol'], authOf(req));
      return await page(reply, 'market', await common(req, { title: `Market ${data.symbol}`, ...data }));
    } catch (err) {
      return failure(req, reply, err);
    }
  });

  // ---------------------------------------------------------------- auth
  app.get<{ Querystring: Record<string, string | undefined> }>('/login', async (req, reply) =>
    page(reply, 'login', await common(req, { title: 'Sign in', next: safeNext(req.query['next']), error: null })),
  );

  app.post<{ Body: Record<string, unknown> }>('/login', async (req, reply) => {
    if (!sameOrigin(req)) return reply.status(403).type('text/plain').send('cross-site request refused');
    const b = isObj(req.body) ? req.body : {};
    const next = safeNext(b['next']);
    const apiKey = str(b['apiKey']) ?? '';
    try {
      const body = await api.json<Record<string, unknown>>(paths.token, { method: 'POST', body: { apiKey } });
      setTokens(reply, body);
      return await reply.redirect(next, 303);
    } catch (err) {
      const message = err instanceof ApiError && (err.status === 400 || err.status === 401 || err.status === 403) ? 'That key was not accepted.' : (err as Error).message;
      return page(reply, 'login', await common(req, { title: 'Sign in', next, error: message }), 401);
    }
  });

  app.post('/logout', async (req, reply) => {
    if (!sameOrigin(req)) return reply.status(403).type('text/plain').send('cross-site request refused');
    reply.header('set-cookie', [cookie(TOKEN_COOKIE, '', 0), cookie(REFRESH_COOKIE, '', 0)]);
    return reply.redirect('/', 303);
  });

  // ---------------------------------------------------------------- live data
  /** Polling fallback: the current numbers (and for a strategy page, its newest trades and candles). */
  app.get<{ Querystring: Record<string, string | undefined> }>('/live/snapshot', async (req, reply) => {
    try {
      const auth = authOf(req);
      const overview = await loadOverview(api, auth, 5);
      const out: Record<string, unknown> = { time: Date.now(), feed: overview.feed, strategies: overview.strategies, error: overview.error };
      const id = req.query['strategy'];
      if (id) {
        const s = overview.strategies.find((x) => x.id === id);
        const [tradesB, marketB, equityB] = await Promise.all([
          api.optional(paths.trades(id, new URLSearchParams({ limit: '20' })), auth).catch(() => null),
          api.optional(paths.market(s?.symbol || 'BTCUSDT', '1m', 5), auth).catch(() => null),
          api.optional(paths.equity(id, 2000), auth).catch(() => null),
        ]);
        out['trades'] = toTrades(tradesB);
        out['candles'] = marketCandles(marketB, '1m');
        const eq = isObj(equityB) && Array.isArray(equityB['items']) ? equityB['items'] : [];
        out['equity'] = eq.slice(-5);
      }
      return out;
    } catch (err) {
      const status = err instanceof ApiError && err.status > 0 ? err.status : 502;
      return reply.status(status).send({ error: (err as Error).message });
    }
  });

  /** Newest candles and top of book for the price charts (candles are not pushed as events). */
  app.get<{ Querystring: Record<string, string | undefined> }>('/live/market', async (req, reply) => {
    const symbol = /^[A-Z0-9]{2,20}$/.test(req.query['symbol'] ?? '') ? req.query['symbol']! : 'BTCUSDT';
    const limit = Math.min(Math.max(Number(req.query['limit']) || 5, 1), 500);
    try {
      const body = await api.json(paths.market(symbol, '1m', limit), { auth: authOf(req) });
      const o = isObj(body) ? body : {};
      return { symbol, candles: marketCandles(body, '1m'), lastPrice: str(o['lastPrice']), bid: str(o['bid']), ask: str(o['ask']), time: Date.now() };
    } catch (err) {
      const status = err instanceof ApiError && err.status > 0 ? err.status : 502;
      return reply.status(status).send({ error: (err as Error).message });
    }
  });

  function wants(ev: LiveEvent, strategy: string | null): boolean {
    if (!strategy) return true;
    const sid = strategyIdOf(ev);
    return sid === null || sid === strategy;
  }

  if (transports.sse) {
    app.get<{ Querystring: Record<string, string | undefined> }>('/live/sse', (req, reply) => {
      const strategy = req.query['strategy'] ?? null;
      const hub = hubs.get(authOf(req));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 3000\nevent: hello\ndata: ${JSON.stringify({ transport: 'sse', upstream: hub.mode })}\n\n`);
      const unsubscribe = hub.subscribe((ev) => {
        if (wants(ev, strategy)) res.write(`data: ${JSON.stringify(ev)}\n\n`);
      });
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      const closer = (): void => {
        done();
        res.end();
      };
      const done = (): void => {
        clearInterval(ping);
        unsubscribe();
        sseClosers.delete(closer);
      };
      req.raw.on('close', done);
      sseClosers.add(closer);
    });
  }
  const wss = transports.ws ? new WebSocketServer({ noServer: true, maxPayload: 4096 }) : null;
  if (wss) {
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://dashboard');
      if (url.pathname !== '/live/ws') {
        socket.destroy();
        return;
      }
      const origin = req.headers.origin;
      if (origin && (() => { try { return new URL(origin).host !== req.headers.host; } catch { return true; } })()) {
        socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        const strategy = url.searchParams.get('strategy');
        const hub = hubs.get(authOf(req));
        ws.send(JSON.stringify({ type: 'hello', payload: { transport: 'ws', upstream: hub.mode } }));
        const unsubscribe = hub.subscribe((ev) => {
          if (ws.readyState === ws.OPEN && wants(ev, strategy)) ws.send(JSON.stringify(ev));
        });
        let alive = true;
        ws.on('pong', () => (alive = true));
        const ping = setInterval(() => {
          if (!alive) return ws.terminate();
          alive = false;
          ws.ping();
        }, 20_000);
        ws.on('close', () => {
          clearInterval(ping);
          unsubscribe();
        });
        ws.on('error', () => ws.terminate());
      });
    });
  }

  // live connections never end by themselves: end them before the server waits for its connections
  app.addHook('preClose', async () => {
    for (const close of sseClosers) close();
    sseClosers.clear();
    if (wss) {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });
  app.addHook('onClose', async () => {
    await hubs.closeAll();
  });

  app.setNotFoundHandler(async (req, reply) => page(reply, 'error', await common(req, { title: 'Not found', message: `Nothing at ${req.url.split('?')[0]}.`, status: 404 }), 404));

  return app;
}
