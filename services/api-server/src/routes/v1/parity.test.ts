import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageType, ParityCheckPendingResponse, ParityResponse, StrategyParityCheckedV1, Streams, isMessage, type Envelope } from '@btc-research/contracts';
import type { ParityCheckRecord, Subscription } from '@btc-research/platform';
import { waitFor } from '@btc-research/platform';
import { MessageType as Types, StreamRetention, makeEnvelope } from '@btc-research/contracts';
import { startApiServer } from '../../service.js';
import { CONTROL_KEY, READ_KEY, createHarness, devAuth, redisUrlFor, RedisDb, strategyRecord, testLogger, type Harness } from '../../test-support/harness.js';
import { SseClient } from '../../test-support/sse-client.js';

// the shared database is never flushed: this file's ids and consumer group are its own
const RUN = randomBytes(3).toString('hex');
const ID = `parity-${RUN}`;
const SILENT = `silent-parity-${RUN}`;
let h: Harness;
let responder: Subscription;
const requests: Envelope[] = [];

function check(checkId: string, checkedAt: number, verdict: 'pass' | 'fail', trigger: ParityCheckRecord['trigger'] = 'scheduled'): ParityCheckRecord {
  return {
    strategyId: ID,
    checkId,
    checkedAt,
    trigger,
    verdict,
    window: { fromSeq: 1, toSeq: 900, from: 1_718_000_060_000, to: 1_718_054_000_000, inputs: 900, start: 'log-start' },
    ...(verdict === 'fail' ? { firstDivergence: { at: 1_718_000_600_000, kind: 'fill' as const, field: 'price', paper: '65000.1', replay: '65000.2', eventSeq: 12, eventType: 'trade', inputSeq: 11 } } : {}),
    compared: { events: 40, indicatorCheckpoints: 1, indicatorValues: 2, balances: verdict === 'pass' },
    maxIndicatorDeviation: 0,
    indicatorTolerance: 0.0001,
    durationMs: 30,
    worker: 'pt-test',
  };
}

/**
 * Plays the paper-trader's side over the real bus: reads strategy.parity.check from exec:cmd with a
 * consumer group of its own and stores a passing check under the requested id (not for SILENT).
 */
function startResponder(): Subscription {
  return h.bus.consume({ streams: [Streams.commands()], group: `test-parity-${RUN}`, consumer: 'c1', startAt: '$' }, async (entries) => {
    for (const { envelope } of entries) {
      if (!isMessage(envelope, MessageType.strategyParityCheck)) continue;
      const { strategyId, checkId } = envelope.payload;
      if (strategyId !== ID && strategyId !== SILENT) continue;
      requests.push(envelope);
      if (strategyId === ID) await h.store.saveParityCheck({ ...check(checkId, Date.now(), 'pass', 'on-demand') });
    }
  });
}

beforeAll(async () => {
  h = await createHarness(redisUrlFor(RedisDb.shared), { storeKind: 'postgres' });
  await h.store.upsertStrategy(strategyRecord(ID));
  await h.store.upsertStrategy(strategyRecord(SILENT));
  responder = startResponder();
});
afterAll(async () => {
  await responder.stop();
  await h.close();
});

