/**
 * Backtests from the browser on the whole embedded system: from a strategy's page, a backtest of its
 * own config over the market log the paper-trader recorded, run by the api-server in a process of its
 * own, followed until done; its report and the link to the reconciliation view of the same window.
 */
import { describe, expect, it } from 'vitest';
import { openPage, screenshot, until } from './support/browser.js';
import { embeddedSystemInBrowser } from './support/embedded-in-browser.js';

const embedded = embeddedSystemInBrowser({ env: { SIM_SPEED: '60', SIM_HISTORY_MINUTES: '600' } });

describe('backtests from the browser', () => {
  it("runs a backtest of a strategy's config over the market log and shows its report with a reconciliation link", async () => {
    const { page, context, errors } = await openPage(embedded.browser);
    try {
      await page.goto(`${embedded.sys.dashboardUrl}/strategies/demo-ema-cross`);
      await Promise.all([page.waitForURL(/\/backtests\?strategy=demo-ema-cross/), page.click('#backtest-this')]);
      expect(await page.locator('#backtest-form').innerText()).toContain('demo-ema-cross');
      await Promise.all([page.waitForURL(/\/backtests\/bt-[0-9a-f]{12}$/), page.click('#run-backtest')]);
      const id = new URL(page.url()).pathname.split('/').pop()!;
      await until(
        'the backtest done',
        async () => {
          await page.goto(`${embedded.sys.dashboardUrl}/backtests/${id}`);
          return (await page.getAttribute('#backtest-status', 'data-status')) === 'done';
        },
        60_000,
        500,
      );
      // the page shows the API's report, number for number
      const job = (await (await fetch(`${embedded.sys.apiUrl}/api/v1/backtests/${id}`)).json()) as { report: { statistics: { closedTrades: number }; period: { candles: number; dataFrom: number; dataTo: number } }; strategyId: string };
      expect(job.strategyId).toBe('demo-ema-cross');
      expect(job.report.period.candles).toBeGreaterThan(500);
      expect(await page.locator('[data-stat="closedTrades"]').innerText()).toBe(String(job.report.statistics.closedTrades));
      expect(await page.locator('[data-stat="candles"]').innerText()).toContain(`${job.report.period.candles} candles`);
      const rows = job.report.statistics.closedTrades === 0 ? await page.locator('#no-round-trips').count() : await page.locator('#round-trips tbody tr').count();
      expect(rows).toBe(job.report.statistics.closedTrades === 0 ? 1 : job.report.statistics.closedTrades);
      const link = await page.getAttribute('#reconcile-link', 'href');
      expect(link).toBe(`/strategies/demo-ema-cross/reconcile?from=${job.report.period.dataFrom}&to=${job.report.period.dataTo}`);
      await screenshot(page, 'backtest-report');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
