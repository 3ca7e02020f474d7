import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandResultResponse, MessageType, StreamRetention, Streams, isMessage, makeEnvelope, type Envelope, type StrategyStatusValue } from '@btc-research/contracts';
import { waitFor, type StrategyStore, type Subscription } from '@btc-research/platform';
import { CONTROL_KEY, READ_KEY, createHarness, feedStatus, flushRedisDb, publishFeed, publishStatus, redisUrlFor, RedisDb, strategyRecord, type Harness } from '../../test-support/harness.js';
import { INVALID_YAML, VALID_YAML } from '../../test-support/fixtures.js';

const REDIS_URL = redisUrlFor(RedisDb.commands);
let h: Harness;
let responder: Subscription;
const commands: Envelope[] = [];
/** the store a strategy id lives in, for harnesses other than `h` that share its bus */
const stores = new Map<string, StrategyStore>();

/**
 * Plays the paper-trader's side of the command protocol over the real bus: reads exec:cmd with a
 * consumer group and answers with strategy.status.changed (causationId = the command id). Ids
 * starting with "silent-" get no answer, "fail-" an error status; a stop with an error (the
 * stream-manager's, for a symbol the venue does not list) ends in `error`.
 */
function startResponder(): Subscription {
  return h.bus.consume({ streams: [Streams.commands()], group: 'test-paper-trader', consumer: 'c1', startAt: '0' }, async (entries) => {
    for (const { envelope } of entries) {
      commands.push(envelope);
      const payload = envelope.payload as { strategyId: string };
      if (payload.strategyId.startsWith('silent-')) continue;
      // like the paper-trader: the record first, then the status event
      const answer = async (status: StrategyStatusValue, error?: string) => {
        const store = stores.get(payload.strategyId) ?? h.store;
        const existing = await store.getStrategy(payload.strategyId);
        await store.upsertStrategy({ ...(existing ?? strategyRecord(payload.strategyId)), status, error: error ?? null });
        await publishStatus(h.bus, payload.strategyId, status, { causationId: envelope.id, ...(error ? { error } : {}) });
      };
      if (isMessage(envelope, MessageType.strategyStart)) {
        if (payload.strategyId.startsWith('fail-')) await answer('error', 'no market data for BTCUSDT');
        else await answer('warming-up');
      } else if (isMessage(envelope, MessageType.strategyStop)) {
        if (envelope.payload.error !== undefined) await answer('error', envelope.payload.error);
        else await answer('stopped');
      }
    }
  });
}

beforeAll(async () => {
  await flushRedisDb(REDIS_URL);
  h = await createHarness(REDIS_URL);
  await writeFile(join(h.configDir, 'demo.yaml'), VALID_YAML);
  await writeFile(join(h.configDir, 'broken.yaml'), INVALID_YAML);
  responder = startResponder();
});
afterAll(async () => {
  await responder.stop();
  await h.close();
});

const control = { 'x-api-key': CONTROL_KEY };

