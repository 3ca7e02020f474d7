import { describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from '../../services/dashboard/src/index.js';
import { silentLogger } from './support/logger.js';
import { openPage, relayConnected, until } from './support/browser.js';
import { browserPerFile } from './support/browser-per-file.js';
import { JWT_USER_KEY, startSeededApi, type RealApi } from './support/real-api.js';
import { DEFAULT_DEV_API_KEY } from '../../services/api-server/src/index.js';

const shared = browserPerFile();

async function system(api: RealApi, apiKey?: string): Promise<RunningDashboard> {
  const dash = await startDashboard({ host: '127.0.0.1', port: 0, apiUrl: api.url, apiKey, logger: silentLogger() });
  shared.cleanups.push(() => api.close(), () => dash.close());
  return dash;
}

describe('auth', () => {
  it('asks for a login when the API runs with JWT, keeps the token in an HttpOnly cookie and goes live with it', async () => {
    const api = await startSeededApi({ mode: 'jwt' });
    const dash = await system(api);
    const { page, context, errors } = await openPage(shared.browser);
    try {
      await page.goto(dash.url + '/strategies/demo-rsi');
      await page.waitForURL(/\/login\?next=/);
      await page.fill('#apiKey', 'wrong-key-0000');
      await page.click('button:has-text("Sign in")');
      await until('rejection shown', async () => (await page.locator('#login-error').count()) === 1);
      expect(await page.locator('#login-error').innerText()).toContain('not accepted');
      await page.fill('#apiKey', JWT_USER_KEY);
      await Promise.all([page.waitForURL(/\/strategies\/demo-rsi$/), page.click('button:has-text("Sign in")')]);
      expect(await page.locator('h1').innerText()).toContain('RSI mean reversion');
      // the token is not readable by scripts and the key appears nowhere in the page
      expect(await page.evaluate(() => document.cookie)).toBe('');
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === 'btcdash_token')?.httpOnly).toBe(true);
      expect(await page.content()).not.toContain(JWT_USER_KEY);
      const token = cookies.find((c) => c.name === 'btcdash_token')!.value;
      expect(await page.content()).not.toContain(token);
      // live updates use the user's own token upstream
      await until('ws', () => page.evaluate(() => document.documentElement.dataset['liveTransport'] === 'ws'));
      // the API refuses its event stream without a token, so a relay in SSE mode proves it uses the user's
      await until('relay upstream on the user token', () => relayConnected(dash.url));
      await api.addFill('demo-rsi', { side: 'sell', price: '97777.00', quantity: '0.01' });
      await until('live fill', async () => (await page.locator('#trades tbody tr').first().innerText()).includes('97,777.00'));
      await page.click('button:has-text("Sign out")');
      await page.goto(dash.url + '/');
      await page.waitForURL(/\/login/);
      expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('uses the configured API key server-side in development: no login, key never reaches the browser', async () => {
    // reads closed too, so every page works only if the dashboard sends the key
    const api = await startSeededApi({ openReads: false });
    const anonymous = await fetch(`${api.url}/api/v1/strategies/active`);
    expect(anonymous.status).toBe(401);
    const dash = await system(api, DEFAULT_DEV_API_KEY);
    const { page, context, errors } = await openPage(shared.browser);
    try {
      const seen: string[] = [];
      page.on('response', async (r) => {
        const ct = r.headers()['content-type'] ?? '';
        if (/html|json|javascript|event-stream/.test(ct) && !ct.includes('event-stream')) seen.push(await r.text().catch(() => ''));
      });
      await page.goto(dash.url + '/');
      expect(await page.locator('tr[data-strategy-id]').count()).toBe(2);
      expect(await page.locator('a:has-text("Sign in")').count()).toBe(0);
      await until('ws', () => page.evaluate(() => document.documentElement.dataset['liveTransport'] === 'ws'));
      await page.goto(dash.url + '/strategies/demo-rsi');
      await until('responses seen', () => seen.length > 3);
      expect(seen.some((t) => t.includes(DEFAULT_DEV_API_KEY))).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('renews an expired access token with the refresh token instead of asking to sign in again', async () => {
    const api = await startSeededApi({ mode: 'jwt', accessTokenTtlS: 2 });
    const dash = await system(api);
    const { page, context, errors } = await openPage(shared.browser);
    try {
      await page.goto(dash.url + '/login?next=%2F');
      await page.fill('#apiKey', JWT_USER_KEY);
      await Promise.all([page.waitForURL(/\/$/), page.click('button:has-text("Sign in")')]);
      const first = (await context.cookies()).find((c) => c.name === 'btcdash_token')!.value;
      // wait until the API itself refuses the first token
      await until(
        'access token expired',
        async () => (await fetch(`${api.url}/api/v1/strategies/active`, { headers: { authorization: `Bearer ${decodeURIComponent(first)}` } })).status === 401,
        15_000,
        250,
      );
      await page.goto(dash.url + '/trades');
      expect(new URL(page.url()).pathname).toBe('/trades');
      expect(await page.locator('#trades tbody tr').count()).toBeGreaterThan(0);
      const second = (await context.cookies()).find((c) => c.name === 'btcdash_token')!.value;
      expect(second).not.toBe(first);
      expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
