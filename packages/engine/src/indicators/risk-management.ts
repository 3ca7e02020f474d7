import type { Candle } from '../model/candle.js';
import { WilderAtr } from './common.js';
import type { Indicator, IndicatorDefinition, IndicatorValue, UpstreamColumns } from './indicator.js';
import { kindsByName } from './output-kind.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';
import { NO_UPSTREAM, num, truthy, UpstreamLookup } from './upstream.js';

/**
 * The original's shadow position engine (compat §2.7): independent long and short shadow positions
 * opened from upstream signal columns, with ATR-based stop/target and a break-even move of the
 * trailing stop. It knows nothing about real positions. Outputs are shifted one bar, except the
 * `*_stop_loss_immediate` columns.
 */
export type RiskManagementParams = {
  atr_period: number;
  initial_stop_atr_mult: number;
  trailing_stop_atr_mult: number;
  target_atr_mult: number;
  breakeven_r_mult: number;
  enable_trailing: boolean;
};

const SPECS: ParamSpecs = {
  atr_period: { kind: 'int', default: 14, min: 1 },
  initial_stop_atr_mult: { kind: 'number', default: 0.5 },
  trailing_stop_atr_mult: { kind: 'number', default: 1.0 }, // accepted; unreachable in the original
  target_atr_mult: { kind: 'number', default: 2.0 },
  breakeven_r_mult: { kind: 'number', default: 1.0 },
  enable_trailing: { kind: 'bool', default: true },
};

const LONG_FRAGMENTS = ['vf_long', 'bullish_signal', 'long_signal'];
const SHORT_FRAGMENTS = ['vf_short', 'bearish_signal', 'short_signal'];

const OUTPUTS = [
  'long_stop_loss',
  'long_target',
  'long_trailing_stop',
  'short_stop_loss',
  'short_target',
  'short_trailing_stop',
  'long_stop_loss_immediate',
  'short_stop_loss_immediate',
  'long_position_active',
  'short_position_active',
  'long_entry_price',
  'short_entry_price',
  'long_r_multiple',
  'short_r_multiple',
  'long_stop_hit',
  'long_target_hit',
  'short_stop_hit',
  'short_target_hit',
  'exit_long_risk',
  'exit_short_risk',
] as const;

/** Per-bar record of one side (unshifted). */
class Side {
  active = false;
  entry = NaN;
  stop = NaN;
  target = NaN;
  trailing = NaN;
  // Recorded values of the bar.
  rStop = NaN;
  rTarget = NaN;
  rTrailing = NaN;
  rEntry = NaN;
  rR = NaN;
  rActive = false;
  rStopHit = false;
  rTargetHit = false;

  clearRecord(): void {
    this.rStop = this.rTarget = this.rTrailing = this.rEntry = this.rR = NaN;
    this.rActive = this.rStopHit = this.rTargetHit = false;
  }

  copyRecordFrom(o: Side): void {
    this.rStop = o.rStop;
    this.rTarget = o.rTarget;
    this.rTrailing = o.rTrailing;
    this.rEntry = o.rEntry;
    this.rR = o.rR;
    this.rActive = o.rActive;
    this.rStopHit = o.rStopHit;
    this.rTargetHit = o.rTargetHit;
  }
}

export class RiskManagement implements Indicator {
  readonly outputNames: readonly string[] = OUTPUTS;
  readonly values: IndicatorValue[];
  readonly warmupBars: number;
  private readonly atr: WilderAtr;
  private readonly inputs = new UpstreamLookup([
    (name) => LONG_FRAGMENTS.some((f) => name.toLowerCase().includes(f)),
    (name) => SHORT_FRAGMENTS.some((f) => name.toLowerCase().includes(f)),
    (name) => name === 'FVG_nearest_support',
    (name) => name === 'FVG_nearest_resistance',
  ]);
  private readonly long = new Side();
  private readonly short = new Side();
  // Previous bar's records (the shifted outputs).
  private readonly prevLong = new Side();
  private readonly prevShort = new Side();
  private count = 0;

  constructor(readonly params: RiskManagementParams) {
    this.atr = new WilderAtr(params.atr_period);
    this.warmupBars = params.atr_period + 1;
    this.values = OUTPUTS.map((name) =>
      /_(active|hit)$|^exit_/.test(name) ? false : NaN,
    );
  }

