import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../core/decimal.js';
import { SeededRng } from '../core/rng.js';
import { simulatedMarketInputs } from '../market/testing/simulated-market-inputs.js';
import { captureState, restoreState, StateImageError, type StateImage } from './state-image.js';
import { TradingCore, type CoreInput } from './trading-core.js';
import { buildTradingSetup } from './trading-setup.js';

const configDir = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'config');
const demo = (file: string) => fs.readFileSync(path.join(configDir, file), 'utf8');

/** Every indicator of the engine on three timeframes, with stops, targets and a partial exit. */
const EVERY_INDICATOR = `
version: "1.0"
name: "Every indicator"
symbol: "BTC/USDT"
exchange: "binance"
timeframes: { entry: "5m", trend: "15m", slow: "1h" }
indicators:
  - { id: "EMA_9", type: "EMA", timeframe: "5m", length: 9 }
  - { id: "RSI_14", type: "RSI", timeframe: "5m", length: 14 }
  - { id: "ADX", type: "ADX", timeframe: "15m", period: 14 }
  - { id: "FVG", type: "FVG", timeframe: "5m" }
  - { id: "VP", type: "VolumeProfile", timeframe: "15m", lookback: 60, price_bins: 20 }
  - { id: "VF", type: "VPFVGSignal", timeframe: "15m" }
  - { id: "RM", type: "RiskManagement", timeframe: "5m" }
  - { id: "SMA_20", type: "SMA", timeframe: "1h", length: 20 }
  - { id: "ATR_14", type: "ATR", timeframe: "5m", length: 14 }
  - { id: "MACD", type: "MACD", timeframe: "5m" }
  - { id: "BB", type: "BollingerBands", timeframe: "5m", length: 20 }
  - { id: "STOCH", type: "Stochastic", timeframe: "5m" }
  - { id: "CCI_14", type: "CCI", timeframe: "5m", length: 14 }
  - { id: "WILLR_14", type: "WilliamsR", timeframe: "5m", length: 14 }
  - { id: "MFI_14", type: "MFI", timeframe: "5m", length: 14 }
  - { id: "OBV", type: "OBV", timeframe: "5m" }
logic:
  entry_long: ["RSI_14 < 45", "close > EMA_9[2]", "MACD_hist > MACD_hist[1]"]
  exit_long: ["RSI_14 > 60"]
  entry_short: ["RSI_14 > 60", "close < BB_middle"]
  exit_short: ["RSI_14 < 45"]
risk_management:
  stop_loss: { percent: 0.004 }
  take_profit: { percent: 0.008, partial_exits: [{ level: 0.003, percent: 0.5 }] }
backtest: { cash: 10000, commission: 0.001, slippage: 0.0005 }
`;

function coreFor(yaml: string, file: string): TradingCore {
  const setup = buildTradingSetup(yaml, file, { strategyId: 'img', tradingStartTime: 0, execution: { makerCommission: '0.0002' } });
  if (!setup.ok) throw new Error(`${file}: ${JSON.stringify(setup.errors)}`);
  return new TradingCore(setup.strategy, setup.coreOptions);
}

const roundTrip = (image: StateImage): StateImage => JSON.parse(JSON.stringify(image)) as StateImage;
const eventsOf = (core: TradingCore, inputs: readonly CoreInput[]) => JSON.stringify(inputs.flatMap((x) => core.onInput(x)));

