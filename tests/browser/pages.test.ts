import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { makeLogger, startDashboard, type RunningDashboard } from '../../services/dashboard/src/index.js';
import { ApiDouble } from '../../services/dashboard/src/testing/api-double.js';
import { launchBrowser, openPage, paintedCanvases, screenshot, until } from './support/browser.js';

let browser: Browser;
let api: ApiDouble;
let dash: RunningDashboard;

beforeAll(async () => {
  api = new ApiDouble({ strategies: 2 });
  await api.start();
  // more trades than one page holds
  for (let i = 0; i < 12; i++) api.addFill('demo-rsi', { side: i % 2 === 0 ? 'buy' : 'sell', price: String(95000 + i * 10) + '.00', quantity: '0.01', time: 1_764_000_000_000 + (40 + i) * 60_000 }, false);
  dash = await startDashboard({ host: '127.0.0.1', port: 0, apiUrl: api.url, logger: makeLogger('silent') });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  await api?.close();
});

describe('strategy page', () => {
  it('draws candles, equity and drawdown, lists orders with fill quality and updates live', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(dash.url + '/strategies/demo-rsi');
      // lightweight-charts draws into its own canvases; chart.js into #equity-chart / #drawdown-chart
      await until('price chart painted', async () => (await paintedCanvases(page, '#price-chart canvas')) >= 1);
      await until('equity chart painted', async () => (await paintedCanvases(page, '#equity-chart')) === 1);
      await until('drawdown chart painted', async () => (await paintedCanvases(page, '#drawdown-chart')) === 1);
      const orders = page.locator('#orders tbody tr');
      expect(await orders.count()).toBeGreaterThan(0);
      expect(await orders.first().innerText()).toMatch(/4\.80/); // slippage bps
      expect(await page.locator('#stats').innerText()).toContain('Win rate');

      await until('live transport', () => page.evaluate(() => document.documentElement.dataset['liveTransport'] === 'ws'));
      await until('relay upstream', () => api.sseClientCount > 0);
      const rowsBefore = await page.locator('#trades tbody tr').count();
      api.addFill('demo-rsi', { side: 'buy', price: '95333.00', quantity: '0.03' });
      await until('trade row added', async () => (await page.locator('#trades tbody tr').first().innerText()).includes('95,333.00'));
      expect(await page.locator('#trades tbody tr').count()).toBe(Math.min(rowsBefore + 1, 50));
      await until('equity KPI updated', async () => (await page.locator('[data-kpi="equity"]').innerText()) !== '');
      await screenshot(page, 'strategy-desktop');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('stays readable at phone width', async () => {
    const { page, context, errors } = await openPage(browser, { width: 390, height: 844 });
    try {
      await page.goto(dash.url + '/strategies/demo-ema-cross');
      await until('price chart painted', async () => (await paintedCanvases(page, '#price-chart canvas')) >= 1);
      await until('equity chart painted', async () => (await paintedCanvases(page, '#equity-chart')) === 1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
      await screenshot(page, 'strategy-phone');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('trades page', () => {
  it('paginates, filters by side and downloads CSV', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      const total = api.strategies.get('demo-rsi')!.trades.length;
      expect(total).toBeGreaterThan(10);
      expect(total).toBeLessThan(25);
      await page.goto(dash.url + '/trades?strategy=demo-rsi&limit=25');
      expect(await page.locator('#trades tbody tr').count()).toBe(total);
      // one page of 10
      await page.goto(dash.url + '/trades?strategy=demo-rsi&limit=25');
      await page.evaluate(() => {
        const s = document.querySelector<HTMLSelectElement>('#f-limit')!;
        const o = document.createElement('option');
        o.value = '10';
        o.textContent = '10';
        s.appendChild(o);
        s.value = '10';
      });
      await page.click('button[type=submit]:has-text("Apply filters")');
      await page.waitForURL(/limit=10/);
      expect(await page.locator('#trades tbody tr').count()).toBe(10);
      const firstPage = await page.locator('#trades tbody tr').first().getAttribute('data-trade-id');
      await page.click('#older-link');
      await page.waitForURL(/cursor=/);
      expect(await page.locator('#trades tbody tr').count()).toBe(total - 10);
      expect(await page.locator('#trades tbody tr').first().getAttribute('data-trade-id')).not.toBe(firstPage);

      await page.goto(dash.url + '/trades?strategy=demo-rsi');
      await page.selectOption('#f-side', 'sell');
      await page.click('button:has-text("Apply filters")');
      await page.waitForURL(/side=sell/);
      const sides = await page.locator('#trades tbody .side').allInnerTexts();
      expect(sides.length).toBeGreaterThan(0);
      expect(new Set(sides)).toEqual(new Set(['SELL']));

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-link')]);
      const path = await download.path();
      const { readFile } = await import('node:fs/promises');
      const csv = await readFile(path, 'utf8');
      const lines = csv.trim().split('\n');
      expect(lines[0]).toContain('side');
      expect(lines.slice(1).every((l) => l.includes(',sell,'))).toBe(true);
      expect(lines.length - 1).toBe(sides.length);
      await screenshot(page, 'trades');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('start page', () => {
  it('shows validation problems at their lines, starts a config and stops it from the header', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(dash.url + '/start');
      expect(await page.locator('#start-config-form').innerText()).toContain('line 7:11: unknown indicator "FOO"');
      await page.fill('#configYaml', 'name: broken\nindicators:\n  - type: FOO\n    length: 14\n');
      await page.click('#validate-btn');
      const problem = page.locator('#yaml-problems li.problem');
      await until('problem shown', async () => (await problem.count()) === 1);
      expect(await problem.getAttribute('data-problem-line')).toBe('3');
      expect(await problem.innerText()).toContain('unknown indicator "FOO"');
      // the problem sits right below line 3 of the YAML
      expect(await page.locator('#yaml-problems li[data-line="3"] + li.problem').count()).toBe(1);
      expect(await page.getAttribute('#configYaml', 'aria-invalid')).toBe('true');
      await screenshot(page, 'start-validation');

      await page.fill('#configYaml', 'name: fixed\nindicators: []\n');
      await page.click('#validate-btn');
      await until('valid message', async () => (await page.locator('#yaml-valid').count()) === 1);

      await page.check('#cfg-0');
      await page.fill('#sid-1', 'from-browser');
      await Promise.all([page.waitForURL(/\/strategies\/from-browser$/), page.click('#start-config')]);
      expect(api.strategies.get('from-browser')?.status).toBe('running');
      expect(await page.locator('h1').innerText()).toContain('Started from-browser');

      // stop from the header menu on another page
      await page.goto(dash.url + '/market');
      await page.click('.stop-menu summary');
      await page.selectOption('#stop-any-id', 'from-browser');
      await Promise.all([page.waitForURL(/\/market$/), page.click('button:has-text("Stop strategy")')]);
      expect(api.strategies.get('from-browser')?.status).toBe('stopped');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the API problems inline when starting an invalid YAML without JavaScript help', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(dash.url + '/start');
      await page.fill('#configYaml', 'name: x\n  FOO: 1\n');
      await page.click('#start-yaml');
      await until('error page', async () => (await page.locator('#start-error').count()) === 1);
      expect(await page.locator('#yaml-problems li[data-line="2"] + li.problem').innerText()).toContain('unknown indicator');
      expect(errors.filter((e) => !e.includes('422'))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('market page', () => {
  it('draws the candles and shows price and spread', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(dash.url + '/market');
      await until('market chart painted', async () => (await paintedCanvases(page, '#market-chart canvas')) >= 1);
      expect(await page.locator('[data-tick="price"]').innerText()).toBe('95,010.50');
      expect(await page.locator('[data-tick="spread"]').innerText()).toContain('bps');
      expect(await page.locator('#recent-candles tbody tr').count()).toBe(15);
      await screenshot(page, 'market');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