describe('POST /api/v1/strategies/start', () => {
  it('starts from a config name: publishes strategy.start and returns 201 once the paper-trader confirms', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configName: 'demo.yaml', initialCash: '5000', waitMs: 10_000 } });
    expect(res.statusCode).toBe(201);
    const body = CommandResultResponse.parse(res.json());
    expect(body.strategyId).toMatch(/^demo-[0-9a-f]{6}$/);
    expect(body).toMatchObject({ accepted: true, status: 'warming-up', statusUrl: `/api/v1/strategies/${body.strategyId}/status` });
    expect(res.headers['location']).toBe(body.statusUrl);
    const cmd = commands.find((c) => c.id === body.commandId);
    expect(cmd).toMatchObject({ type: 'strategy.start', source: 'api-server', correlationId: res.headers['x-request-id'] });
    expect(cmd?.payload).toEqual({ strategyId: body.strategyId, configName: 'demo.yaml', configYaml: VALID_YAML, initialCash: '5000' });
  });

  it('starts from YAML in the body with a chosen id', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configYaml: VALID_YAML, strategyId: 'from-body', waitMs: 10_000 } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ strategyId: 'from-body', accepted: true });
  });

  it('answers 202 with a way to follow when the paper-trader does not confirm in time', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configName: 'demo.yaml', strategyId: 'silent-one', waitMs: 200 } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ strategyId: 'silent-one', accepted: false, status: null, eventsUrl: '/api/v1/events?strategyId=silent-one&types=status' });
  });

  it('answers 422 STRATEGY_START_FAILED when the paper-trader reports an error', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configName: 'demo.yaml', strategyId: 'fail-one', waitMs: 10_000 } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'STRATEGY_START_FAILED', details: { strategyId: 'fail-one' } });
    expect(res.json().error.message).toContain('no market data');
  });

  it('refuses an invalid config with every problem (422), an unknown config (404) and a running id (409)', async () => {
    const invalid = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configName: 'broken.yaml' } });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().error.code).toBe('CONFIG_INVALID');
    expect(invalid.json().error.details.problems.length).toBeGreaterThan(0);

    const missing = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configName: 'nope.yaml' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('CONFIG_NOT_FOUND');

    await h.store.upsertStrategy(strategyRecord('already-running'));
    const conflict = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configName: 'demo.yaml', strategyId: 'already-running' } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('CONFLICT');
  });

  it('validates the body: exactly one source, no unknown keys, no path in the config name', async () => {
    for (const payload of [{}, { configName: 'demo.yaml', configYaml: VALID_YAML }, { configName: 'demo.yaml', extra: 1 }, { configName: '../etc/passwd.yaml' }, { configName: 'demo.yaml', initialCash: '1e5' }]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('needs the control scope: 401 without a key even with open reads, 403 with a read-only key', async () => {
    const anonymous = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', payload: { configName: 'demo.yaml' } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('UNAUTHENTICATED');
    const readOnly = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: { 'x-api-key': READ_KEY }, payload: { configName: 'demo.yaml' } });
    expect(readOnly.statusCode).toBe(403);
    expect(readOnly.json().error.code).toBe('FORBIDDEN');
  });
});

describe('POST /api/v1/strategies/:id/stop', () => {
  it('publishes strategy.stop and returns 200 once stopped', async () => {
    await h.store.upsertStrategy(strategyRecord('to-stop'));
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/to-stop/stop', headers: control, payload: { reason: 'test over', waitMs: 10_000 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ strategyId: 'to-stop', accepted: true, status: 'stopped' });
    const cmd = commands.find((c) => c.id === res.json().commandId);
    expect(cmd?.payload).toEqual({ strategyId: 'to-stop', reason: 'test over' });
  });

  it('works without a body, answers 202 when unconfirmed, 200 at once when already stopped, 404 when unknown', async () => {
    await h.store.upsertStrategy(strategyRecord('silent-stop'));
    const unconfirmed = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/silent-stop/stop', headers: control, payload: { waitMs: 100 } });
    expect(unconfirmed.statusCode).toBe(202);
    await h.store.upsertStrategy(strategyRecord('was-stopped', { status: 'stopped' }));
    const already = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/was-stopped/stop', headers: control });
    expect(already.statusCode).toBe(200);
    expect(already.json()).toMatchObject({ status: 'stopped', accepted: true });
    const unknown = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/nobody/stop', headers: control });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('concurrent starts and the per-key cap', () => {
  it('of 200 concurrent starts of one id exactly one is accepted (201) and sent; the rest get 409', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configName: 'demo.yaml', strategyId: 'race-one', waitMs: 10_000 } })),
    );
    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.statusCode, (byStatus.get(a.statusCode) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({ 201: 1, 409: 199 });
    for (const a of answers.filter((x) => x.statusCode === 409)) expect(a.json().error.code).toBe('CONFLICT');
    expect(commands.filter((c) => isMessage(c, MessageType.strategyStart) && c.payload.strategyId === 'race-one')).toHaveLength(1);
    // once stopped it can be started again, once
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/strategies/race-one/stop', headers: control, payload: { waitMs: 10_000 } })).statusCode).toBe(200);
    const again = await Promise.all(Array.from({ length: 20 }, () => h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configName: 'demo.yaml', strategyId: 'race-one', waitMs: 10_000 } })));
    expect(again.filter((a) => a.statusCode === 201)).toHaveLength(1);
  });

  it('caps the strategies one key runs: 20 starts of one config without an id run 3, the rest get 429 STRATEGY_LIMIT_REACHED', async () => {
    const capped = await createHarness(REDIS_URL, { configDir: h.configDir, maxRunningStrategiesPerClient: 3 });
    try {
      const start = (key: string, strategyId?: string) =>
        capped.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: { 'x-api-key': key }, payload: { configName: 'demo.yaml', waitMs: 10_000, ...(strategyId ? { strategyId } : {}) } });
      const ids = Array.from({ length: 20 }, (_, i) => `capped-${i}`);
      for (const id of ids) stores.set(id, capped.store);
      const answers = await Promise.all(ids.map((id) => start(CONTROL_KEY, id)));
      const accepted = answers.filter((a) => a.statusCode === 201);
      expect(accepted).toHaveLength(3);
      const refused = answers.filter((a) => a.statusCode === 429);
      expect(refused).toHaveLength(17);
      expect(refused[0]?.json().error).toMatchObject({ code: 'STRATEGY_LIMIT_REACHED', details: { running: 3, limit: 3 } });
      expect(refused[0]?.json().error.message).toContain('API_MAX_RUNNING_PER_KEY');
      // the same without ids (the probe's 20 starts of one config): nothing more for this key
      expect((await start(CONTROL_KEY)).statusCode).toBe(429);
      // another key is not affected; a stopped strategy frees a place
      stores.set('other-key-one', capped.store);
      expect((await start('btc-research-dev-key', 'other-key-one')).statusCode).toBe(201);
      const first = accepted[0]!.json().strategyId as string;
      expect((await capped.app.inject({ method: 'POST', url: `/api/v1/strategies/${first}/stop`, headers: control, payload: { waitMs: 10_000 } })).statusCode).toBe(200);
      stores.set('capped-after-stop', capped.store);
      expect((await start(CONTROL_KEY, 'capped-after-stop')).statusCode).toBe(201);
    } finally {
      await capped.close();
    }
  });
});

