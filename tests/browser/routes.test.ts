/** The dashboard's HTTP routes (app.inject) against the real api-server over the real bus and store. */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureLogging, createLogger } from '@btc-research/platform';
import { buildDashboardApp, type DashboardDeps } from '../../services/dashboard/src/index.js';
import { DEFAULT_DEV_API_KEY } from '../../services/api-server/src/index.js';
import { silentLogger } from './support/logger.js';
import { startSeededApi, type RealApi } from './support/real-api.js';
import { startRewritingProxy } from './support/rewriting-proxy.js';

type FastifyInstance = Awaited<ReturnType<typeof buildDashboardApp>>;
const logger = silentLogger();
let api: RealApi;
const apps: FastifyInstance[] = [];

async function dashboard(deps: Partial<DashboardDeps> = {}): Promise<FastifyInstance> {
  const app = await buildDashboardApp({ apiUrl: api.url, logger, apiCacheTtlMs: 0, ...deps });
  apps.push(app);
  return app;
}

beforeAll(async () => {
  api = await startSeededApi({
    strategies: [
      { id: 'demo-rsi', name: 'RSI mean reversion', trades: 14 },
      { id: 'demo-ema-cross', name: 'EMA cross', trades: 4 },
      { id: 'old-one', name: 'Old one', trades: 1, status: 'stopped' },
    ],
  });
});

afterAll(async () => {
  for (const a of apps) await a.close();
  await api?.close();
});

