import { it } from 'vitest';
import { startDashboard } from '../../services/dashboard/src/index.js';
import { silentLogger } from './support/logger.js';
import { launchBrowser, openPage } from './support/browser.js';
import { startSeededApi } from './support/real-api.js';
import { DEFAULT_DEV_API_KEY } from '../../services/api-server/src/index.js';

it('debug', async () => {
  const api = await startSeededApi();
  const dash = await startDashboard({ host: '127.0.0.1', port: 0, apiUrl: api.url, apiKey: DEFAULT_DEV_API_KEY, logger: silentLogger() });
  const browser = await launchBrowser();
  const r = await fetch(dash.url + '/strategies/demo-rsi/chart?timeframe=1m', { headers: { accept: 'application/json' } });
  const body = await r.text();
  console.log('CHART', r.status, body.slice(0, 600));
  const { page, errors } = await openPage(browser);
  page.on('console', (m) => console.log('CONSOLE', m.text()));
  await page.goto(dash.url + '/strategies/demo-rsi');
  await new Promise((res) => setTimeout(res, 3000));
  console.log('ERRORS', errors);
  console.log('DATASET', await page.evaluate(() => JSON.stringify((document.getElementById('price-chart') as HTMLElement).dataset)));
  await browser.close(); await dash.close(); await api.close();
}, 60_000);
