/**
 * What every page looks like to a viewer: the portfolio card and daily profit on the overview, the
 * theme switch (and the system's dark mode), times in UTC or local time, lag in human units, no page
 * that scrolls sideways at phone width, and a screenshot of every page at desktop and phone width.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ActiveStrategiesResponse } from '@btc-research/contracts';
import { createNotificationChannels, readNotificationSettings } from '@btc-research/platform';
import type { RunningDashboard } from '../../services/dashboard/src/index.js';
import { openPage, screenshot, until } from './support/browser.js';
import { closeInOrder, openDashboardInBrowser } from './support/dashboard-in-browser.js';
import { startSeededApi, T0, type RealApi } from './support/real-api.js';

let browser: Browser;
let api: RealApi;
let dash: RunningDashboard;

/** every page a user can reach from the header, a strategy page, sign-in and a missing page */
const PAGES: { name: string; path: string }[] = [
  { name: 'overview', path: '/' },
  { name: 'trades', path: '/trades' },
  { name: 'start', path: '/start' },
  { name: 'market', path: '/market' },
  { name: 'strategy', path: '/strategies/demo-rsi' },
  { name: 'reconcile', path: '/strategies/demo-rsi/reconcile' },
  { name: 'backtests', path: '/backtests' },
  { name: 'notifications', path: '/notifications' },
  { name: 'login', path: '/login' },
  { name: 'not-found', path: '/no-such-page' },
];

beforeAll(async () => {
  // notification channels with long destinations and a delivery with a long error: the notifications page at its widest
  const channels = readNotificationSettings({
    NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/services/btc-research/alerts/path-secret-0123456789abcdef',
    NOTIFY_WEBHOOK_SECRET: 'hmac-secret',
    TELEGRAM_BOT_TOKEN: '123456789:telegram-token-abcdefghijklmnopqrstuvwxyz',
    TELEGRAM_CHAT_ID: '-1001234567890',
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T00000000/B00000000/slack-secret-xxxxxxxxxxxxxxxx',
  });
  api = await startSeededApi({ notificationChannels: createNotificationChannels(channels).map((c) => c.describe()) });
  const event = { id: 'status:demo-rsi:1:errored', type: 'strategy.errored' as const, time: T0, strategyId: 'demo-rsi', text: 'strategy stopped with an error: a very long explanation of what went wrong with the candle feed at 12:00', data: { error: 'corrupt candle' } };
  await api.store.outbox.enqueue([{ event, channels: ['webhook', 'telegram', 'slack'] }], T0 + 500);
  await api.store.outbox.claim({ channel: 'slack', owner: 't', now: T0 + 1_000, limit: 1, leaseMs: 1_000 });
  await api.store.outbox.settle(event.id, 'slack', 't', { status: 'retry', error: 'HTTP 429: rate limited; retry_after=30 https://hooks.slack.com/services/T00000000/B00000000/***', retryAt: T0 + 30_000 });
  await api.setFeed({ lagMs: 56_391 });
  ({ dash, browser } = await openDashboardInBrowser(api.url));
});

afterAll(async () => {
  await closeInOrder(browser, dash, api);
});

function backgroundOf(page: Page): Promise<string> {
  return page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
}

/** relative luminance-ish: the mean of the RGB channels of "rgb(r, g, b)" */
function brightness(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
  return ((r ?? 0) + (g ?? 0) + (b ?? 0)) / 3;
}

