/**
 * Runs the local Binance server on its own with faults on a schedule, for a manual run of the whole
 * system against it:
 *
 *   npx tsx packages/binance/src/testing/run-fake-binance.ts      # prints the URLs
 *   MARKET_DATA_SOURCE=binance BINANCE_WS_URL=ws://127.0.0.1:9443 BINANCE_REST_URL=http://127.0.0.1:9443 pnpm start
 *   curl localhost:8000/api/v1/market/feed   # reconnects, resyncs, backfills, circuit, transport
 *
 * FAKE_BINANCE_PORT (9443), FAKE_BINANCE_SPEED (×1 market time), FAKE_BINANCE_FAULT_EVERY_MS (20000),
 * SYMBOLS (BTCUSDT). Faults rotate: disconnect, depth gap, malformed frames, 429 + Retry-After on
 * klines, a 3 s stall.
 */
import { FakeBinanceServer } from './fake-binance-server.js';

const env = process.env;
const speed = Number(env['FAKE_BINANCE_SPEED'] ?? 1);
const tickMs = 50;
const server = await FakeBinanceServer.start({
  symbols: (env['SYMBOLS'] ?? 'BTCUSDT').split(',').map((s) => s.trim().toUpperCase()),
  seed: Number(env['SIM_SEED'] ?? 1),
  // market time continues from now, so candles line up with the wall clock at ×1
  startTime: Date.now(),
  tickMs,
  marketMsPerTick: tickMs * speed,
  serverPingMs: 20_000,
  port: Number(env['FAKE_BINANCE_PORT'] ?? 9443),
});
process.stdout.write(`local Binance: REST ${server.url}  WebSocket ${server.wsUrl}\n`);
const faults: Array<[string, () => void]> = [
  ['disconnect all clients', () => server.dropConnections()],
  ['withhold one depth diff (sequence gap)', () => server.withholdDepthDiffs(1)],
  ['send malformed frames', () => ['{oops', '{"stream":"x","data":{"e":"mystery"}}', '[]'].forEach((t) => server.sendRaw(t))],
  ['429 with Retry-After 2 on the next klines request', () => server.restFaults.push({ path: '/api/v3/klines', status: 429, retryAfterSec: 2 })],
  ['stall 3 s (no frames, no pongs)', () => {
    server.setStalled(true);
    setTimeout(() => server.setStalled(false), 3_000);
  }],
];
let n = 0;
setInterval(() => {
  const [name, run] = faults[n++ % faults.length]!;
  run();
  process.stdout.write(`${new Date().toISOString()} fault: ${name} (connections so far ${server.stats.connections})\n`);
}, Number(env['FAKE_BINANCE_FAULT_EVERY_MS'] ?? 20_000));
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
