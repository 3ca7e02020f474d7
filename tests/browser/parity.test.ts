/**
 * The strategy page's parity panel, end to end: a real paper-trader (embedded, sharing the real
 * api-server's in-process bus and JSON-file store) trades a strategy; the panel says no check has
 * run, "Check now" goes dashboard → API → bus → the paper-trader's parity monitor and back, and a
 * check that fails (the stored account no longer matches its inputs) is unmistakable, with both
 * values of its first divergence. An api-server without parity or notification routes is said
 * plainly.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { MessageType, StreamRetention, Streams, makeEnvelope } from '@btc-research/contracts';
import { simulatedMinuteCandles, type Candle } from '@btc-research/engine';
import { createLogger, waitFor, type StrategyState } from '@btc-research/platform';
import { startDashboard, type RunningDashboard } from '../../services/dashboard/src/index.js';
import { DEFAULT_DEV_API_KEY } from '../../services/api-server/src/index.js';
import { startPaperTrader, type PaperTrader } from '../../services/paper-trader/src/service.js';
import { testConfig } from '../../services/paper-trader/src/testing/test-config.js';
import { silentLogger } from './support/logger.js';
import { openPage, screenshot } from './support/browser.js';
import { closeInOrder, openDashboardInBrowser } from './support/dashboard-in-browser.js';
import { RealApi } from './support/real-api.js';
import { startGatedProxy, type GatedProxy } from './support/gated-proxy.js';
import { startRewritingProxy, type RewritingProxy } from './support/rewriting-proxy.js';

const repoConfig = resolve(import.meta.dirname, '..', '..', 'config');
let browser: Browser;
let api: RealApi;
let dash: RunningDashboard;
let trader: PaperTrader;
let dir: string;
let candles: Candle[];
let state: StrategyState;

async function publishCandles(list: readonly Candle[]): Promise<void> {
  for (const c of list) {
    await api.bus.publish(
      Streams.candles('BTCUSDT'),
      makeEnvelope({
        type: MessageType.candleClosed,
        id: `c-${c.openTime}`,
        source: 'dashboard-test',
        tsEvent: c.closeTime,
        tsInit: c.closeTime,
        payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', timeframe: '1m', openTime: c.openTime, closeTime: c.closeTime, open: String(c.open), high: String(c.high), low: String(c.low), close: String(c.close), volume: String(c.volume), synthetic: false, origin: 'replay' },
      }),
      StreamRetention.candles,
    );
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dash-parity-'));
  await mkdir(join(dir, 'config'));
  const ema = await readFile(join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
  await writeFile(join(dir, 'config', 'ema.yaml'), `${ema}\nrisk_management:\n  stop_loss: { percent: 0.004 }\n  take_profit: { percent: 0.008 }\n`);
  api = await new RealApi().start();
  // only on request: the panel's history is exactly the checks this test asks for
  trader = await startPaperTrader({ config: testConfig(dir, { parityIntervalMs: 0 }), bus: api.bus, store: api.store, logger: createLogger('paper-trader:test', { level: 'silent' }) });
  candles = simulatedMinuteCandles(600, 7);
  await publishCandles(candles);
  await waitFor(async () => (await api.store.loadState('ema'))?.lastCandleCloseTime === candles.at(-1)!.closeTime, { what: 'the strategy at the last candle', timeoutMs: 30_000 });
  state = (await api.store.loadState('ema'))!;
  ({ dash, browser } = await openDashboardInBrowser(api.url));
}, 60_000);

afterAll(async () => {
  await closeInOrder(browser, dash, trader, api);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function checkNow(page: Page): Promise<void> {
  await Promise.all([page.waitForURL(/parityCheck=/, { timeout: 20_000 }), page.click('#parity-check-form button')]);
}

/** how far the page scrolls sideways, and the innermost elements that stick out */
function overflow(page: Page): Promise<{ px: number; wide: string[] }> {
  return page.evaluate(() => ({
    px: document.documentElement.scrollWidth - window.innerWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && getComputedStyle(el).position !== 'absolute')
      .slice(-3)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className ? `.${el.className.split(' ')[0]}` : ''}`),
  }));
}

describe('parity panel on the strategy page', () => {
  it('says no check ran yet, runs one on "Check now", and shows a failing check unmistakably with both values', async () => {
    const { page, context, errors } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await page.goto(`${dash.url}/strategies/ema`);
      expect(await page.locator('#parity-none').innerText()).toContain('No parity check has run yet');
      expect(await page.locator('#parity-history').count()).toBe(0);

      // Check now: through the dashboard and the API to the paper-trader's monitor, and back
      await checkNow(page);
      const passed = (await api.store.listParityChecks('ema', 10))[0]!;
      expect(passed).toMatchObject({ verdict: 'pass', trigger: 'on-demand' });
      expect(page.url()).toContain(`parityCheck=${passed.checkId}`);
      expect(await page.locator('#parity-requested').innerText()).toBe(`Check ${passed.checkId} finished.`);
      expect(await page.locator('#parity-latest').getAttribute('data-verdict')).toBe('pass');
      expect(await page.locator('#parity-verdict').innerText()).toBe('✓ PASS');
      expect(await page.locator('[data-parity="window"]').innerText()).toContain(`${passed.window.inputs} inputs (seq ${passed.window.fromSeq}–${passed.window.toSeq}) from the log start`);
      expect(await page.locator('[data-parity="compared"]').innerText()).toContain(`${passed.compared.events} events`);
      expect(passed.compared.events).toBeGreaterThan(0);
      expect(await page.locator('#parity-divergence').count()).toBe(0);
      expect(await page.locator('#parity-history tbody tr').count()).toBe(1);
      await screenshot(page, 'parity-pass-desktop');

      // the stored account no longer matches what the inputs give: the next check fails
      await api.store.saveState({ ...state, cash: '12345.678' });
      await checkNow(page);
      const failed = (await api.store.listParityChecks('ema', 10))[0]!;
      expect(failed).toMatchObject({ verdict: 'fail', firstDivergence: { kind: 'balance', field: 'cash', paper: '12345.678', replay: state.cash } });
      const latest = page.locator('#parity-latest');
      expect(await latest.getAttribute('data-verdict')).toBe('fail');
      // not colour alone: a word, a symbol, a sentence, and an alert for assistive technology
      expect(await latest.getAttribute('role')).toBe('alert');
      expect(await page.locator('#parity-verdict').innerText()).toBe('✗ FAIL');
      expect(await latest.innerText()).toContain('Replay of the recorded inputs DIFFERS from paper trading.');
      expect(await page.locator('[data-divergence="what"]').innerText()).toBe('balance cash');
      expect(await page.locator('[data-divergence="paper"]').innerText()).toBe('12345.678');
      expect(await page.locator('[data-divergence="replay"]').innerText()).toBe(state.cash);
      // the history: newest first, the failure with its values, the earlier pass below it
      const rows = page.locator('#parity-history tbody tr');
      expect(await rows.count()).toBe(2);
      expect(await rows.nth(0).getAttribute('data-check')).toBe(failed.checkId);
      expect(await rows.nth(0).innerText()).toContain(`✗ FAIL`);
      expect(await rows.nth(0).locator('[data-label="First divergence"]').innerText()).toBe(`balance cash: paper 12345.678, replay ${state.cash}`);
      expect(await rows.nth(1).getAttribute('data-check')).toBe(passed.checkId);
      await screenshot(page, 'parity-fail-desktop');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    // and at phone width, without sideways scroll
    const phone = await openPage(browser, { width: 390, height: 844 });
    try {
      await phone.page.goto(`${dash.url}/strategies/ema#parity`);
      expect(await phone.page.locator('#parity-verdict').innerText()).toBe('✗ FAIL');
      const sideways = await overflow(phone.page);
      expect(sideways.px, `scrolls sideways by ${sideways.px} px (${sideways.wide.join(', ')})`).toBeLessThanOrEqual(1);
      await screenshot(phone.page, 'parity-fail-phone');
    } finally {
      await phone.context.close();
    }
  }, 60_000);

  it('says when a requested check has not finished by the time the API answers, and that none has run yet', async () => {
    // a strategy the paper-trader cannot check (no stored progress): the API answers 202 after its wait
    await api.store.upsertStrategy({ id: 'bare', name: 'Bare', configName: 'bare.yaml', configYaml: 'name: bare\n', symbol: 'BTCUSDT', status: 'running', error: null, initialCash: '10000', createdAt: 0, updatedAt: 0 });
    const { page, context, errors } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await page.goto(`${dash.url}/strategies/bare`);
      expect(await page.locator('#parity-none').innerText()).toContain('No parity check has run yet');
      await checkNow(page);
      expect(page.url()).toContain('parityStatus=pending');
      expect(await page.locator('#parity-requested').innerText()).toMatch(/^Check req-[0-9a-f-]+ has not finished yet: the paper-trader runs it/);
      expect(await page.locator('#parity-none').count()).toBe(1);
      expect(await api.store.listParityChecks('bare', 10)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 30_000);

  it('refuses a "Check now" posted from another site, and runs no check', async () => {
    const before = (await api.store.listParityChecks('ema', 100)).length;
    const res = await fetch(`${dash.url}/strategies/ema/parity/check`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' });
    expect(res.status).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect((await api.store.listParityChecks('ema', 100)).length).toBe(before);
  });

  it('shows a check that finished while the page is open (scheduled, or asked for elsewhere) without a reload', async () => {
    const { page, context, errors } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await page.goto(`${dash.url}/strategies/ema`);
      // the page is connected; its dashboard may still be connecting to the API (the page says so, and
      // a check that finishes before that connection is up reaches the page by its resync)
      await page.waitForFunction(() => ['ws', 'sse'].includes(document.getElementById('live-status')?.dataset['transport'] ?? ''), undefined, { timeout: 10_000 });
      const rowsBefore = await page.locator('#parity-history tbody tr').count();
      await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
      // asked for through the API, not this page: the result reaches the page as a live event
      const res = await fetch(`${api.url}/api/v1/strategies/ema/parity/check`, { method: 'POST', headers: { 'x-api-key': DEFAULT_DEV_API_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ waitMs: 10_000 }) });
      expect(res.status).toBe(200);
      const check = (await res.json()) as { checkId: string };
      await page.waitForFunction((id) => document.querySelector('#parity-history tbody tr')?.getAttribute('data-check') === id, check.checkId, { timeout: 15_000 });
      expect(await page.locator('#parity-history tbody tr').count()).toBe(rowsBefore + 1);
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      expect(await page.locator('#parity-check-form').count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 40_000);
});

describe('a page open before its dashboard reaches the API', () => {
  let gate: GatedProxy;
  let late: RunningDashboard;

  beforeAll(async () => {
    gate = await startGatedProxy(api.url, /^\/api\/v1\/events$/);
    late = await startDashboard({ host: '127.0.0.1', port: 0, apiUrl: gate.url, apiKey: DEFAULT_DEV_API_KEY, logger: silentLogger() });
  });

  afterAll(async () => {
    await late?.close();
    await gate?.close();
  });

  it('says it waits for the API, then shows the check that finished meanwhile without a reload', async () => {
    const { page, context, errors } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await page.goto(`${late.url}/strategies/ema`);
      const status = page.locator('#live-status');
      await page.waitForFunction(() => document.getElementById('live-status')?.dataset['upstream'] === 'idle', undefined, { timeout: 10_000 });
      await waitFor(() => gate.held > 0, { what: "the dashboard's request for the API's event stream" });
      expect(await status.innerText()).toBe('Live: WebSocket, waiting for the API…');
      await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
      // a check runs while no event can reach the page
      const res = await fetch(`${api.url}/api/v1/strategies/ema/parity/check`, { method: 'POST', headers: { 'x-api-key': DEFAULT_DEV_API_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ waitMs: 10_000 }) });
      expect(res.status).toBe(200);
      const check = (await res.json()) as { checkId: string };
      expect(await page.locator(`#parity-history tr[data-check="${check.checkId}"]`).count()).toBe(0);
      // the dashboard reaches the API: the page says so and reloads its panels
      gate.open();
      await page.waitForFunction((id) => document.querySelector('#parity-history tbody tr')?.getAttribute('data-check') === id, check.checkId, { timeout: 15_000 });
      expect(await status.getAttribute('data-upstream')).toBe('sse');
      expect(await status.innerText()).toBe('Live: WebSocket');
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 40_000);
});

describe('an api-server without parity or notifications', () => {
  let proxy: RewritingProxy;
  let old: RunningDashboard;

  beforeAll(async () => {
    proxy = await startRewritingProxy(api.url, {}, [/\/parity(\/|$)/, /^\/api\/v1\/notifications\//]);
    old = await startDashboard({ host: '127.0.0.1', port: 0, apiUrl: proxy.url, apiKey: DEFAULT_DEV_API_KEY, logger: silentLogger() });
  });

  afterAll(async () => {
    await old?.close();
    await proxy?.close();
  });

  it('says plainly that parity checks and notifications are unavailable, and offers no "Check now"', async () => {
    const { page, context } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await page.goto(`${old.url}/strategies/ema`);
      expect(await page.locator('#parity-unavailable').innerText()).toBe('Parity checks unavailable: the API has no parity checks for this strategy (the API answered 404 Not Found).');
      expect(await page.locator('#parity-check-form').count()).toBe(0);
      // the rest of the page is there
      expect(await page.locator('[data-kpi="equity"]').innerText()).not.toBe('');
      await page.goto(`${old.url}/notifications`);
      expect(await page.locator('#notifications-unavailable').innerText()).toBe('Notifications unavailable: the API answered 404 Not Found.');
    } finally {
      await context.close();
    }
  });
});