describe('overview', () => {
  it('shows the portfolio total and a daily profit table that add up to the strategies', async () => {
    const strategies = ActiveStrategiesResponse.parse(await (await fetch(`${api.url}/api/v1/strategies/active`)).json()).items;
    const totalPnl = strategies.reduce((sum, s) => sum + Number(s.pnl), 0);
    const totalEquity = strategies.reduce((sum, s) => sum + Number(s.equity), 0);
    const { page, context, errors } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await page.goto(dash.url + '/');
      const money = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      expect(await page.locator('[data-total="equity"]').innerText()).toBe(money(totalEquity));
      expect(await page.locator('[data-total="pnl"]').innerText()).toContain(money(Math.abs(totalPnl)));
      expect(await page.locator('[data-total="strategies"]').innerText()).toBe(`${strategies.length} (${strategies.length} live)`);
      // all seeded equity is on T0's day: that day's profit is the whole PnL, and it is not over
      const day = new Date(T0).toISOString().slice(0, 10);
      const row = page.locator(`#daily-profit tr[data-day="${day}"]`);
      expect(await row.innerText()).toContain(`${day} (so far)`);
      expect(await row.innerText()).toContain(money(Math.abs(totalPnl)));
      // the same days drawn as bars (chart.js), oldest first, each bar the table's figure
      const rows = await page.locator('#daily-profit tbody tr').evaluateAll((trs) => trs.map((tr) => ({ day: (tr as HTMLElement).dataset['day'], pnl: Number((tr as HTMLElement).dataset['pnl']) })).reverse());
      const bars = await page.evaluate(() => {
        const chart = (window as unknown as { Chart: { getChart(c: Element | null): { data: { labels: string[]; datasets: { data: number[] }[] } } | undefined } }).Chart.getChart(document.getElementById('daily-profit-chart'));
        return chart ? { labels: chart.data.labels, values: chart.data.datasets[0]!.data } : null;
      });
      expect(bars?.values).toEqual(rows.map((r) => r.pnl));
      expect(bars?.labels.at(-1)).toBe(`${day} (so far)`);
      expect(bars?.values.at(-1)).toBeCloseTo(totalPnl, 6);
      // the feed's lag in human units, not "56391 ms"
      expect(await page.locator('[data-feed="lag"]').innerText()).toBe('56 s');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('strategy statistics', () => {
  it('shows round trips whose net PnL decides winners, and no annualised ratio from a few hours', async () => {
    const { page, context, errors } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await page.goto(dash.url + '/strategies/demo-rsi');
      const rows = page.locator('#round-trips tbody tr');
      const count = await rows.count();
      expect(count).toBeGreaterThan(0);
      const number = (text: string) => Number(text.replace(/[,+\s%]/g, ''));
      let winners = 0;
      for (let i = 0; i < count; i++) {
        const cell = (label: string) => rows.nth(i).locator(`[data-label="${label}"]`).innerText();
        const [gross, fees, net] = [number(await cell('Gross PnL')), number(await cell('Fees')), number(await cell('Net PnL'))];
        expect(net).toBeCloseTo(gross - fees, 2);
        if (net > 0) winners += 1;
      }
      const stat = async (label: string) => page.locator('#stats div', { hasText: label }).first().locator('dd').innerText();
      expect(Number(await stat('Winners'))).toBe(winners);
      expect(Number(await stat('Closed trades'))).toBe(count);
      for (const ratio of ['Sharpe', 'Sortino', 'Calmar']) expect(await stat(ratio)).toMatch(/^—/);
      expect(await page.locator('#stats-note').innerText()).toContain('need 30 daily returns, there is 1');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('theme and time zone', () => {
  it('follows the system’s dark mode, and the header switch overrides it across pages', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    try {
      const page = await context.newPage();
      await page.goto(dash.url + '/');
      expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('auto');
      expect(brightness(await backgroundOf(page))).toBeLessThan(60);
      await screenshot(page, 'overview-dark-desktop');
      // the entry/exit tags on the last trades stay readable on the dark theme (they were light chips with light text)
      const tags = await page.locator('.last-trades .role').evaluateAll((els) => els.map((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]));
      expect(tags.length).toBeGreaterThan(0);
      for (const [color, background] of tags) expect(Math.abs(brightness(color!) - brightness(background!)), `${color} on ${background}`).toBeGreaterThan(100);
      // auto → dark → light: light wins over the system's dark, also on the next page
      await page.click('#theme-toggle');
      expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
      await page.click('#theme-toggle');
      expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('light');
      expect(brightness(await backgroundOf(page))).toBeGreaterThan(200);
      await page.goto(dash.url + '/trades');
      expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('light');
      expect(brightness(await backgroundOf(page))).toBeGreaterThan(200);
    } finally {
      await context.close();
    }
  });

  it('shows times in UTC until the viewer switches to local time, then in their zone', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'America/New_York' });
    try {
      const page = await context.newPage();
      await page.goto(dash.url + '/strategies/demo-rsi');
      const firstTime = page.locator('#trades tbody time').first();
      const iso = await firstTime.getAttribute('datetime');
      const utcText = await firstTime.innerText();
      expect(utcText).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
      await Promise.all([page.waitForEvent('load'), page.click('#time-toggle')]);
      await until('times re-rendered in local time', async () => (await page.locator('#time-toggle').innerText()).includes('local'));
      const localText = await page.locator('#trades tbody time').first().innerText();
      // the same instant, five hours earlier on the wall clock in New York in January
      const expected = new Date(Date.parse(iso!) - 5 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
      // the zone's short name as the browser's ICU writes it in Swedish-style dates: EST or GMT−5
      expect(localText).toMatch(new RegExp(`^${expected} (EST|GMT[−-]5)$`));
      expect(await page.locator('#trades tbody time').first().getAttribute('datetime')).toBe(iso);
      // and back
      await Promise.all([page.waitForEvent('load'), page.click('#time-toggle')]);
      expect(await page.locator('#trades tbody time').first().innerText()).toBe(utcText);
    } finally {
      await context.close();
    }
  });
});

describe('every page', () => {
  it.each(PAGES)('$name does not scroll sideways at 390 px, and is captured at desktop and phone width', async ({ name, path }) => {
    for (const [width, height, label] of [
      [1440, 900, 'desktop'],
      [390, 844, 'phone'],
    ] as const) {
      const { page, context, errors } = await openPage(browser, { width, height });
      try {
        await page.goto(dash.url + path);
        await page.waitForLoadState('networkidle').catch(() => undefined);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        // name the elements that stick out, so a failure says where to look
        const wide = await page.evaluate(() =>
          [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && getComputedStyle(el).position !== 'absolute')
            .slice(-3)
            .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''}`),
        );
        expect(overflow, `${path} at ${width} px scrolls sideways by ${overflow} px (${wide.join(', ')})`).toBeLessThanOrEqual(1);
        // nor does any text run out of its card (a box that hides or scrolls its overflow would not
        // scroll the page); at phone width tables are cards, so their text counts too
        const cut = await page.evaluate((phone) => {
          const found: string[] = [];
          const walker = document.createTreeWalker(document.querySelector('main') ?? document.body, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const el = node.parentElement;
            if (!el || (node.textContent ?? '').trim() === '' || el.closest(phone ? '.chart-box, .yaml-view, .sr-only, thead' : '.table-wrap, .chart-box, .yaml-view, .sr-only, thead') !== null) continue;
            const box = (el.closest('.card') ?? el.closest('main') ?? document.body).getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(node);
            const r = range.getBoundingClientRect();
            if (r.width > 0 && r.right > Math.min(box.right, window.innerWidth) + 1) found.push(`${el.tagName.toLowerCase()}: ${(node.textContent ?? '').trim().slice(0, 40)}`);
          }
          return found;
        }, label === 'phone');
        expect(cut, `${path} at ${width} px cuts off text`).toEqual([]);
        await screenshot(page, `page-${name}-${label}`);
        expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
      } finally {
        await context.close();
      }
    }
  });
});
