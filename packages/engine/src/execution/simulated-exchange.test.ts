import { describe, expect, it } from 'vitest';
import { Decimal } from '../core/decimal.js';
import { SeededRng } from '../core/rng.js';
import { BTCUSDT } from '../model/instrument.js';
import { Ledger } from '../portfolio/ledger.js';
import { defaultExecutionModels } from './execution-models.js';
import { SimulatedExchange } from './simulated-exchange.js';

const candle = (openTime: number, open: number) => ({ openTime, closeTime: openTime + 60_000, open, high: open + 10, low: open - 10, close: open, volume: 1 });

describe('SimulatedExchange (candles only)', () => {
  it('fills a market buy at the next open plus half spread and slippage, rounded up to the tick, with 0.1% fee', () => {
    const ex = new SimulatedExchange(BTCUSDT, defaultExecutionModels(), new SeededRng(7));
    const ledger = new Ledger(new Decimal(10_000));
    const order = ex.submitMarket({ id: 'o1', side: 'buy', quantity: new Decimal('0.1'), decisionPrice: 60_000, decidedAt: 1_000_000, reason: 'test' });
    expect(order.latencyMs).toBeGreaterThanOrEqual(50);
    expect(order.latencyMs).toBeLessThanOrEqual(100);
    const [r] = ex.onCandleOpen(candle(1_000_000, 60_100), ledger);
    expect(r?.kind).toBe('filled');
    if (r?.kind !== 'filled') return;
    // 60100 × (1 + 0.00005 + 0.0005) = 60133.055 → 60133.06
    expect(r.fill.price.toFixed()).toBe('60133.06');
    expect(r.fill.fee.toFixed()).toBe(new Decimal('60133.06').times('0.1').times('0.001').toFixed());
    expect(r.fill.time).toBe(1_000_000 + order.latencyMs);
    expect(r.fill.quality.arrivalMid).toBe('60100');
    expect(ledger.quantity.toFixed()).toBe('0.1');
  });

  it('rejects with a reason instead of overdrawing cash or trading dust', () => {
    const ex = new SimulatedExchange(BTCUSDT, defaultExecutionModels(), new SeededRng(1));
    const ledger = new Ledger(new Decimal(100));
    ex.submitMarket({ id: 'big', side: 'buy', quantity: new Decimal(1), decisionPrice: 60_000, decidedAt: 0, reason: 'test' });
    ex.submitMarket({ id: 'dust', side: 'buy', quantity: new Decimal('0.00001'), decisionPrice: 60_000, decidedAt: 0, reason: 'test' });
    const results = ex.onCandleOpen(candle(0, 60_000), ledger);
    expect(results.map((r) => (r.kind === 'rejected' ? r.reason : r.kind))).toEqual(['INSUFFICIENT_BALANCE', 'BELOW_MIN_NOTIONAL']);
    expect(ledger.cash.toFixed()).toBe('100');
  });

  it('sells round down to the tick', () => {
    const ex = new SimulatedExchange(BTCUSDT, defaultExecutionModels(), new SeededRng(3));
    const ledger = new Ledger(new Decimal(100_000));
    ledger.apply({ side: 'buy', quantity: new Decimal(1), price: new Decimal(50_000), fee: new Decimal(0) });
    ex.submitMarket({ id: 's', side: 'sell', quantity: new Decimal(1), decisionPrice: 60_000, decidedAt: 0, reason: 'test' });
    const [r] = ex.onCandleOpen(candle(0, 60_000.03), ledger);
    // 60000.03 × (1 − 0.00055) = 59967.0299835 → 59967.02
    expect(r?.kind === 'filled' && r.fill.price.toFixed()).toBe('59967.02');
  });
});