  update(candle: Candle, upstream: UpstreamColumns = NO_UPSTREAM): void {
    const p = this.params;
    const { high, low, close } = candle;
    const a = this.atr.push(high, low, close);
    const i = this.count++;
    const L = this.inputs;
    L.resolve(upstream);
    const hasLong = L.found(0);
    const hasShort = L.found(1);

    const long = this.long;
    const short = this.short;
    long.clearRecord();
    short.clearRecord();
    if ((hasLong || hasShort) && i >= p.atr_period && a > 0) {
      // Long side.
      if (!long.active && hasLong && truthy(L.value(upstream, 0))) {
        const s = num(L.value(upstream, 2));
        long.active = true;
        long.entry = close;
        long.stop = (s === s ? s : close) - p.initial_stop_atr_mult * a;
        long.target = close + p.target_atr_mult * a;
        long.trailing = long.stop;
      }
      if (long.active) {
        const r = long.entry <= long.stop ? 0 : (close - long.entry) / (long.entry - long.stop);
        if (p.enable_trailing && r >= p.breakeven_r_mult) long.trailing = Math.max(long.trailing, long.entry);
        if (low <= long.trailing) {
          long.rStopHit = true;
          long.active = false;
        } else if (high >= long.target) {
          long.rTargetHit = true;
          long.active = false;
        } else {
          long.rActive = true;
          long.rStop = long.stop;
          long.rTarget = long.target;
          long.rTrailing = long.trailing;
          long.rEntry = long.entry;
          long.rR = r;
        }
      }
      // Short side (mirror).
      if (!short.active && hasShort && truthy(L.value(upstream, 1))) {
        const s = num(L.value(upstream, 3));
        short.active = true;
        short.entry = close;
        short.stop = (s === s ? s : close) + p.initial_stop_atr_mult * a;
        short.target = close - p.target_atr_mult * a;
        short.trailing = short.stop;
      }
      if (short.active) {
        const r = short.entry >= short.stop ? 0 : (short.entry - close) / (short.stop - short.entry);
        if (p.enable_trailing && r >= p.breakeven_r_mult) short.trailing = Math.min(short.trailing, short.entry);
        if (high >= short.trailing) {
          short.rStopHit = true;
          short.active = false;
        } else if (low <= short.target) {
          short.rTargetHit = true;
          short.active = false;
        } else {
          short.rActive = true;
          short.rStop = short.stop;
          short.rTarget = short.target;
          short.rTrailing = short.trailing;
          short.rEntry = short.entry;
          short.rR = r;
        }
      }
    }

    const v = this.values;
    const pl = this.prevLong;
    const ps = this.prevShort;
    v[0] = pl.rStop;
    v[1] = pl.rTarget;
    v[2] = pl.rTrailing;
    v[3] = ps.rStop;
    v[4] = ps.rTarget;
    v[5] = ps.rTrailing;
    v[6] = long.rStop; // immediate (unshifted)
    v[7] = short.rStop;
    v[8] = pl.rActive;
    v[9] = ps.rActive;
    v[10] = pl.rEntry;
    v[11] = ps.rEntry;
    v[12] = pl.rR;
    v[13] = ps.rR;
    v[14] = pl.rStopHit;
    v[15] = pl.rTargetHit;
    v[16] = ps.rStopHit;
    v[17] = ps.rTargetHit;
    v[18] = pl.rStopHit || pl.rTargetHit;
    v[19] = ps.rStopHit || ps.rTargetHit;
    pl.copyRecordFrom(long);
    ps.copyRecordFrom(short);
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const riskManagementDefinition: IndicatorDefinition<RiskManagementParams> = {
  type: 'RiskManagement',
  outputKind: kindsByName({ long_stop_loss: 'price', long_target: 'price', long_trailing_stop: 'price', short_stop_loss: 'price', short_target: 'price', short_trailing_stop: 'price', long_stop_loss_immediate: 'price', short_stop_loss_immediate: 'price', long_entry_price: 'price', short_entry_price: 'price', long_r_multiple: 'unbounded', short_r_multiple: 'unbounded' }, 'boolean'),
  original: { params: Object.keys(SPECS) },
  parseParams: (raw) => parseWithSpecs<RiskManagementParams>('RiskManagement', SPECS, raw),
  create: (params) => new RiskManagement(params),
};
