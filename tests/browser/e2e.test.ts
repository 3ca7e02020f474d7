/**
 * End to end against the whole embedded system (scripts/start.ts): simulated BTCUSDT market →
 * paper-trader → api-server → dashboard → Chromium. Starts a strategy from the form, watches its
 * trades and equity arrive live, stops it.
 */
import { describe, expect, it } from 'vitest';
import { FAST_EMA_YAML as FAST_YAML } from '../../services/api-server/src/test-support/fixtures.js';
import { openPage, paintedCanvases, screenshot, until } from './support/browser.js';
import { embeddedSystemInBrowser } from './support/embedded-in-browser.js';

const embedded = embeddedSystemInBrowser({ env: { SIM_SPEED: '60', SIM_HISTORY_MINUTES: '240' } });

describe('dashboard on the embedded system', () => {
  it('shows the demo strategies trading on simulated data, labelled as such', async () => {
    const { page, context, errors } = await openPage(embedded.browser);
    try {
      await page.goto(embedded.sys.dashboardUrl + '/');
      await until('demo strategies listed', async () => (await page.locator('tr[data-strategy-id]').count()) >= 2, 30_000, 250);
      expect(await page.locator('[data-banner="simulated"]').innerText()).toContain('SIMULATED MARKET DATA');
      await until('live connection', () => page.evaluate(() => document.documentElement.dataset['liveTransport'] === 'ws'));
      // equity of some strategy changes while we watch (no reload)
      const equities = async (): Promise<string> => (await page.locator('[data-field="equity"]').allInnerTexts()).join('|');
      const before = await equities();
      await until('equity moves live', async () => (await equities()) !== before, 45_000, 200).catch((err: Error) => {
        throw new Error(`${err.message}\n${embedded.sys.output().slice(-3000)}`);
      });
      await screenshot(page, 'e2e-overview');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('starts a strategy from the form, shows its trades and equity live, and stops it', async () => {
    const { page, context, errors } = await openPage(embedded.browser);
    try {
      await page.goto(embedded.sys.dashboardUrl + '/start');
      await page.fill('#configYaml', FAST_YAML.replace('length: 5', 'length: FIVE'));
      await page.click('#validate-btn');
      await until('validation problem shown', async () => (await page.locator('#yaml-problems li.problem, #yaml-problems .general-problems li').count()) > 0, 15_000);
      await page.fill('#configYaml', FAST_YAML);
      await page.click('#validate-btn');
      await until('valid', async () => (await page.locator('#yaml-valid').count()) === 1, 15_000);
      await page.fill('#configYaml', FAST_YAML);
      // the YAML form has no id field: start, then follow the redirect to the new strategy's page
      await page.click('#start-yaml');
      await until('strategy page or an error', async () => /\/strategies\/[a-z0-9-]+$/.test(page.url()) || (await page.locator('#start-error, .error-box[role=alert]').count()) > 0, 30_000, 100);
      if (!/\/strategies\//.test(page.url())) throw new Error(`start refused: ${await page.locator('#start-error, .error-box[role=alert]').first().innerText()}\n${embedded.sys.output().slice(-3000)}`);
      const id = new URL(page.url()).pathname.split('/').pop()!;
      expect(await page.locator('h1').innerText()).toContain('E2E Fast EMA');
      await until('live connection', () => page.evaluate(() => document.documentElement.dataset['liveTransport'] === 'ws'));
      await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

      // trades and equity arrive without a reload
      await until('first trades', async () => (await page.locator('#trades tbody tr').count()) >= 2, 45_000, 250);
      const eq1 = await page.locator('[data-kpi="equity"]').innerText();
      await until('equity updates', async () => (await page.locator('[data-kpi="equity"]').innerText()) !== eq1, 30_000, 250);
      await until('price chart painted', async () => (await paintedCanvases(page, '#price-chart canvas')) >= 1);
      await until('equity chart painted', async () => (await paintedCanvases(page, '#equity-chart canvas')) >= 1, 15_000);
      expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
      await screenshot(page, 'e2e-strategy-live');

      // stop it from the page (the page asks first)
      page.once('dialog', (d) => void d.accept());
      await Promise.all([page.waitForURL(new RegExp(`/strategies/${id}$`)), page.click(`.actions .stop-form button`)]);
      await until('stopped', async () => (await page.locator('#status-badge').innerText()) === 'stopped', 20_000, 250);
      const api = await fetch(`${embedded.sys.apiUrl}/api/v1/strategies/${id}/status`).then((r) => r.json() as Promise<{ status: string; tradeCount: number }>);
      expect(api.status).toBe('stopped');
      expect(api.tradeCount).toBeGreaterThanOrEqual(2);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('stops a running strategy from the header of another page', async () => {
    const { page, context, errors } = await openPage(embedded.browser);
    try {
      await page.goto(embedded.sys.dashboardUrl + '/market');
      await until('market chart painted', async () => (await paintedCanvases(page, '#market-chart canvas')) >= 1, 15_000);
      await screenshot(page, 'e2e-market');
      await page.click('.stop-menu summary');
      await page.selectOption('#stop-any-id', 'demo-ema-cross');
      page.once('dialog', (d) => void d.accept());
      await Promise.all([page.waitForURL(/\/market$/), page.click('button:has-text("Stop strategy")')]);
      await until('stopped in the API', async () => ((await fetch(`${embedded.sys.apiUrl}/api/v1/strategies/demo-ema-cross/status`).then((r) => r.json())) as { status: string }).status === 'stopped', 20_000, 200);
      // the header menu no longer offers it once the stored status says stopped
      await until('gone from the Stop menu', async () => {
        await page.reload();
        return (await page.locator('#stop-any-id option[value="demo-ema-cross"]').count()) === 0;
      }, 15_000, 500);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
