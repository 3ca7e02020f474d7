import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandResultResponse, MessageType, Streams, isMessage, type Envelope } from '@btc-research/contracts';
import { type Subscription } from '@btc-research/platform';
import { CONTROL_KEY, READ_KEY, createHarness, flushRedisDb, publishStatus, redisUrlFor, RedisDb, strategyRecord, type Harness } from '../../test-support/harness.js';
import { INVALID_YAML, VALID_YAML } from '../../test-support/fixtures.js';

const REDIS_URL = redisUrlFor(RedisDb.commands);
let h: Harness;
let responder: Subscription;
const commands: Envelope[] = [];

/**
 * Plays the paper-trader's side of the command protocol over the real bus: reads exec:cmd with a
 * consumer group and answers with strategy.status.changed (causationId = the command id). Ids
 * starting with "silent-" get no answer, "fail-" an error status.
 */
function startResponder(): Subscription {
  return h.bus.consume({ streams: [Streams.commands()], group: 'test-paper-trader', consumer: 'c1', startAt: '0' }, async (entries) => {
    for (const { envelope } of entries) {
      commands.push(envelope);
      const payload = envelope.payload as { strategyId: string };
      if (payload.strategyId.startsWith('silent-')) continue;
      if (isMessage(envelope, MessageType.strategyStart)) {
        if (payload.strategyId.startsWith('fail-')) await publishStatus(h.bus, payload.strategyId, 'error', { causationId: envelope.id, error: 'no market data for BTCUSDT' });
        else await publishStatus(h.bus, payload.strategyId, 'warming-up', { causationId: envelope.id });
      } else if (isMessage(envelope, MessageType.strategyStop)) {
        await publishStatus(h.bus, payload.strategyId, 'stopped', { causationId: envelope.id });
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