describe('a config that already runs, and the names of uploads', () => {
  it('refuses a second copy of a running config without an explicit id (409 STRATEGY_ALREADY_RUNNING), starts it with a new id', async () => {
    await writeFile(join(h.configDir, 'dup.yaml'), VALID_YAML);
    await h.store.upsertStrategy(strategyRecord('dup-running', { configName: 'dup.yaml', configYaml: VALID_YAML, status: 'warming-up' }));
    const again = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configName: 'dup.yaml', waitMs: 10_000 } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'STRATEGY_ALREADY_RUNNING', details: { runningIds: ['dup-running'] } });
    expect(again.json().error.message).toContain('send a new strategyId');
    // the same YAML pasted is the same config
    const pasted = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configYaml: VALID_YAML, waitMs: 10_000 } });
    expect(pasted.json().error?.code).toBe('STRATEGY_ALREADY_RUNNING');
    const copy = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configName: 'dup.yaml', strategyId: 'dup-copy', waitMs: 10_000 } });
    expect(copy.statusCode).toBe(201);
    // a stopped one does not count
    await h.store.upsertStrategy(strategyRecord('dup-running', { configName: 'dup.yaml', configYaml: VALID_YAML, status: 'stopped' }));
    await h.store.upsertStrategy(strategyRecord('dup-copy', { configName: 'dup.yaml', configYaml: VALID_YAML, status: 'stopped' }));
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configName: 'dup.yaml', waitMs: 10_000 } })).statusCode).toBe(201);
  });

  it('keeps a name for pasted YAML: the name given, else the YAML\'s own', async () => {
    const yaml = VALID_YAML.replace('RSI_14 < 30', 'RSI_14 < 31');
    const named = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configYaml: yaml, name: 'My pasted idea', strategyId: 'named-upload', waitMs: 10_000 } });
    expect(named.statusCode).toBe(201);
    expect(commands.find((c) => c.id === named.json().commandId)?.payload).toMatchObject({ configName: 'my-pasted-idea.yaml', name: 'My pasted idea' });
    const own = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configYaml: yaml.replace('RSI_14 < 31', 'RSI_14 < 32'), waitMs: 10_000 } });
    expect(own.statusCode).toBe(201);
    expect(own.json().strategyId).toMatch(/^test-rsi-[0-9a-f]{6}$/);
    expect(commands.find((c) => c.id === own.json().commandId)?.payload).toMatchObject({ configName: 'test-rsi.yaml' });
  });
});

