/**
 * Real time: WebSocket first, SSE as the fallback, polling last. Each path is proven by switching off
 * the transports before it on the dashboard server: the browser tries them, fails, falls back, and
 * still sees a fill the API produces after the page loaded.
 */
import { describe, expect, it } from 'vitest';
import { startDashboard, type DashboardDeps, type RunningDashboard } from '../../services/dashboard/src/index.js';
import { silentLogger } from './support/logger.js';
import { openPage, relayConnected, until } from './support/browser.js';
import { browserPerFile } from './support/browser-per-file.js';
import { startSeededApi, type RealApi } from './support/real-api.js';
import { freePort } from './support/embedded.js';

const shared = browserPerFile();

async function system(transports: DashboardDeps['transports'], clientPollMs?: number): Promise<{ api: RealApi; dash: RunningDashboard }> {
  const api = await startSeededApi({ strategies: [{ id: 'demo-rsi', name: 'RSI mean reversion', trades: 2 }] });
  const dash = await startDashboard({ host: '127.0.0.1', port: 0, apiUrl: api.url, logger: silentLogger(), transports, ...(clientPollMs ? { clientPollMs } : {}) });
  shared.cleanups.push(() => api.close(), () => dash.close());
  return { api, dash };
}

/** Errors the browser itself logs when a switched-off transport is tried; anything else fails the test. */
const expectedFallbackNoise = /WebSocket connection to .*\/live\/ws.* failed|EventSource's response has a MIME type|\/live\/sse|Failed to load resource: the server responded with a status of 404/;

async function seesLiveFill(transports: DashboardDeps['transports'], expected: 'ws' | 'sse' | 'poll', clientPollMs?: number): Promise<void> {
  const { api, dash } = await system(transports, clientPollMs);
  const { page, context, errors } = await openPage(shared.browser);
  try {
    await page.goto(dash.url + '/');
    await until(`transport ${expected}`, () => page.evaluate(() => document.documentElement.dataset['liveTransport']).then((t) => (t === expected ? t : false)), 15_000);
    expect(await page.locator('#live-status').innerText()).toContain(expected === 'ws' ? 'WebSocket' : expected === 'sse' ? 'SSE' : 'polling');
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    if (expected !== 'poll') await until('relay connected upstream', () => relayConnected(dash.url));
    await api.addFill('demo-rsi', { side: 'buy', price: '91234.00', quantity: '0.04' });
    const row = page.locator('tr[data-strategy-id="demo-rsi"]');
    await until('fill shown', async () => (await row.locator('[data-field="lastTrades"] li').first().innerText()).includes('91,234.00'), 15_000);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.dataset['liveTransport'])).toBe(expected);
    expect(errors.filter((e) => !expectedFallbackNoise.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
}

describe('live transports', () => {
  it('uses WebSocket when everything is available', async () => {
    await seesLiveFill({ ws: true, sse: true }, 'ws');
  });

  it('falls back to Server-Sent Events when WebSocket is switched off', async () => {
    await seesLiveFill({ ws: false, sse: true }, 'sse');
  });

  it('falls back to polling when WebSocket and SSE are switched off', async () => {
    await seesLiveFill({ ws: false, sse: false }, 'poll', 1000);
  });

  it('polls every 5 seconds by default', async () => {
    const { dash } = await system({ ws: false, sse: false });
    const { page, context } = await openPage(shared.browser);
    try {
      const times: number[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/live/snapshot')) times.push(Date.now());
      });
      await page.goto(dash.url + '/');
      await until('three polls', () => times.length >= 3, 15_000, 100);
      const gap = times[2]! - times[1]!;
      expect(gap).toBeGreaterThanOrEqual(4900);
      expect(gap).toBeLessThan(7000);
    } finally {
      await context.close();
    }
  });

  it('reconnects by itself when the dashboard restarts', async () => {
    const api = await startSeededApi({ strategies: [{ id: 'demo-rsi', name: 'RSI mean reversion', trades: 1 }] });
    shared.cleanups.push(() => api.close());
    const port = await freePort();
    const opts = { host: '127.0.0.1', port, apiUrl: api.url, logger: silentLogger() };
    let dash = await startDashboard(opts);
    const { page, context, errors } = await openPage(shared.browser);
    try {
      await page.goto(dash.url + '/');
      await until('ws', () => page.evaluate(() => document.documentElement.dataset['liveTransport'] === 'ws'));
      await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
      await dash.close();
      await until('notices the loss', () => page.evaluate(() => document.documentElement.dataset['liveTransport'] !== 'ws'));
      // stay down long enough that the page gives up on WebSocket and SSE and falls back to polling
      await until('falls back to polling', () => page.evaluate(() => document.documentElement.dataset['liveTransport'] === 'poll'), 20_000, 100);
      dash = await startDashboard(opts);
      await until('back on WebSocket', () => page.evaluate(() => document.documentElement.dataset['liveTransport'] === 'ws'), 30_000, 100);
      await until('relay connected upstream', () => relayConnected(dash.url));
      await api.addFill('demo-rsi', { side: 'sell', price: '93210.00', quantity: '0.01' });
      await until('fill after the restart', async () => (await page.locator('tr[data-strategy-id="demo-rsi"] [data-field="lastTrades"] li').first().innerText()).includes('93,210.00'));
      expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
      // while it is down (refused) or closing (Fastify answers 503), the browser logs the failed requests
      expect(errors.filter((e) => !expectedFallbackNoise.test(e) && !/ERR_CONNECTION_REFUSED|status of 503/.test(e))).toEqual([]);
    } finally {
      await context.close();
      await dash.close();
    }
  }, 60_000);
});