/** Reads an SSE response until `pred` matches one data message or the deadline passes. */
async function readSseUntil(url: string, pred: (msg: Record<string, unknown>) => boolean, deadlineMs: number, onOpen?: () => void): Promise<Record<string, unknown>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deadlineMs);
  try {
    const res = await fetch(url, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buf += dec.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (block.includes('event: hello')) {
          onOpen?.();
          continue;
        }
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const msg = JSON.parse(data.slice(6)) as Record<string, unknown>;
        if (pred(msg)) return msg;
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

describe('overview route', () => {
  it('lists every strategy with status, equity, PnL and last trades, with the simulated banner', async () => {
    const app = await dashboard();
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    const html = res.body;
    for (const id of ['demo-rsi', 'demo-ema-cross', 'old-one']) expect(html).toContain(`data-strategy-id="${id}"`);
    const active = (await fetch(`${api.url}/api/v1/strategies/active`).then((r) => r.json())) as { items: { id: string; equity: string; pnl: string; lastTrades: { price: string }[] }[] };
    const rsi = active.items.find((s) => s.id === 'demo-rsi')!;
    const money = (v: string): string => Number(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(html).toContain(`data-value="${rsi.equity}">${money(rsi.equity)}<`);
    expect(html).toContain(`data-value="${rsi.pnl}">`);
    expect(html).toContain(`@ ${money(rsi.lastTrades[0]!.price)}`);
    expect(html).toContain('SIMULATED MARKET DATA');
    expect(html).not.toContain('data-banner="stale"');
    // a stopped strategy offers no stop button
    expect(html).not.toContain('action="/strategies/old-one/stop"');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('says STALE when the feed is stale', async () => {
    const app = await dashboard();
    await api.setFeed({ state: 'stale' });
    try {
      const html = (await app.inject({ method: 'GET', url: '/' })).body;
      expect(html).toContain('data-banner="stale"');
    } finally {
      await api.setFeed({ state: 'live' });
    }
  });

  it('serves chart.js and lightweight-charts itself, never from a CDN', async () => {
    const app = await dashboard();
    const chart = await app.inject({ method: 'GET', url: '/assets/chart.umd.min.js' });
    expect(chart.statusCode).toBe(200);
    expect(chart.headers['content-type']).toContain('javascript');
    expect(chart.body.length).toBeGreaterThan(100_000);
    const lwc = await app.inject({ method: 'GET', url: '/assets/lightweight-charts.js' });
    expect(lwc.body).toContain('LightweightCharts');
    expect((await app.inject({ method: 'GET', url: '/assets/..%2Fpackage.json' })).statusCode).toBe(404);
    for (const url of ['/', '/strategies/demo-rsi', '/market', '/start', '/trades']) {
      const html = (await app.inject({ method: 'GET', url })).body;
      expect(html, url).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
  });

  it('answers the polling snapshot with the current numbers', async () => {
    const app = await dashboard();
    const fill = await api.addFill('demo-ema-cross', { side: 'buy', price: '95500.00', quantity: '0.02' });
    const body = (await app.inject({ method: 'GET', url: '/live/snapshot?strategy=demo-ema-cross' })).json() as { feed: { isSimulated: boolean }; strategies: { id: string; tradeCount: number; lastTrades: { tradeId: string }[] }[]; trades: { tradeId: string }[] };
    expect(body.feed.isSimulated).toBe(true);
    const s = body.strategies.find((x) => x.id === 'demo-ema-cross')!;
    expect(s.tradeCount).toBe(5);
    expect(s.lastTrades[0]!.tradeId).toBe(fill.tradeId);
    expect(body.trades[0]!.tradeId).toBe(fill.tradeId);
  });
});

describe('other routes', () => {
  it('renders a 404 page for an unknown strategy and route', async () => {
    const app = await dashboard();
    expect((await app.inject({ method: 'GET', url: '/strategies/nope' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
  });

  it('refuses cross-site form posts', async () => {
    const app = await dashboard({ apiKey: DEFAULT_DEV_API_KEY });
    const res = await app.inject({ method: 'POST', url: '/strategies/demo-rsi/stop', headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'returnTo=/' });
    expect(res.statusCode).toBe(403);
    const status = (await fetch(`${api.url}/api/v1/strategies/demo-rsi/status`).then((r) => r.json())) as { status: string };
    expect(status.status).toBe('running');
  });

  it('only redirects back to its own pages after a stop', async () => {
    const app = await dashboard({ apiKey: DEFAULT_DEV_API_KEY });
    await api.setStatus('old-one', 'stopped');
    const res = await app.inject({ method: 'POST', url: '/strategies/old-one/stop', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'returnTo=' + encodeURIComponent('//evil.example/x') });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/strategies/old-one');
  });

  it('proxies the CSV export with the credentials kept server-side', async () => {
    const api2 = await startSeededApi({ openReads: false });
    try {
      const app = await buildDashboardApp({ apiUrl: api2.url, apiKey: DEFAULT_DEV_API_KEY, logger });
      apps.push(app);
      const res = await app.inject({ method: 'GET', url: '/trades.csv?strategy=demo-rsi' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-disposition']).toContain('trades-demo-rsi.csv');
      expect(res.body.trim().split('\n')).toHaveLength(15);
      expect(res.body).not.toContain(DEFAULT_DEV_API_KEY);
    } finally {
      await api2.close();
    }
  });
});

describe('when the API is down or slow', () => {
  it('still answers every page with a clear message', async () => {
    const app = await buildDashboardApp({ apiUrl: 'http://127.0.0.1:9', logger });
    apps.push(app);
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/role="alert">Could not load strategies: api-server unreachable at http:\/\/127\.0\.0\.1:9/);
    expect((await app.inject({ method: 'GET', url: '/market' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/live/snapshot' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/strategies/demo-rsi' })).statusCode).toBe(502);
  });

  it('shows "Starting…" and reloads while the paper-trader has not confirmed a start', async () => {
    const app = await dashboard({ apiKey: DEFAULT_DEV_API_KEY });
    // no paper-trader runs here: the API accepts the command and answers 202 after its wait
    const res = await app.inject({ method: 'POST', url: '/start', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'configName=demo-ema-cross.yaml&strategyId=waiting-one' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/strategies/waiting-one?started=1');
    const pageRes = await app.inject({ method: 'GET', url: res.headers.location as string });
    expect(pageRes.statusCode).toBe(202);
    expect(pageRes.body).toContain('<meta http-equiv="refresh" content="2">');
    expect(pageRes.body).toContain('not running yet');
  });
});

describe('an API answer outside the contract', () => {
  it('shows an error state that names the field, logs it, and never renders a blank cell', async () => {
    // the real API's answers with `pnl` renamed: an api-server of another version
    const renamePnl = (s: Record<string, unknown>): void => {
      s['profit'] = s['pnl'];
      delete s['pnl'];
    };
    const proxy = await startRewritingProxy(api.url, {
      '/api/v1/strategies/active': (body) => (body['items'] as Record<string, unknown>[]).forEach(renamePnl),
      '/api/v1/strategies/demo-rsi/stats': (body) => {
        body['profit'] = body['totalPnl'];
        delete body['totalPnl'];
      },
    });
    const lines: string[] = [];
    configureLogging({ destination: { write: (line: string) => void lines.push(line) } });
    try {
      const app = await dashboard({ apiUrl: proxy.url, logger: createLogger('dashboard:contract-test', { level: 'info' }) });
      const overview = await app.inject({ method: 'GET', url: '/' });
      expect(overview.statusCode).toBe(200);
      expect(overview.body).toMatch(/role="alert">Could not load strategies: GET \/api\/v1\/strategies\/active answered outside its contract: items\.0\.pnl: /);
      expect(overview.body).not.toContain('data-strategy-id=');
      const page = await app.inject({ method: 'GET', url: '/strategies/demo-rsi' });
      expect(page.statusCode).toBe(502);
      expect(page.body).toContain('<h1>The API answered something unexpected</h1>');
      expect(page.body).toMatch(/GET \/api\/v1\/strategies\/demo-rsi\/stats answered outside its contract: totalPnl: /);
      const logged = lines.map((l) => JSON.parse(l) as { msg: string; path?: string; issues?: string[] }).filter((l) => l.msg === 'api answer outside its contract');
      expect(logged.map((l) => l.path)).toEqual(expect.arrayContaining(['/api/v1/strategies/active', '/api/v1/strategies/demo-rsi/stats']));
      expect(logged.find((l) => l.path === '/api/v1/strategies/active')!.issues).toEqual(expect.arrayContaining([expect.stringMatching(/^items\.0\.pnl: /)]));
    } finally {
      configureLogging({ destination: { write: (line: string) => void process.stdout.write(line) } });
      await proxy.close();
    }
  });
});

describe('live relay', () => {
  it('relays the API event stream to browsers over SSE', async () => {
    const app = await dashboard();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    let published = false;
    const msg = await readSseUntil(
      `${base}/live/sse`,
      (m) => {
        return m['type'] === 'strategy.order.filled' && (m['payload'] as { price: string }).price === '96000.00';
      },
      10_000,
      () => {
        const fire = async (): Promise<void> => {
          const h = (await fetch(`${base}/healthz`).then((r) => r.json())) as { live: { mode: string }[] };
          if (h.live.some((x) => x.mode === 'sse') && !published) {
            published = true;
            await api.addFill('demo-ema-cross', { side: 'sell', price: '96000.00', quantity: '0.02' });
          } else if (!published) setTimeout(() => void fire(), 20);
        };
        void fire();
      },
    );
    expect((msg['payload'] as { strategyId: string }).strategyId).toBe('demo-ema-cross');
  });

  it('polls the API and emits the same events when told not to use its event stream', async () => {
    const app = await dashboard({ relayUpstream: 'poll', hubPollMs: 100 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    let fired = false;
    const msg = await readSseUntil(
      `http://127.0.0.1:${port}/live/sse?strategy=demo-rsi`,
      (m) => {
        // the first poll is the baseline; trade once it has been seen
        if (!fired && m['type'] === 'strategy.equity.updated') {
          fired = true;
          void api.addFill('demo-rsi', { side: 'buy', price: '97000.00', quantity: '0.01' }, false);
        }
        return m['type'] === 'strategy.order.filled' && (m['payload'] as { price: string }).price === '97000.00';
      },
      10_000,
    );
    expect((msg['payload'] as { strategyId: string }).strategyId).toBe('demo-rsi');
  });

  it('upgrades WebSockets from its own pages only (no cross-site socket with the user\'s cookies)', async () => {
    const app = await dashboard();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const upgrade = (origin?: string): Promise<number | undefined> =>
      new Promise((resolve, reject) => {
        const key = randomBytes(16).toString('base64');
        const req = request({ host: '127.0.0.1', port, path: '/live/ws', agent: false, headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': key, ...(origin ? { origin } : {}) } });
        req.on('upgrade', (res, socket) => {
          socket.destroy();
          resolve(res.statusCode);
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await upgrade(`http://127.0.0.1:${port}`)).toBe(101);
    expect(await upgrade()).toBe(101);
    expect(await upgrade('http://evil.example')).toBe(403);
    expect(await upgrade('null')).toBe(403);
  });

  it('closes promptly while browsers are connected over SSE', async () => {
    const own = await startSeededApi({ strategies: [] });
    const app = await buildDashboardApp({ apiUrl: own.url, logger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/live/sse`);
    const reader = res.body!.getReader();
    await reader.read(); // the hello event: the stream is open
    const closed = app.close().then(() => 'closed');
    const outcome = await Promise.race([closed, new Promise((r) => setTimeout(() => r('still open after 5 s'), 5000))]);
    expect(outcome).toBe('closed');
    await reader.cancel().catch(() => undefined);
    await own.close();
  });
});
