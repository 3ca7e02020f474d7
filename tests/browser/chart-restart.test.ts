/**
 * After a restart of the whole embedded system (the in-process bus starts empty), the strategy
 * chart is rebuilt from stored history: candles, indicators and trade markers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, screenshot, until } from './support/browser.js';
import { startEmbedded, type EmbeddedSystem } from './support/embedded.js';

const ID = 'demo-ema-cross';
let browser: Browser | undefined;
const systems: EmbeddedSystem[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await browser?.close();
  for (const s of systems) await s.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}, 40_000);

const chartData = (page: Page): Promise<Record<string, string>> => page.evaluate(() => ({ ...(document.getElementById('price-chart') as HTMLElement).dataset }) as Record<string, string>);

async function chartOf(sys: EmbeddedSystem): Promise<{ bars: number; series: number; markers: number }> {
  const { page, context, errors } = await openPage(browser!);
  try {
    await page.goto(`${sys.dashboardUrl}/strategies/${ID}`);
    await until('chart loaded', async () => (await chartData(page))['ready'] === 'true', 30_000, 200);
    // 5m (the strategy's own timeframe): its EMAs have points and the page covers its trades
    await page.locator('#price-chart button[data-tf="5m"]').click();
    await until('5m chart', async () => (await chartData(page))['timeframe'] === '5m' && Number((await chartData(page))['markers']) > 0, 30_000, 200);
    const d = await chartData(page);
    const series = await page.locator('#price-chart input[data-series]').count();
    await screenshot(page, `chart-restart-${systems.length}`);
    expect(errors).toEqual([]);
    return { bars: Number(d['bars']), series, markers: Number(d['markers']) };
  } finally {
    await context.close();
  }
}

describe('strategy chart across a restart', () => {
  it('still has candles, indicators and markers after the services restart', async () => {
    const first = await startEmbedded({ env: { SIM_SPEED: '60', SIM_HISTORY_MINUTES: '240' }, keepDirs: true });
    systems.push(first);
    dirs.push(first.dataDir, first.configDir);
    browser = await launchBrowser();
    await until('demo trades', async () => ((await fetch(`${first.apiUrl}/api/v1/strategies/${ID}/status`).then((r) => (r.ok ? r.json() : { tradeCount: 0 }))) as { tradeCount: number }).tradeCount >= 2, 60_000, 500);
    const before = await chartOf(first);
    expect(before.bars).toBeGreaterThan(10);
    expect(before.series).toBeGreaterThanOrEqual(2); // EMA_9, EMA_21
    expect(await first.stop()).toBe(0);

    // no simulated history this time: what the chart shows of the first run can only come from storage
    const second = await startEmbedded({ env: { SIM_SPEED: '60', SIM_HISTORY_MINUTES: '0' }, reuse: { dataDir: first.dataDir, configDir: first.configDir }, keepDirs: true });
    systems.push(second);
    const after = await chartOf(second);
    // everything the chart had is rebuilt from the stored market log and trades (the bus began empty)
    expect(after.bars).toBeGreaterThanOrEqual(before.bars);
    expect(after.series).toBe(before.series);
    expect(after.markers).toBeGreaterThanOrEqual(before.markers);
  }, 180_000);
});