describe('restart, remove and force exit', () => {
  it('restarts a stopped strategy with its own config and cash; refuses one that runs (409 STRATEGY_NOT_STOPPED)', async () => {
    await h.store.upsertStrategy(strategyRecord('to-restart', { status: 'stopped', configName: 'kept.yaml', configYaml: VALID_YAML, initialCash: '2500' }));
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/to-restart/restart', headers: control, payload: { waitMs: 10_000 } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ strategyId: 'to-restart', accepted: true, status: 'warming-up' });
    expect(commands.find((c) => c.id === res.json().commandId)).toMatchObject({ type: 'strategy.start', payload: { strategyId: 'to-restart', configName: 'kept.yaml', configYaml: VALID_YAML, initialCash: '2500' } });
    const running = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/to-restart/restart', headers: control });
    expect(running.statusCode).toBe(409);
    expect(running.json().error.code).toBe('STRATEGY_NOT_STOPPED');
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/strategies/nobody/restart', headers: control })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/strategies/to-restart/restart', headers: { 'x-api-key': READ_KEY } })).statusCode).toBe(403);
  });

  it('removes a stopped strategy with its trades; refuses one that runs', async () => {
    await h.store.upsertStrategy(strategyRecord('to-remove', { status: 'running' }));
    const refused = await h.app.inject({ method: 'DELETE', url: '/api/v1/strategies/to-remove', headers: control });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('STRATEGY_NOT_STOPPED');
    await h.store.upsertStrategy(strategyRecord('to-remove', { status: 'stopped' }));
    const removed = await h.app.inject({ method: 'DELETE', url: '/api/v1/strategies/to-remove', headers: control });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ strategyId: 'to-remove', removed: true });
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/strategies/to-remove/status', headers: control })).statusCode).toBe(404);
    expect(await h.store.getStrategy('to-remove')).toBeNull();
    expect((await h.app.inject({ method: 'DELETE', url: '/api/v1/strategies/to-remove', headers: control })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'DELETE', url: '/api/v1/strategies/to-remove', headers: { 'x-api-key': READ_KEY } })).statusCode).toBe(403);
  });

  it('sends a force exit for an open position (202); 409 NO_OPEN_POSITION when flat, 409 when not running', async () => {
    await h.store.upsertStrategy(strategyRecord('to-force', { status: 'running' }));
    const flat = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/to-force/force-exit', headers: control });
    expect(flat.statusCode).toBe(409);
    expect(flat.json().error.code).toBe('NO_OPEN_POSITION');
    const state = { strategyId: 'to-force', time: 1, cash: '5000', equity: '10000', positionQty: '0.05', avgEntryPrice: '100000', realizedPnl: '0', unrealizedPnl: '0', feesPaid: '5', lastPrice: '100000', lastCandleCloseTime: 1, tradeCount: 1, core: {} };
    await h.store.saveState(state);
    const sent = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/to-force/force-exit', headers: control, payload: { note: 'risk off' } });
    expect(sent.statusCode).toBe(202);
    await expect.poll(() => commands.find((c) => c.id === sent.json().commandId)?.payload, { timeout: 10_000 }).toEqual({ strategyId: 'to-force', note: 'risk off' });
    await h.store.upsertStrategy(strategyRecord('to-force', { status: 'stopped' }));
    const stopped = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/to-force/force-exit', headers: control });
    expect(stopped.statusCode).toBe(409);
    expect(stopped.json().error.code).toBe('CONFLICT');
  });
});

