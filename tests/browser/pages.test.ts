import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { RunningDashboard } from '../../services/dashboard/src/index.js';
import { lowestContrast, openPage, paintedCanvases, relayConnected, screenshot, until } from './support/browser.js';
import { closeInOrder, openDashboardInBrowser } from './support/dashboard-in-browser.js';
import { startSeededApi, type RealApi } from './support/real-api.js';

let browser: Browser;
let api: RealApi;
let dash: RunningDashboard;

async function tradeCount(id: string): Promise<number> {
  const s = (await fetch(`${api.url}/api/v1/strategies/${id}/status`).then((r) => r.json())) as { tradeCount: number };
  return s.tradeCount;
}

beforeAll(async () => {
  // demo-rsi has 14 trades: more than one page of 10
  api = await startSeededApi();
  // as scripts/start.ts does in development: the dashboard holds the API key, browsers never see it
  ({ dash, browser } = await openDashboardInBrowser(api.url));
});

afterAll(async () => {
  await closeInOrder(browser, dash, api);
});

describe('strategy page', () => {
  it('draws candles, equity and drawdown, lists orders with fill quality and updates live', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(dash.url + '/strategies/demo-rsi');
      // lightweight-charts draws every chart (price, equity, drawdown) into canvases of its own
      await until('price chart painted', async () => (await paintedCanvases(page, '#price-chart canvas')) >= 1);
      await until('equity chart painted', async () => (await paintedCanvases(page, '#equity-chart canvas')) >= 1);
      await until('drawdown chart painted', async () => (await paintedCanvases(page, '#drawdown-chart canvas')) >= 1);
      // one order per fill, newest first, with its VWAP (fill-quality fields the engine does not report show as —)
      const orders = page.locator('#orders tbody tr');
      expect(await orders.count()).toBe(await tradeCount('demo-rsi'));
      const first = await orders.first().innerText();
      expect(first).toContain('94,981.00'); // VWAP of the newest fill
      expect(first).toMatch(/0\.05\d*/); // its slippage in bps
      expect(first).toContain('75'); // latency ms
      expect(await page.locator('#stats').innerText()).toContain('Win rate');
      expect(await page.locator('#stats').innerText()).toContain('28.57 %');

      await until('live transport', () => page.evaluate(() => document.documentElement.dataset['liveTransport'] === 'ws'));
      await until('relay upstream', () => relayConnected(dash.url));
      const rowsBefore = await page.locator('#trades tbody tr').count();
      const eqBefore = await page.locator('[data-kpi="equity"]').innerText();
      await api.addFill('demo-rsi', { side: 'buy', price: '95333.00', quantity: '0.03' });
      await until('trade row added', async () => (await page.locator('#trades tbody tr').first().innerText()).includes('95,333.00'));
      // each fill says where its price came from: the live one from the book, seeded ones from the book or the candle model
      expect(await page.locator('#trades tbody tr').first().locator('.fill-book').innerText()).toBe('book');
      expect(await page.locator('#trades tbody tr').first().innerText()).toContain('book-walk');
      expect(await page.locator('#trades tbody .fill-modelled').count()).toBeGreaterThan(0);
      expect(await page.locator('#trades tbody .fill-modelled').first().getAttribute('title')).toBe('priced by a model (no fresh book): candle-open');
      expect(await page.locator('#trades tbody tr').count()).toBe(Math.min(rowsBefore + 1, 50));
      await until('equity KPI updated', async () => (await page.locator('[data-kpi="equity"]').innerText()) !== eqBefore);
      // statistics, positions and orders are re-rendered after the fill
      await until('orders panel refreshed', async () => (await page.locator('#orders tbody tr').first().innerText()).includes('95,333.00'));
      await until('trade count updated', async () => (await page.locator('[data-kpi="tradeCount"]').innerText()) === String(rowsBefore + 1));
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
      await until('equity chart painted', async () => (await paintedCanvases(page, '#equity-chart canvas')) >= 1);
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
      const total = await tradeCount('demo-rsi');
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

      // time range, entered in UTC: trades at 12:05 … 12:09 (to is exclusive)
      await page.goto(dash.url + '/trades?strategy=demo-rsi');
      await page.fill('#f-from', '2026-01-05T12:05');
      await page.fill('#f-to', '2026-01-05T12:10');
      await page.click('button:has-text("Apply filters")');
      await page.waitForURL(/from=/);
      const times = await page.locator('#trades tbody time').allInnerTexts();
      expect(times).toEqual(['2026-01-05 12:09:00Z', '2026-01-05 12:08:00Z', '2026-01-05 12:07:00Z', '2026-01-05 12:06:00Z', '2026-01-05 12:05:00Z']);

      await page.goto(dash.url + '/trades?strategy=demo-rsi&side=sell');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-link')]);
      const path = await download.path();
      const { readFile } = await import('node:fs/promises');
      const csv = await readFile(path, 'utf8');
      const lines = csv.trim().split('\n');
      expect(lines[0]).toContain('side');
      const sideCol = lines[0]!.split(',').indexOf('side');
      expect(lines.slice(1).every((l) => l.split(',')[sideCol] === 'sell')).toBe(true);
      expect(lines.length - 1).toBe(sides.length);
      await screenshot(page, 'trades');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('start page', () => {
  it('lists the configs with their problems and shows validation problems under their lines', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(dash.url + '/start');
      const form = page.locator('#start-config-form');
      expect(await form.innerText()).toContain('demo-ema-cross.yaml');
      // broken.yaml: the API reports the unknown indicator type at line 10
      const broken = page.locator('.config-choice', { hasText: 'broken.yaml' });
      expect(await broken.innerText()).toContain('invalid');
      expect(await broken.innerText()).toMatch(/line 10/);

      await page.fill('#configYaml', 'version: "1.0"\nname: "x"\nsymbol: "BTC/USDT"\ntimeframes:\n  entry: "5m"\nindicators:\n  - id: "EMA_9"\n    type: "NOPE"\n    timeframe: "5m"\nlogic:\n  entry_long: ["EMA_9 > 0"]\n');
      await page.click('#validate-btn');
      await until('problems shown', async () => (await page.locator('#yaml-problems li.problem').count()) > 0);
      const atLine8 = page.locator('#yaml-problems li[data-line="8"] + li.problem');
      expect(await atLine8.count()).toBe(1);
      expect(await atLine8.innerText()).toMatch(/^Line 8/);
      expect(await page.getAttribute('#configYaml', 'aria-invalid')).toBe('true');
      await screenshot(page, 'start-validation');

      const demo = await fetch(`${api.url}/api/v1/configs/available`).then((r) => r.json() as Promise<{ items: { configName: string }[] }>);
      expect(demo.items.length).toBe(3);
      const { readFile } = await import('node:fs/promises');
      await page.fill('#configYaml', await readFile(new URL('../../config/demo-ema-cross.yaml', import.meta.url), 'utf8'));
      await page.click('#validate-btn');
      await until('valid message', async () => (await page.locator('#yaml-valid').count()) === 1);
      expect(await page.locator('#yaml-valid').innerText()).toContain('Demo EMA Cross');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the API problems inline when a start is refused, without JavaScript help', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(dash.url + '/start');
      await page.fill('#configYaml', 'version: "1.0"\nname: "x"\nsymbol: "BTC/USDT"\n');
      await page.click('#start-yaml');
      await until('error page', async () => (await page.locator('#start-error').count()) === 1);
      expect(await page.locator('#start-error').innerText()).toContain('problem');
      expect(await page.locator('#yaml-problems .general-problems li, #yaml-problems li.problem').count()).toBeGreaterThan(0);
      expect(await page.inputValue('#configYaml')).toContain('name: "x"');
      expect(errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
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
      const md = (await fetch(`${api.url}/api/v1/market/data/BTCUSDT?timeframes=1m&limit=1`).then((r) => r.json())) as { lastPrice: string };
      expect(await page.locator('[data-tick="price"]').innerText()).toBe(Number(md.lastPrice).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
      expect(await page.locator('[data-tick="spread"]').innerText()).toContain('bps');
      expect(await page.locator('#recent-candles tbody tr').count()).toBe(15);
      await screenshot(page, 'market');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('every page', () => {
  it('opens without console errors and stays readable at phone width', async () => {
    const { page, context, errors } = await openPage(browser, { width: 390, height: 844 });
    try {
      for (const path of ['/', '/strategies/demo-rsi', '/trades?strategy=demo-rsi', '/start', '/market', '/notifications', '/login']) {
        const res = await page.goto(dash.url + path);
        expect(res?.status(), path).toBe(200);
        expect(await page.locator('h1').count(), path).toBe(1);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(1);
        const worst = await lowestContrast(page);
        expect(worst.min, `${path}: ${worst.where}`).toBeGreaterThanOrEqual(4.5);
        const name = path === '/' ? 'overview' : path.slice(1).split(/[/?]/)[0];
        if (path !== '/' && path !== '/strategies/demo-rsi') await screenshot(page, `phone-${name}`);
      }
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the Stop menu works from the keyboard alone', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(dash.url + '/trades');
      await page.locator('.stop-menu summary').focus();
      await page.keyboard.press('Enter');
      expect(await page.locator('.stop-menu').getAttribute('open')).not.toBeNull();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('stop-any-id');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Stop strategy');
      // focus is visible: the outline is drawn
      expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
