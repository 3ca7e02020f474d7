import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { klineToCsvRow, parseRestKlines, retryDecision, type RestKline } from '@btc-research/binance';
import { backoffDelay } from '@btc-research/platform';
import type { CliIo } from '../cli-io.js';

const MINUTE = 60_000;
const ENDPOINTS: Record<string, string> = { binance: 'https://api.binance.com', binanceus: 'https://api.binance.us' };

const USAGE = `usage: btc-research download --symbol BTCUSDT --from 2024-01-01 [--to 2024-02-01] [--out FILE]
         [--venue binance|binanceus] [--rest-url URL] [--quiet]

Fetches 1m klines from Binance's REST API (/api/v3/klines, 1,000 per request) into the replay CSV
format (Binance's 12-column kline layout). --from is inclusive, --to exclusive (UTC dates, ISO times
or epoch ms; --to defaults to now). Resumable: an existing FILE is continued after its last
complete line. Waits out 429/418 Retry-After, retries 5xx, slows down near the weight limit.
`;

function parseTime(text: string, name: string): number {
  const n = Number(text);
  if (/^\d+$/.test(text) && Number.isSafeInteger(n)) return n;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new Error(`--${name} "${text}" is not a date (YYYY-MM-DD), ISO time or epoch ms`);
  return t;
}

interface DownloadOptions {
  symbol: string;
  from: number;
  to: number;
  out: string;
  restUrl: string;
  quiet: boolean;
}

/** The last complete line's open time; a torn last line (no newline) is cut off. */
async function resumePoint(file: string): Promise<number | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
  if (text.length > 0 && !text.endsWith('\n')) {
    const cut = text.lastIndexOf('\n') + 1;
    await fs.truncate(file, cut);
    text = text.slice(0, cut);
  }
  const lines = text.trimEnd().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const t = Number(lines[i]!.split(',')[0]);
    if (Number.isSafeInteger(t) && t > 0) return t;
  }
  return null;
}

class RestError extends Error {}

async function getJson(url: string, io: CliIo, state: { blockedUntil: number; waits: number }): Promise<unknown> {
  for (let attempt = 1; attempt <= 8; attempt++) {
    const wait = state.blockedUntil - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (attempt === 8) throw new RestError(`GET ${url}: ${e.cause?.code ?? e.message}`);
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, { baseMs: 500, maxMs: 10_000 })));
      continue;
    }
    const used = Number(res.headers.get('x-mbx-used-weight-1m'));
    if (Number.isFinite(used) && used > 5_000) state.blockedUntil = Math.max(state.blockedUntil, Math.ceil(Date.now() / MINUTE) * MINUTE); // near the 6,000/min limit: wait for the next minute
    if (res.ok) return res.json();
    const d = retryDecision(res.status, res.headers.get('retry-after'), attempt, { baseMs: 500, maxMs: 30_000 });
    const body = (await res.text().catch(() => '')).slice(0, 200);
    if (!d.retry || attempt === 8) throw new RestError(`GET ${url} → HTTP ${res.status} ${body}`);
    state.waits += 1;
    if (res.status === 429 || res.status === 418) {
      state.blockedUntil = Date.now() + d.delayMs;
      io.stderr.write(`\nrate limited (HTTP ${res.status}): waiting ${Math.ceil(d.delayMs / 1000)} s as Retry-After asks\n`);
    } else {
      await new Promise((r) => setTimeout(r, d.delayMs));
    }
  }
  throw new RestError(`GET ${url}: gave up`);
}