describe('a start on a symbol the Binance feed does not serve (the venue may not list it)', () => {
  /** an api-server of its own on the same bus, without a per-key cap (the starts above count against `h`'s) */
  let api: Harness;
  const binanceFeed = (symbols: string[]) => feedStatus({ source: 'binance', requestedSource: 'binance', isSimulated: false, venue: 'BINANCE', symbols, message: 'live' });
  const onPair = (pair: string) => VALID_YAML.replace('symbol: "BTC/USDT"', `symbol: "${pair}"`);
  const notListed = (symbol: string) => `market data: ${symbol} is not listed on BINANCE (exchangeInfo); the strategy cannot run there`;
  const start = (strategyId: string, pair: string, waitMs = 10_000) =>
    api.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: control, payload: { configYaml: onPair(pair), strategyId, waitMs } });
  /** the api-server's read model shows the feed status (so the next start sees it) */
  const feedShown = (symbols: string[]) =>
    waitFor(async () => JSON.stringify((await api.app.inject({ method: 'GET', url: '/api/v1/market/feed', headers: control })).json().status?.symbols) === JSON.stringify(symbols), { timeoutMs: 10_000, what: `the feed status serving ${symbols.join(', ')}` });
  const startCommandOf = (strategyId: string) =>
    expect.poll(() => commands.some((c) => isMessage(c, MessageType.strategyStart) && c.payload.strategyId === strategyId), { timeout: 10_000 }).toBe(true);
  /** what the stream-manager does when exchangeInfo lacks the symbol: a stop with the reason */
  const failAsTheStreamManager = async (strategyId: string, error: string) => {
    const t = Date.now();
    await h.bus.publish(Streams.commands(), makeEnvelope({ type: MessageType.strategyStop, id: `market-data-stop-${strategyId}-${t}`, source: 'stream-manager', tsEvent: t, tsInit: t, payload: { strategyId, reason: 'market-data', error } }), StreamRetention.commands);
  };

  beforeAll(async () => {
    api = await createHarness(REDIS_URL, { configDir: h.configDir, maxRunningStrategiesPerClient: null });
    for (const id of ['unlisted-eth', 'served-btc', 'listed-sol', 'unanswered-ada']) stores.set(id, api.store);
    await publishFeed(h.bus, binanceFeed(['BTCUSDT']));
    await feedShown(['BTCUSDT']);
  });
  afterAll(async () => {
    // the tests above run with the simulator's feed, as before this block
    await publishFeed(h.bus, feedStatus(), Date.now() + 1);
    await api.close();
  });

  it('answers 422 STRATEGY_START_FAILED with the stream-manager\'s reason, leaves the strategy in error and the start claim settled (a restart fails the same way)', async () => {
    const answer = start('unlisted-eth', 'ETH/USDT');
    await startCommandOf('unlisted-eth');
    await failAsTheStreamManager('unlisted-eth', notListed('ETHUSDT'));
    const res = await answer;
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'STRATEGY_START_FAILED', details: { strategyId: 'unlisted-eth' } });
    expect(res.json().error.message).toBe(`strategy "unlisted-eth" could not start: ${notListed('ETHUSDT')}`);
    expect(await api.store.getStrategy('unlisted-eth')).toMatchObject({ status: 'error', error: notListed('ETHUSDT') });

    // the real paper-trader stores the config it runs (this stand-in does not): the restart sends it again
    await api.store.upsertStrategy({ ...(await api.store.getStrategy('unlisted-eth'))!, configName: 'eth.yaml', configYaml: onPair('ETH/USDT') });
    const restart = api.app.inject({ method: 'POST', url: '/api/v1/strategies/unlisted-eth/restart', headers: control, payload: { waitMs: 10_000 } });
    await expect.poll(() => commands.filter((c) => isMessage(c, MessageType.strategyStart) && c.payload.strategyId === 'unlisted-eth').length, { timeout: 10_000 }).toBe(2);
    await failAsTheStreamManager('unlisted-eth', notListed('ETHUSDT'));
    const again = await restart;
    expect(again.statusCode).toBe(422);
    expect(again.json().error.message).toBe(`strategy "unlisted-eth" could not restart: ${notListed('ETHUSDT')}`);
  });

  it('answers 201 at once for a served symbol, and once the feed serves a new one', async () => {
    const t0 = Date.now();
    const served = await start('served-btc', 'BTC/USDT');
    expect(served.statusCode).toBe(201);
    expect(Date.now() - t0).toBeLessThan(3_000);

    const answer = start('listed-sol', 'SOL/USDT');
    await startCommandOf('listed-sol');
    let settled = false;
    void answer.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false); // warming-up alone does not answer it
    await publishFeed(h.bus, binanceFeed(['BTCUSDT', 'SOLUSDT']));
    const res = await answer;
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ strategyId: 'listed-sol', accepted: true, status: 'warming-up' });
  });

  it('answers 201 with the paper-trader\'s status when neither answer comes within waitMs', async () => {
    const t0 = Date.now();
    const res = await start('unanswered-ada', 'ADA/USDT', 1_000);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ accepted: true, status: 'warming-up' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    // the claim is settled: it can be stopped and started again
    expect((await api.app.inject({ method: 'POST', url: '/api/v1/strategies/unanswered-ada/stop', headers: control, payload: { waitMs: 10_000 } })).statusCode).toBe(200);
  });
});
