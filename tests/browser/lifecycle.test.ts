/**
 * A strategy's life in the embedded.browser, on the whole embedded system (simulated market → paper-trader →
 * api-server → dashboard): a pasted config keeps its name, a second start of it is offered as
 * "another copy" under a new id, both copies are told apart on the overview, a force exit closes the
 * open position through the paper-trader (reason `forced`, fills tagged entry/exit), Stop asks
 * first, and a stopped strategy can be restarted and removed.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, screenshot, until } from './support/browser.js';
import { embeddedSystemInBrowser } from './support/embedded-in-browser.js';

// enters long at its first decision and never exits by itself: a position to force out
const HOLDER_YAML = `version: "1.0"
name: "Holder"
description: "always long once warm"
symbol: "BTC/USDT"
exchange: "binance"
timeframes:
  entry: "1m"
indicators:
  - { id: "EMA_3", type: "EMA", timeframe: "1m", length: 3 }
logic:
  entry_long:
    - "EMA_3 > 0"
  exit_long:
    - "EMA_3 < 0"
backtest:
  cash: 10000
  commission: 0.001
  slippage: 0.0005
`;

const embedded = embeddedSystemInBrowser({ env: { SIM_SPEED: '60', SIM_HISTORY_MINUTES: '60' } });

async function apiStatus(id: string): Promise<{ status: number; body: { status?: string; name?: string } }> {
  const res = await fetch(`${embedded.sys.apiUrl}/api/v1/strategies/${id}/status`);
  return { status: res.status, body: (await res.json()) as { status?: string; name?: string } };
}

async function startFromYaml(page: Page, name: string): Promise<void> {
  await page.goto(embedded.sys.dashboardUrl + '/start');
  await page.fill('#yaml-name', name);
  await page.fill('#configYaml', HOLDER_YAML);
  await page.click('#start-yaml');
}

const idOf = (page: Page): string => decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);

describe('strategy lifecycle in the browser', () => {
  it('names uploads, offers another copy, force-exits, confirms stop, restarts and removes', async () => {
    const { page, context, errors } = await openPage(embedded.browser);
    try {
      // 1. a pasted config keeps the name given
      await startFromYaml(page, 'Holder one');
      await page.waitForURL(/\/strategies\/holder-one-[0-9a-f]{6}/, { timeout: 30_000 });
      const first = idOf(page);
      expect(await page.locator('h1').innerText()).toContain('Holder one');
      expect(await page.locator('main').innerText()).toContain('config holder-one.yaml');

      // 2. the same YAML again: refused with the running id, then started as another copy
      await startFromYaml(page, 'Holder one');
      await until('copy offer', async () => (await page.locator('#copy-offer').count()) === 1, 15_000);
      expect(await page.locator('#copy-offer').innerText()).toContain(first);
      await Promise.all([page.waitForURL(/\/strategies\/holder-one-copy-[0-9a-f]{6}/, { timeout: 30_000 }), page.click('#start-copy')]);
      const copy = idOf(page);
      expect(copy).not.toBe(first);

      // 3. the overview tells the two copies apart by id
      await until(
        'both copies listed',
        async () => {
          await page.goto(embedded.sys.dashboardUrl + '/');
          // the page as the server rendered it (a row added live for an unknown id shows the id as its name)
          const rows = await page.evaluate(() => Array.from(document.querySelectorAll('tr[data-strategy-id]')).map((tr) => [tr.querySelector('th a')?.textContent, tr.querySelector('[data-field="id"]')?.textContent]));
          return [first, copy].every((id) => rows.some(([name, shownId]) => name === 'Holder one' && shownId === id));
        },
        10_000,
        500,
      );
      await screenshot(page, 'lifecycle-overview-two-copies');

      // 4. force exit of the open position, asked first
      await until(
        'an open position with its Force exit button',
        async () => {
          await page.goto(`${embedded.sys.dashboardUrl}/strategies/${first}`);
          return (await page.locator('#force-exit').count()) === 1;
        },
        60_000,
        1_000,
      );
      expect(await page.locator('#trades tbody tr [data-role="entry"]').count()).toBeGreaterThan(0);
      page.once('dialog', (d) => void d.dismiss());
      await page.click('#force-exit');
      await page.waitForTimeout(300);
      expect(page.url()).not.toContain('forced=1');
      let question = '';
      page.once('dialog', (d) => {
        question = d.message();
        void d.accept();
      });
      await Promise.all([page.waitForURL(/forced=1/), page.click('#force-exit')]);
      expect(question).toMatch(/Close the open position of Holder one/);
      expect(await page.locator('#forced-notice').count()).toBe(1);
      await until(
        'the forced fill, tagged exit',
        async () => {
          await page.goto(`${embedded.sys.dashboardUrl}/strategies/${first}`);
          const forcedRow = page.locator('#trades tbody tr', { hasText: 'forced' });
          return (await forcedRow.count()) > 0 && (await forcedRow.first().locator('[data-role="exit"]').count()) === 1;
        },
        30_000,
        500,
      );
      await screenshot(page, 'lifecycle-forced-exit');

      // 5. stop asks first; a stopped strategy can be restarted
      page.once('dialog', (d) => void d.dismiss());
      await page.click('.actions .stop-form button');
      await page.waitForTimeout(300);
      expect((await apiStatus(first)).body.status).not.toBe('stopped');
      page.once('dialog', (d) => void d.accept());
      await page.click('.actions .stop-form button');
      await until('stopped', async () => (await apiStatus(first)).body.status === 'stopped', 15_000);
      await page.goto(`${embedded.sys.dashboardUrl}/strategies/${first}`);
      expect(await page.locator('#restart').count()).toBe(1);
      expect(await page.locator('#force-exit').count()).toBe(0);
      await page.click('#restart');
      await until('restarted', async () => ['warming-up', 'running'].includes((await apiStatus(first)).body.status ?? ''), 15_000);

      // 6. remove: stop the copy, remove it (asked first), gone from the overview and the API
      await page.goto(`${embedded.sys.dashboardUrl}/strategies/${copy}`);
      page.once('dialog', (d) => void d.accept());
      await page.click('.actions .stop-form button');
      await until('copy stopped', async () => (await apiStatus(copy)).body.status === 'stopped', 15_000);
      await page.goto(`${embedded.sys.dashboardUrl}/strategies/${copy}`);
      page.once('dialog', (d) => void d.dismiss());
      await page.click('#remove');
      await page.waitForTimeout(300);
      expect((await apiStatus(copy)).status).toBe(200);
      page.once('dialog', (d) => void d.accept());
      await Promise.all([page.waitForURL(/\/\?removed=/), page.click('#remove')]);
      expect(await page.locator('#removed-notice').innerText()).toContain(copy);
      expect(await page.locator(`tr[data-strategy-id="${copy}"]`).count()).toBe(0);
      expect((await apiStatus(copy)).status).toBe(404);
      // the refused second start is answered 409 (the page offering the copy)
      expect(errors.filter((e) => !e.includes('status of 409'))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);
});