function progressBar(done: number, total: number, startedAt: number, startDone: number): string {
  const frac = total === 0 ? 1 : Math.min(1, done / total);
  const width = 30;
  const filled = Math.round(frac * width);
  const rate = (done - startDone) / Math.max(0.001, (Date.now() - startedAt) / 1000);
  const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1).padStart(5)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} candles, ETA ${eta} s`;
}

async function download(o: DownloadOptions, io: CliIo): Promise<{ written: number; skippedMinutes: number }> {
  const state = { blockedUntil: 0, waits: 0 };
  const serverTime = Number(((await getJson(`${o.restUrl}/api/v3/time`, io, state)) as { serverTime?: number }).serverTime ?? Date.now());
  const end = Math.min(o.to, Math.floor(serverTime / MINUTE) * MINUTE); // closed minutes only
  await fs.mkdir(path.dirname(o.out), { recursive: true });
  const last = await resumePoint(o.out);
  let cursor = Math.ceil(o.from / MINUTE) * MINUTE;
  if (last !== null && last + MINUTE > cursor) {
    cursor = last + MINUTE;
    io.stderr.write(`resuming ${o.out} after ${new Date(last).toISOString()}\n`);
  }
  const total = Math.max(0, (end - Math.ceil(o.from / MINUTE) * MINUTE) / MINUTE);
  const startDone = Math.max(0, (cursor - Math.ceil(o.from / MINUTE) * MINUTE) / MINUTE);
  const startedAt = Date.now();
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let lastPrintedDecile = -1;
  let written = 0;
  let skippedMinutes = 0;
  const report = (doneMinutes: number) => {
    if (o.quiet) return;
    const line = progressBar(doneMinutes, total, startedAt, startDone);
    if (tty) io.stderr.write(`\r${line}`);
    else {
      const decile = Math.floor((doneMinutes / Math.max(1, total)) * 10);
      if (decile !== lastPrintedDecile) {
        lastPrintedDecile = decile;
        io.stderr.write(`${line}\n`);
      }
    }
  };
  report(startDone);
  while (cursor < end) {
    const url = `${o.restUrl}/api/v3/klines?symbol=${o.symbol}&interval=1m&startTime=${cursor}&endTime=${end - 1}&limit=1000`;
    const rows: RestKline[] = parseRestKlines(await getJson(url, io, state)).filter((k) => k.openTime >= cursor && k.closeTime <= end);
    if (rows.length === 0) {
      // nothing for this window (exchange halt, or before the listing): skip it
      const next = Math.min(end, cursor + 1000 * MINUTE);
      skippedMinutes += (next - cursor) / MINUTE;
      cursor = next;
    } else {
      let text = '';
      for (const k of rows) {
        if (k.openTime > cursor) skippedMinutes += (k.openTime - cursor) / MINUTE;
        text += `${klineToCsvRow(k)}\n`;
        cursor = k.openTime + MINUTE;
      }
      await fs.appendFile(o.out, text); // whole lines per page: an interrupted run resumes after the last one
      written += rows.length;
    }
    report((cursor - Math.ceil(o.from / MINUTE) * MINUTE) / MINUTE);
  }
  if (!o.quiet && tty) io.stderr.write('\n');
  return { written, skippedMinutes };
}

/** `btc-research download`: 1m klines from Binance REST into the replay CSV format. */
export async function runDownloadCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        symbol: { type: 'string', default: 'BTCUSDT' },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        venue: { type: 'string', default: 'binance' },
        'rest-url': { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const v = parsed.values;
  const symbol = (v.symbol ?? 'BTCUSDT').toUpperCase();
  if (!/^[A-Z0-9]{2,20}$/.test(symbol) || v.from === undefined) {
    io.stderr.write(USAGE);
    return 2;
  }
  const venue = (v.venue ?? 'binance').toLowerCase().replace(/[^a-z]/g, '');
  const restUrl = v['rest-url'] ?? ENDPOINTS[venue];
  if (restUrl === undefined) {
    io.stderr.write(`--venue must be binance or binanceus, got "${v.venue}"\n`);
    return 2;
  }
  let from: number;
  let to: number;
  try {
    from = parseTime(v.from, 'from');
    to = v.to === undefined ? Date.now() : parseTime(v.to, 'to');
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  if (to <= from) {
    io.stderr.write('--to must be after --from\n');
    return 2;
  }
  const out = path.resolve(io.cwd, v.out ?? path.join('data', 'klines', `${symbol}-1m-${new Date(from).toISOString().slice(0, 10)}_${new Date(to).toISOString().slice(0, 10)}.csv`));
  try {
    const r = await download({ symbol, from, to, out, restUrl: restUrl.replace(/\/+$/, ''), quiet: v.quiet ?? false }, io);
    io.stdout.write(`${out}: ${r.written} candles written${r.skippedMinutes > 0 ? `, ${r.skippedMinutes} minutes the exchange has no candles for` : ''}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`\ndownload failed: ${(err as Error).message}\nrun the same command again to resume\n`);
    return 1;
  }
}