describe('GET /api/v1/strategies/{id}/parity', () => {
  it('has no latest check before the first one', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/strategies/${SILENT}/parity`, headers: { 'x-api-key': READ_KEY } });
    expect(res.statusCode).toBe(200);
    expect(ParityResponse.parse(res.json())).toEqual({ strategyId: SILENT, latest: null, history: [] });
  });

  it('returns the latest check with its first divergence and the history, newest first', async () => {
    const older = check('c-1', 1_000, 'pass');
    const failed = check('c-2', 2_000, 'fail');
    await h.store.saveParityCheck(older);
    await h.store.saveParityCheck(failed);
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/strategies/${ID}/parity`, headers: { 'x-api-key': READ_KEY } });
    expect(res.statusCode).toBe(200);
    const body = ParityResponse.parse(res.json());
    expect(body.latest).toEqual(failed);
    expect(body.latest?.firstDivergence).toEqual({ at: 1_718_000_600_000, kind: 'fill', field: 'price', paper: '65000.1', replay: '65000.2', eventSeq: 12, eventType: 'trade', inputSeq: 11 });
    expect(body.history.map((c) => c.checkId)).toEqual(['c-2', 'c-1']);
    const one = await h.app.inject({ method: 'GET', url: `/api/v1/strategies/${ID}/parity?limit=1`, headers: { 'x-api-key': READ_KEY } });
    expect(ParityResponse.parse(one.json()).history).toEqual([failed]);
  });

  it('404 for an unknown strategy, 400 for a bad limit', async () => {
    const unknown = await h.app.inject({ method: 'GET', url: '/api/v1/strategies/no-such-strategy/parity' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'STRATEGY_NOT_FOUND' } });
    const bad = await h.app.inject({ method: 'GET', url: `/api/v1/strategies/${ID}/parity?limit=0` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('POST /api/v1/strategies/{id}/parity/check', () => {
  it('asks the paper-trader over the bus and returns the stored result once it is there', async () => {
    const res = await h.app.inject({ method: 'POST', url: `/api/v1/strategies/${ID}/parity/check`, headers: { 'x-api-key': CONTROL_KEY }, payload: { waitMs: 10_000 } });
    expect(res.statusCode).toBe(200);
    const body = StrategyParityCheckedV1.parse(res.json());
    expect(body).toMatchObject({ strategyId: ID, trigger: 'on-demand', verdict: 'pass' });
    const sent = requests.find((r) => (r.payload as { checkId: string }).checkId === body.checkId);
    expect(sent).toMatchObject({ type: 'strategy.parity.check', source: 'api-server', correlationId: res.headers['x-request-id'] });
    // and it is the latest check now
    const parity = ParityResponse.parse((await h.app.inject({ method: 'GET', url: `/api/v1/strategies/${ID}/parity` })).json());
    expect(parity.latest?.checkId).toBe(body.checkId);
  });

  it('202 with the check id to poll when no result comes in time; the poll URL answers 404 until it does', async () => {
    const res = await h.app.inject({ method: 'POST', url: `/api/v1/strategies/${SILENT}/parity/check`, headers: { 'x-api-key': CONTROL_KEY }, payload: { waitMs: 100 } });
    expect(res.statusCode).toBe(202);
    const body = ParityCheckPendingResponse.parse(res.json());
    expect(body.checkUrl).toBe(`/api/v1/strategies/${SILENT}/parity/checks/${body.checkId}`);
    expect(res.headers['location']).toBe(body.checkUrl);
    const pending = await h.app.inject({ method: 'GET', url: body.checkUrl });
    expect(pending.statusCode).toBe(404);
    expect(pending.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    // the paper-trader stores it later: the same URL gives it
    await h.store.saveParityCheck({ ...check(body.checkId, 5_000, 'pass', 'on-demand'), strategyId: SILENT });
    const done = await h.app.inject({ method: 'GET', url: body.checkUrl });
    expect(done.statusCode).toBe(200);
    expect(StrategyParityCheckedV1.parse(done.json())).toMatchObject({ checkId: body.checkId, strategyId: SILENT });
  });

  it('needs the control scope, refuses unknown fields, 404 for an unknown strategy', async () => {
    const readOnly = await h.app.inject({ method: 'POST', url: `/api/v1/strategies/${ID}/parity/check`, headers: { 'x-api-key': READ_KEY }, payload: {} });
    expect(readOnly.statusCode).toBe(403);
    const extra = await h.app.inject({ method: 'POST', url: `/api/v1/strategies/${ID}/parity/check`, headers: { 'x-api-key': CONTROL_KEY }, payload: { waitMs: 10, force: true } });
    expect(extra.statusCode).toBe(400);
    const unknown = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/no-such-strategy/parity/check', headers: { 'x-api-key': CONTROL_KEY }, payload: {} });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('live parity events', () => {
  it('GET /api/v1/events?types=parity streams every check of the strategy as the paper-trader publishes it', async () => {
    const server = await startApiServer({ host: '127.0.0.1', port: 0, bus: h.bus, store: h.store, configDir: h.configDir, logger: testLogger, auth: devAuth(), rateLimit: { max: 1_000, timeWindowMs: 60_000 }, collectDefaultMetrics: false });
    const sse = await SseClient.open(`${server.url}/api/v1/events?types=parity&strategyId=${ID}`, { 'x-api-key': READ_KEY });
    try {
      expect(sse.response?.statusCode).toBe(200);
      const publish = (payload: ParityCheckRecord) =>
        h.bus.publish(Streams.strategyEvents(), makeEnvelope({ type: Types.strategyParityChecked, id: `parity-${payload.strategyId}-${payload.checkId}`, source: 'test', tsEvent: payload.checkedAt, tsInit: payload.checkedAt, payload }), StreamRetention.strategyEvents);
      // the hub reads from the stream's end once it is positioned: publish until one arrives
      const sent: string[] = [];
      const event = await waitFor(
        async () => {
          const n = sent.length;
          await publish({ ...check(`other-${RUN}-${n}`, 9_000, 'fail'), strategyId: SILENT }); // another strategy: filtered out
          sent.push(`live-${RUN}-${n}`);
          await publish(check(sent[n]!, 9_000, 'fail'));
          await new Promise((r) => setTimeout(r, 100));
          return sse.events.find((e) => e.event === 'parity');
        },
        { what: 'a parity event', intervalMs: 1 },
      );
      const message = JSON.parse(event.data) as { payload: { checkId: string } };
      expect(message).toMatchObject({ kind: 'parity', strategyId: ID, type: 'strategy.parity.checked', payload: { verdict: 'fail', firstDivergence: { field: 'price' } } });
      expect(sent).toContain(message.payload.checkId);
      expect(sse.events.filter((e) => e.event === 'parity').every((e) => (JSON.parse(e.data) as { strategyId: string }).strategyId === ID)).toBe(true);
    } finally {
      sse.close();
      await server.close();
    }
  });
});
