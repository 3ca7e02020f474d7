/**
 * Browser-test helpers: Debian's Chromium driven by playwright-core (never a downloaded browser),
 * console-error collection, screenshots under test-results/screenshots/, and condition waits.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '..', '..', '..', 'test-results', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** console errors and uncaught page errors seen so far */
  errors: string[];
}

export async function openPage(browser: Browser, opts: { width?: number; height?: number } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { page, context, errors };
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** Polls `fn` until it returns a truthy value or the deadline passes (then throws with `what`). */
export async function until<T>(what: string, fn: () => Promise<T> | T, deadlineMs = 20_000, everyMs = 50): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Counts canvases that have at least `minPixels` non-transparent pixels (i.e. something was drawn). */
export async function paintedCanvases(page: Page, selector = 'canvas', minPixels = 50): Promise<number> {
  return page.evaluate(
    ({ selector, minPixels }) => {
      let painted = 0;
      for (const c of Array.from(document.querySelectorAll<HTMLCanvasElement>(selector))) {
        if (c.width === 0 || c.height === 0) continue;
        const ctx = c.getContext('2d');
        if (!ctx) continue;
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0 && ++n >= minPixels) break;
        if (n >= minPixels) painted++;
      }
      return painted;
    },
    { selector, minPixels },
  );
}

/** True once the dashboard's relay is connected to the API's event stream (so an event now reaches browsers). */
export async function relayConnected(dashboardUrl: string): Promise<boolean> {
  const h = (await fetch(`${dashboardUrl}/healthz`).then((r) => r.json())) as { live: { mode: string; listeners: number }[] };
  return h.live.some((x) => x.mode === 'sse' && x.listeners > 0);
}

/** The lowest text/background contrast ratio among visible text on the page (WCAG formula), and where. */
export async function lowestContrast(page: Page): Promise<{ min: number; where: string }> {
  return page.evaluate(() => {
    const parse = (c: string): number[] => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = (rgb: number[]): number => {
      const [r, g, b] = rgb.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const bgOf = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3]! > 0.5)) return c;
      }
      return [255, 255, 255];
    };
    let min = Infinity;
    let where = '';
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      if (!(el instanceof HTMLElement) || el.closest('[hidden], .sr-only, .skip') || !el.offsetParent) continue;
      const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== '');
      if (!own) continue;
      el.classList.remove('flash');
      const fg = parse(getComputedStyle(el).color);
      const l1 = lum(fg);
      const l2 = lum(bgOf(el));
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      if (ratio < min) {
        min = ratio;
        where = `${el.tagName}.${el.className}: ${(el.textContent ?? '').trim().slice(0, 30)}`;
      }
    }
    return { min, where };
  });
}
