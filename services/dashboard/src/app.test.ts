import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildDashboardApp, type DashboardDeps } from './app.js';
import { ApiDouble } from './testing/api-double.js';

const logger = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(opts: ConstructorParameters<typeof ApiDouble>[0] = {}, deps: Partial<DashboardDeps> = {}): Promise<{ api: ApiDouble; app: FastifyInstance }> {
  const api = new ApiDouble(opts);
  await api.start();
  const app = await buildDashboardApp({ apiUrl: api.url, logger, ...deps });
  cleanups.push(() => api.close(), () => app.close());
  return { api, app };
}

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
    let opened = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buf += dec.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (!opened && block.includes('event: hello')) {
          opened = true;
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

describe('dashboard overview', () => {
  it('lists every strategy with status, equity, PnL and last trades, and shows the simulated banner', async () => {
    const { app } = await setup({ strategies: 3 });
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const html = res.body;
    for (const id of ['demo-rsi', 'demo-ema-cross', 'strategy-2']) expect(html).toContain(`data-strategy-id="${id}"`);
    expect(html).toContain('RSI mean reversion');
    expect(html).toContain('10,013.50'); // equity of demo-ema-cross
    expect(html).toContain('+13.50'); // its PnL
    expect(html).toMatch(/SELL<\/span> 0\.01 @ 95,120\.00/);
    expect(html).toContain('SIMULATED MARKET DATA');
    expect(html).not.toContain('data-banner="stale"');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('shows STALE when the feed is stale and no simulated banner for a live exchange feed', async () => {
    const { api, app } = await setup({ isSimulated: false });
    api.feed.source = 'binance';
    api.feed.state = 'stale';
    const html = (await app.inject({ method: 'GET', url: '/' })).body;
    expect(html).toContain('data-banner="stale"');
    expect(html).toContain('STALE');
    expect(html).not.toContain('SIMULATED MARKET DATA');
  });

  it('sends the configured API key to the API only, never to the browser', async () => {
    const { api, app } = await setup({ requireKey: 'secret-key-123' }, { apiKey: 'secret-key-123' });
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('demo-rsi');
    expect(res.body).not.toContain('secret-key-123');
    expect(api.requests.every((r) => r.headers['x-api-key'] === 'secret-key-123')).toBe(true);
    const snap = await app.inject({ method: 'GET', url: '/live/snapshot' });
    expect(snap.body).not.toContain('secret-key-123');
  });

  it('serves chart.js and lightweight-charts from its own origin', async () => {
    const { app } = await setup();
    const chart = await app.inject({ method: 'GET', url: '/assets/chart.umd.min.js' });
    expect(chart.statusCode).toBe(200);
    expect(chart.headers['content-type']).toContain('javascript');
    expect(chart.body.length).toBeGreaterThan(100_000);
    const lwc = await app.inject({ method: 'GET', url: '/assets/lightweight-charts.js' });
    expect(lwc.statusCode).toBe(200);
    expect(lwc.body).toContain('LightweightCharts');
    expect((await app.inject({ method: 'GET', url: '/assets/..%2Fpackage.json' })).statusCode).toBe(404);
    const html = (await app.inject({ method: 'GET', url: '/' })).body;
    expect(html).not.toMatch(/src="https?:/);
  });

  it('answers the polling snapshot with current numbers', async () => {
    const { api, app } = await setup();
    api.addFill('demo-rsi', { side: 'buy', price: '95500.00', quantity: '0.02' });
    const res = await app.inject({ method: 'GET', url: '/live/snapshot' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { feed: { isSimulated: boolean }; strategies: { id: string; tradeCount: number; lastTrades: { price: string }[] }[] };
    expect(body.feed.isSimulated).toBe(true);
    const s = body.strategies.find((x) => x.id === 'demo-rsi')!;
    expect(s.tradeCount).toBe(3);
    expect(s.lastTrades[0]!.price).toBe('95500.00');
  });
});

describe('dashboard live relay', () => {
  it('relays the API event stream to browsers over SSE', async () => {
    const { api, app } = await setup();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address() as { port: number };
    const msg = await readSseUntil(
      `http://127.0.0.1:${addr.port}/live/sse`,
      (m) => m['type'] === 'strategy.order.filled',
      10_000,
      () => {
        // the relay subscribes upstream on the first browser; fire once it is connected
        const fire = (): void => {
          if (api.sseClientCount > 0) api.addFill('demo-ema-cross', { side: 'buy', price: '96000.00', quantity: '0.05' });
          else setTimeout(fire, 20);
        };
        fire();
      },
    );
    expect((msg['payload'] as { strategyId: string; price: string }).strategyId).toBe('demo-ema-cross');
    expect((msg['payload'] as { price: string }).price).toBe('96000.00');
  });

  it('polls the API and emits the same events when the API has no event stream', async () => {
    const { api, app } = await setup({ events: false }, { hubPollMs: 100 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address() as { port: number };
    let fired = false;
    const msg = await readSseUntil(
      `http://127.0.0.1:${addr.port}/live/sse`,
      (m) => {
        // wait for the first poll's baseline, then trade
        if (!fired && m['type'] === 'strategy.equity.updated') {
          fired = true;
          api.addFill('demo-rsi', { side: 'sell', price: '97000.00', quantity: '0.01' }, false);
        }
        return m['type'] === 'strategy.order.filled' && (m['payload'] as { price: string }).price === '97000.00';
      },
      10_000,
    );
    expect((msg['payload'] as { strategyId: string }).strategyId).toBe('demo-rsi');
  });
});
