/**
 * JWT mode under `pnpm start` (scripts/start.ts, embedded): the dashboard has no service key of its
 * own there (the API refuses keys in JWT mode), so a person signs in with their key and every page
 * then loads on their own token.
 */
import { describe, expect, it } from 'vitest';
import { openPage, screenshot, until } from './support/browser.js';
import { embeddedSystemInBrowser } from './support/embedded-in-browser.js';

const USER_KEY = 'jwt-embedded-user-key-0123456789';

const embedded = embeddedSystemInBrowser({
    env: { API_AUTH_MODE: 'jwt', API_KEYS: `${USER_KEY}:read+control`, JWT_SECRET: 'f3b9c1e7a2d84b6f9e0c5a1d7b3e8f2c4a6d9b1e', SIM_SPEED: '60', SIM_HISTORY_MINUTES: '120' },
  });

describe('JWT mode under pnpm start (embedded)', () => {
  it('asks to sign in, accepts the user key, and every page then loads', async () => {
    // the API itself accepts only bearer tokens here
    expect((await fetch(`${embedded.sys.apiUrl}/api/v1/strategies/active`, { headers: { 'x-api-key': USER_KEY } })).status).toBe(401);
    const { page, context, errors } = await openPage(embedded.browser);
    try {
      await page.goto(embedded.sys.dashboardUrl + '/');
      await page.waitForURL(/\/login\?next=/);
      await page.fill('#apiKey', USER_KEY);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button:has-text("Sign in")')]);
      expect(await page.locator('h1').first().innerText()).not.toContain('Not allowed');
      await until('the demo strategies listed', async () => (await page.locator('tr[data-strategy-id]').count()) >= 1, 20_000);
      const id = await page.locator('tr[data-strategy-id]').first().getAttribute('data-strategy-id');
      for (const path of ['/', `/strategies/${id}`, '/trades', '/market', '/start']) {
        const res = await page.goto(embedded.sys.dashboardUrl + path);
        expect(res?.status(), path).toBe(200);
        expect(page.url(), path).not.toContain('/login');
        expect(await page.locator('body').innerText(), path).not.toMatch(/Not allowed|refused the request/);
      }
      await screenshot(page, 'jwt-embedded-start-page');
      expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
