import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageType, NotificationChannelName, NotificationEventType, StreamRetention, Streams, makeEnvelope, type NotificationEventV1 } from '@btc-research/contracts';
import { NOTIFICATION_CHANNELS, NOTIFICATION_EVENTS, simulatedMinuteCandles } from '@btc-research/engine';
import { InProcessBus, JsonStrategyStore, SlackChannel, createLogger, replies, startReceiver, verifyWebhookSignature, waitFor, type LocalReceiver } from '@btc-research/platform';
import { startPaperTrader, type PaperTrader } from '../service.js';
import { Notifier } from './notifier.js';
import { testConfig } from '../testing/test-config.js';
import { publishCandles } from '../testing/candle-publishing.js';
import { closeTraderWorld, openTraderWorld } from '../testing/trader-world.js';

const repoConfig = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'config');
const SECRET = 'notifier-test-secret';
const TOKEN = '999:bot-token';

describe('notifier in the paper trader (embedded: in-process bus, JSON files)', () => {
  let dir: string;
  let bus: InProcessBus;
  let store: JsonStrategyStore;
  let trader: PaperTrader | null = null;
  let webhook: LocalReceiver;
  let telegram: LocalReceiver;

  beforeEach(async () => {
    ({ dir, bus, store } = await openTraderWorld('pt-notify-'));
    webhook = await startReceiver(replies.webhook);
    telegram = await startReceiver(replies.telegram);
  });

  afterEach(async () => {
    await closeTraderWorld({ dir, bus, store }, trader);
    trader = null;
    await webhook.close();
    await telegram.close();
  });

  it('sends the fills and status changes of a running strategy to every channel, signed, once each, as its YAML section says', async () => {
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    await fs.writeFile(path.join(dir, 'config', 'loud.yaml'), ema);
    // the quiet one: Telegram only, and only when it fails
    await fs.writeFile(path.join(dir, 'config', 'quiet.yaml'), `${ema}\nnotifications:\n  channels: [telegram]\n  events: [strategy.errored]\n`);
    const config = testConfig(dir, {
      notifications: {
        webhook: { url: `${webhook.url}/hook`, secret: SECRET },
        telegram: { apiUrl: telegram.url, botToken: TOKEN, chatId: '77' },
        slack: null,
        discord: null,
        ratePerMinute: { webhook: 10_000, telegram: 10_000, slack: 1, discord: 1 },
      },
    });
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const candles = simulatedMinuteCandles(600, 11);
    await publishCandles(bus, 'BTCUSDT', candles);
    await waitFor(async () => (await store.loadState('loud'))?.lastCandleCloseTime === candles[599]!.closeTime, { what: 'strategy to the end', timeoutMs: 20_000 });
    const trades = (await store.listTrades('loud', { limit: 1000 })).items;
    expect(trades.length).toBeGreaterThan(0);

    const fillIds = trades.map((t) => `fill:${t.tradeId}`).sort();
    const webhookFills = () => webhook.received.filter((r) => (r.json as NotificationEventV1).type === 'fill');
    // the status goes out after the batch whose fills made the strategy ready
    await waitFor(async () => webhookFills().length >= fillIds.length && webhook.received.some((r) => (r.json as NotificationEventV1).type === 'strategy.started'), { what: 'every fill and the start at the webhook', timeoutMs: 20_000 });
    // every request signed; every fill once; nothing of the quiet strategy
    expect(webhook.received.every((r) => verifyWebhookSignature(r, SECRET))).toBe(true);
    expect(webhookFills().map((r) => r.headers['x-btc-research-event-id']).sort()).toEqual(fillIds);
    expect(webhook.received.map((r) => (r.json as NotificationEventV1).strategyId)).not.toContain('quiet');
    const started = webhook.received.map((r) => r.json as NotificationEventV1).filter((e) => e.type === 'strategy.started');
    expect(started).toEqual([expect.objectContaining({ strategyId: 'loud', text: 'strategy is running (paper trading)' })]);
    const fill = webhookFills()[0]!.json as NotificationEventV1;
    const trade = trades.find((t) => fill.id === `fill:${t.tradeId}`)!;
    expect(fill).toMatchObject({ strategyId: 'loud', time: trade.time, data: { price: trade.price, quantity: trade.quantity, fee: trade.fee } });

    // Telegram: the same events as chat messages (the quiet strategy said nothing: it did not fail)
    await waitFor(async () => telegram.received.length >= fillIds.length + 1, { what: 'telegram messages', timeoutMs: 20_000 });
    expect(telegram.received.every((r) => r.path === `/bot${TOKEN}/sendMessage`)).toBe(true);
    expect(telegram.received.map((r) => (r.json as { text: string }).text).filter((t) => t.startsWith('[quiet]'))).toEqual([]);

    // a parity failure raised by another part of the system on the strategy-events stream
    const parity: NotificationEventV1 = {
      id: 'parity:loud:1',
      type: 'parity.check.failed',
      time: candles[599]!.closeTime,
      strategyId: 'loud',
      text: 'parity check failed: RSI differs at candle 412',
      data: { checkedAt: candles[599]!.closeTime, window: { from: candles[0]!.openTime, to: candles[599]!.closeTime }, firstDivergence: { field: 'indicator RSI_14', at: 'candle 412', paper: '41.2', replay: '41.3' } },
    };
    await bus.publish(Streams.strategyEvents(), makeEnvelope({ type: MessageType.notificationRaised, id: 'n-parity-1', source: 'parity', tsEvent: parity.time, tsInit: parity.time, payload: parity }), StreamRetention.strategyEvents);
    await waitFor(async () => webhook.received.some((r) => r.headers['x-btc-research-event-id'] === 'parity:loud:1'), { what: 'parity alert at the webhook' });
    expect(webhook.received.find((r) => r.headers['x-btc-research-event-id'] === 'parity:loud:1')?.json).toEqual(parity);

    // the outbox says what became of each: every row delivered (the Telegram copy of the parity alert
    // may still be on its way when the webhook's arrived)
    await waitFor(async () => (await store.outbox.recent(5_000)).every((r) => r.status === 'delivered'), { what: 'every outbox row delivered' });
    const rows = await store.outbox.recent(5_000);
    expect(rows.filter((r) => r.channel === 'webhook')).toHaveLength(webhook.received.length);
  });

  it('adds a daily summary per strategy after 00:00 UTC, once per day also across restarts', async () => {
    const day = Date.UTC(2026, 11, 4);
    await store.upsertStrategy({ id: 'd1', name: 'd1', configName: 'd1.yaml', configYaml: 'symbol: BTC/USDT\ntimeframes: {entry: 1m}\n', symbol: 'BTCUSDT', status: 'running', error: null, initialCash: '10000', createdAt: day - 5 * 86_400_000, updatedAt: day - 86_400_000 });
    const fill = (n: number, time: number, pnl: string) => ({ strategyId: 'd1', tradeId: `d1-t${n}`, orderId: `d1-o${n}`, symbol: 'BTCUSDT', side: 'sell' as const, quantity: '0.01', price: '90000', fee: '0.9', realizedPnl: pnl, reason: 'exit', time });
    await store.appendTrades('d1', [fill(1, day - 10, '5'), fill(2, day + 60_000, '12.5'), fill(3, day + 86_399_999, '-2.25'), fill(4, day + 86_400_000, '1')]);
    await store.appendEquity('d1', [{ time: day - 60_000, equity: '9990' }, { time: day, equity: '10000' }, { time: day + 43_200_000, equity: '10100' }, { time: day + 86_340_000, equity: '10010.25' }, { time: day + 86_400_000, equity: '10011' }]);
    const make = () => new Notifier({ bus, store, logger: createLogger('n', { level: 'silent' }), channels: [new SlackChannel('http://127.0.0.1:9/never', 60)], worker: 'w', now: () => day + 86_400_000 + 30_000 });
    await make().summariseEndedDay();
    await make().summariseEndedDay();
    const rows = await store.outbox.recent(10);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ eventId: 'daily:d1:2026-12-04', channel: 'slack', status: 'pending' });
    expect(rows[0]?.event.data).toEqual({ day: '2026-12-04', fills: 2, equity: '10010.25', pnl: '10.25', realizedPnl: '10.25' });
  });

  it("the engine's names for channels and events are the contracts' names", () => {
    expect([...NOTIFICATION_CHANNELS]).toEqual(NotificationChannelName.options);
    expect([...NOTIFICATION_EVENTS]).toEqual(NotificationEventType.options);
  });
});
