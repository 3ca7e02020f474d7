import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FakeBinanceServer } from '@btc-research/binance/testing';
import { InProcessBus, JsonStrategyStore, createLogger, waitFor } from '@btc-research/platform';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApiApp } from '../../services/api-server/src/app.js';
import { CONTROL_KEY, devAuth } from '../../services/api-server/src/test-support/harness.js';
import { startPaperTrader, type PaperTrader } from '../../services/paper-trader/src/service.js';
import { testConfig } from '../../services/paper-trader/src/testing/test-config.js';
import { readStreamManagerConfig } from '../../services/stream-manager/src/config.js';
import { startStreamManager, type StreamManager } from '../../services/stream-manager/src/service.js';
import { uniqueSymbol } from './support.js';

const repoConfig = path.resolve(import.meta.dirname, '..', '..', 'config');
const logger = createLogger('test', { level: process.env['TEST_LOG'] ? 'info' : 'silent' });
const control = { 'x-api-key': CONTROL_KEY };

// The whole path of a start on Binance: api-server → commands → paper-trader and stream-manager
// (which asks the venue's exchangeInfo) → the start call's answer.
describe('the start call on the Binance feed', () => {
  let dir: string;
  let bus: InProcessBus;
  let store: JsonStrategyStore;
  let api: Awaited<ReturnType<typeof buildApiApp>>;
  let trader: PaperTrader;
  let sm: StreamManager;
  let server: FakeBinanceServer;
  let base: string;
  let extra: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'start-unlisted-'));
    await fs.mkdir(path.join(dir, 'config'));
    await fs.mkdir(path.join(dir, 'data'));
    bus = new InProcessBus({ logger, blockMs: 20 });
    store = new JsonStrategyStore({ dataDir: path.join(dir, 'data') });
    base = uniqueSymbol('A');
    extra = uniqueSymbol('L');
    server = await FakeBinanceServer.start({ symbols: [base, extra], seed: 11, startTime: Date.UTC(2024, 6, 1), tickMs: 10, marketMsPerTick: 1000 });
    trader = await startPaperTrader({ config: testConfig(dir), bus, store, logger });
    sm = await startStreamManager({ config: readStreamManagerConfig({ MARKET_DATA_SOURCE: 'binance', SYMBOLS: base, CONFIG_DIR: path.join(dir, 'config'), BINANCE_WS_URL: server.wsUrl, BINANCE_REST_URL: server.url, DATA_DIR: path.join(dir, 'sm'), SIM_HISTORY_MINUTES: '0' }), bus, logger });
    api = await buildApiApp({ bus, store, configDir: path.join(dir, 'config'), logger, auth: devAuth(), rateLimit: { max: 1_000, timeWindowMs: 60_000 }, cacheTtlMs: 0, collectDefaultMetrics: false });
    await api.ready();
    await waitFor(async () => (await api.inject({ method: 'GET', url: '/api/v1/market/feed', headers: control })).json().status?.source === 'binance', { timeoutMs: 15_000, what: 'the Binance feed status in the api-server' });
  });
  afterEach(async () => {
    await api.close();
    await sm.close();
    await trader.close();
    await server.close();
    await bus.close();
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const start = async (strategyId: string, symbol: string) => {
    const yaml = (await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8')).replace('symbol: "BTC/USDT"', `symbol: "${symbol.slice(0, -4)}/USDT"`);
    return api.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configYaml: yaml, strategyId, waitMs: 15_000 } });
  };

  it('answers 422 STRATEGY_START_FAILED with the exchangeInfo reason for a symbol the venue does not list (start and restart); 201 for a listed one', async () => {
    const unlisted = uniqueSymbol('X');
    const reason = `market data: ${unlisted} is not listed on BINANCE (exchangeInfo); the strategy cannot run there`;
    const refused = await start('on-unlisted', unlisted);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().error).toMatchObject({ code: 'STRATEGY_START_FAILED', message: `strategy "on-unlisted" could not start: ${reason}`, details: { strategyId: 'on-unlisted' } });
    expect(await store.getStrategy('on-unlisted')).toMatchObject({ status: 'error', error: reason });
    expect(trader.runners().has('on-unlisted')).toBe(false);
    // the start claim was settled: a restart is taken, and refused the same way
    const restart = await api.inject({ method: 'POST', url: '/api/v1/strategies/on-unlisted/restart', headers: control, payload: { waitMs: 15_000 } });
    expect(restart.statusCode, restart.body).toBe(422);
    expect(restart.json().error.message).toBe(`strategy "on-unlisted" could not restart: ${reason}`);

    const listed = await start('on-listed', extra);
    expect(listed.statusCode).toBe(201);
    expect(listed.json()).toMatchObject({ strategyId: 'on-listed', accepted: true });
    expect(sm.sources[0]?.status().symbols).toContain(extra);
  });
});
