import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FakeBinanceServer } from '@btc-research/binance/testing';
import { parseKlineCsv } from '@btc-research/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/cli/src/cli.js';

const START = Date.UTC(2024, 0, 1);
const MINUTES = 2_500;
let server: FakeBinanceServer;
let dir: string;

beforeAll(async () => {
  server = await FakeBinanceServer.start({ symbols: ['BTCUSDT'], seed: 5, startTime: START, tradesPerMinute: 6, klines: false, autoStart: false });
  server.step(MINUTES * 60_000 + 30_000); // 2,500 closed minutes and half a running one
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'btc-download-'));
});
afterAll(async () => {
  await server.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, cwd: dir } };
}

const expectedRows = (from: number, to: number) =>
  server.market.klineRows('BTCUSDT', from, to - 1, 100_000).filter((r) => (r[0] as number) + 60_000 <= server.market.time).map((r) => [...r.slice(0, 11), 0].join(','));

describe('btc-research download against the local Binance server', () => {
  it('writes every closed 1m kline of the range in the replay format, paging 1,000 at a time, with a progress bar', async () => {
    const file = path.join(dir, 'all.csv');
    const { out, io: cliIo } = io();
    const code = await runCli(['download', '--symbol', 'BTCUSDT', '--from', new Date(START).toISOString(), '--to', String(START + 3_000 * 60_000), '--out', file, '--rest-url', server.url], cliIo);
    expect(code, out.stderr).toBe(0);
    const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toEqual(expectedRows(START, START + 3_000 * 60_000));
    expect(lines.length).toBe(MINUTES); // the running minute is not written
    expect(parseKlineCsv(lines.join('\n'))).toHaveLength(MINUTES);
    expect(out.stderr).toMatch(/\[#{30}\] 100\.0% 2,500\/2,500 candles/);
    expect(out.stdout).toContain('2500 candles written');
  });

  it('resumes after the last complete line (a torn line is cut) and never duplicates', async () => {
    const file = path.join(dir, 'resume.csv');
    const to = START + 2_000 * 60_000;
    const first = io();
    expect(await runCli(['download', '--from', String(START), '--to', String(START + 1_200 * 60_000), '--out', file, '--rest-url', server.url, '--quiet'], first.io)).toBe(0);
    await fs.appendFile(file, '1704067200000,42000.1,42'); // an interrupted write
    const second = io();
    expect(await runCli(['download', '--from', String(START), '--to', String(to), '--out', file, '--rest-url', server.url, '--quiet'], second.io)).toBe(0);
    expect(second.out.stderr).toContain('resuming');
    expect((await fs.readFile(file, 'utf8')).trimEnd().split('\n')).toEqual(expectedRows(START, to));
    expect(second.out.stdout).toContain('800 candles written');
  });

  it('waits out 429/418 Retry-After, retries 5xx, and fails cleanly (exit 1, resumable) when the API keeps failing', async () => {
    const file = path.join(dir, 'limits.csv');
    server.restFaults.push({ path: '/api/v3/klines', status: 429, retryAfterSec: 1 }, { path: '/api/v3/klines', status: 502 }, { path: '/api/v3/klines', status: 418, retryAfterSec: 1 });
    const { out, io: cliIo } = io();
    const started = Date.now();
    const code = await runCli(['download', '--from', String(START), '--to', String(START + 1_500 * 60_000), '--out', file, '--rest-url', server.url], cliIo);
    expect(code, out.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(out.stderr.match(/waiting 1 s as Retry-After asks/g)).toHaveLength(2);
    expect((await fs.readFile(file, 'utf8')).trimEnd().split('\n')).toEqual(expectedRows(START, START + 1_500 * 60_000));
    for (let i = 0; i < 10; i++) server.restFaults.push({ path: '/api/v3/klines', status: 400, body: '{"code":-1121,"msg":"Invalid symbol."}' });
    const bad = io();
    expect(await runCli(['download', '--from', String(START), '--to', String(START + 1_600 * 60_000), '--out', file, '--rest-url', server.url], bad.io)).toBe(1);
    expect(bad.out.stderr).toMatch(/HTTP 400.*Invalid symbol[\s\S]*resume/);
    server.restFaults.length = 0;
  });

  it('rejects bad arguments with usage (exit 2)', async () => {
    for (const args of [['download'], ['download', '--from', 'yesterday'], ['download', '--from', '2024-01-02', '--to', '2024-01-01'], ['download', '--from', '2024-01-01', '--venue', 'kraken']]) {
      const { out, io: cliIo } = io();
      expect(await runCli(args, cliIo), args.join(' ')).toBe(2);
      expect(out.stderr.length).toBeGreaterThan(0);
    }
  });
});