describe('state image: a core restored from an image continues exactly like the original', () => {
  const inputs = simulatedMarketInputs(2_400, 5);
  const configs = [
    { file: 'every-indicator.yaml', yaml: EVERY_INDICATOR },
    { file: 'demo-ema-cross.yaml', yaml: demo('demo-ema-cross.yaml') },
    { file: 'demo-rsi-mean-reversion.yaml', yaml: demo('demo-rsi-mean-reversion.yaml') },
  ];

  it.each(configs)('$file: cut at 6 points (one in warm-up, others with orders or positions), same events and state to the end', ({ file, yaml }) => {
    const reference = coreFor(yaml, file);
    const all = eventsOf(reference, inputs);
    expect(reference.summary().tradeCount).toBeGreaterThan(4);
    const rng = new SeededRng(99);
    const cuts = [150, ...Array.from({ length: 5 }, () => 200 + Math.floor(rng.next() * (inputs.length - 400)))];
    const seen = { openOrders: 0, inPosition: 0, warmingUp: 0 };
    for (const cut of cuts) {
      const original = coreFor(yaml, file);
      const before = eventsOf(original, inputs.slice(0, cut));
      const at = original.summary();
      if (at.openOrders > 0) seen.openOrders += 1;
      if (at.ledger.quantity !== '0') seen.inPosition += 1;
      if (!at.ready) seen.warmingUp += 1;
      const image = roundTrip(original.stateImage());
      const restored = coreFor(yaml, file);
      restored.restoreImage(image);
      // the same data everywhere, then the same future
      expect(captureState(restored)).toEqual(captureState(original));
      const after = eventsOf(restored, inputs.slice(cut));
      expect(JSON.stringify([...JSON.parse(before), ...JSON.parse(after)])).toBe(all);
      expect(restored.summary()).toEqual(reference.summary());
      expect(restored.snapshot()).toEqual(reference.snapshot());
    }
    expect(seen.warmingUp).toBeGreaterThan(0);
    expect(seen.openOrders + seen.inPosition).toBeGreaterThan(0);
  });

  it('keeps shared references shared and cycles intact, numbers exact (NaN, ±Infinity, −0) and decimals exact', () => {
    class Node {
      next: Node | null = null;
      constructor(public value: number) {}
      bump(): void {
        this.value += 1;
      }
    }
    const build = () => {
      const a = new Node(1);
      const b = new Node(2);
      a.next = b;
      b.next = a;
      const shared = [1, 2];
      return { a, list: [a, b], shared, alsoShared: shared, nums: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0], money: new Decimal('0.123456789012345678901234567890'), map: new Map<string, Node>(), set: new Set<number>(), f64: new Float64Array(3) };
    };
    const original = build();
    original.a.bump();
    original.shared.push(3);
    original.map.set('x', new Node(7));
    original.set.add(4);
    original.f64[1] = 1.5;
    const fresh = build();
    const kept = fresh.shared;
    restoreState(fresh, roundTrip(captureState(original)));
    expect(fresh.shared).toBe(kept); // filled in place: closures over it see the new content
    expect(fresh.alsoShared).toBe(fresh.shared);
    expect(fresh.shared).toEqual([1, 2, 3]);
    expect(fresh.a.value).toBe(2);
    expect(fresh.a.next?.next).toBe(fresh.a);
    expect(fresh.list[0]).toBe(fresh.a);
    expect(fresh.map.get('x')).toBeInstanceOf(Node);
    expect(fresh.map.get('x')?.value).toBe(7);
    expect([...fresh.set]).toEqual([4]);
    expect([...fresh.f64]).toEqual([0, 1.5, 0]);
    expect(Object.is(fresh.nums[3], -0)).toBe(true);
    expect(fresh.nums.slice(0, 3)).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(fresh.money.toString()).toBe('0.12345678901234567890123456789');
    expect(fresh.money).toBeInstanceOf(Decimal);
  });

  it('refuses an image of another kind of object or a malformed one, with a StateImageError', () => {
    const core = coreFor(demo('demo-ema-cross.yaml'), 'demo-ema-cross.yaml');
    expect(() => restoreState(core, captureState({ not: 'a core' }))).toThrow(StateImageError);
    expect(() => restoreState(core, { version: 2 } as unknown as StateImage)).toThrow(StateImageError);
    expect(() => restoreState(core, { version: 1, root: { $o: 'obj', id: 1, c: 'TradingCore', f: { ledger: { $r: 99 } } } })).toThrow(/refers to object 99/);
  });

  it('refuses an image taken from another shape of a class (a field the fresh core has is missing), so a restart replays instead', () => {
    const yaml = demo('demo-ema-cross.yaml');
    const original = coreFor(yaml, 'demo-ema-cross.yaml');
    eventsOf(original, simulatedMarketInputs(60, 3));
    const image = roundTrip(original.stateImage());
    const fields = (image.root as { f: Record<string, unknown> }).f;
    expect(fields).toHaveProperty('lastTickPrice');
    delete fields['lastTickPrice']; // as if captured before the field existed
    expect(() => coreFor(yaml, 'demo-ema-cross.yaml').restoreImage(image)).toThrow(new StateImageError('root.lastTickPrice: the image has no such field (it was captured from a TradingCore of another shape)'));
  });
});
