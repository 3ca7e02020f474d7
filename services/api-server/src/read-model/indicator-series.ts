import { CandleAggregator, buildTradingSetup, computeBatch, indicatorRegistry, isTimeframe, timeframeMs, type Candle } from '@btc-research/engine';
import { MessageType, Streams, isMessage, type IndicatorsResponse } from '@btc-research/contracts';
import type { MessageBus, StrategyRecord } from '@btc-research/platform';

/** the most closed 1m candles one request reads (the bus keeps about this many) */
const MAX_BASE_CANDLES = 20_000;
/** extra candles per series for indicators to warm up */
const WARMUP_CANDLES = 250;
const OVERLAY_TYPES = /^(EMA|SMA|WMA|DEMA|TEMA|VWAP|Bollinger|BB|BBANDS|KC|Keltner|Donchian|FVG|VolumeProfile|SAR|PSAR|Ichimoku)/i;

/** The column name rules use for an indicator output (the original's id-prefix rule, compat §2.0). */
function columnName(id: string, output: string): string {
  if (output === id || output.startsWith(`${id}_`)) return output;
  return `${id}_${output}`;
}

function toCandle(p: { openTime: number; closeTime: number; open: string; high: string; low: string; close: string; volume: string }): Candle {
  return { openTime: p.openTime, closeTime: p.closeTime, open: Number(p.open), high: Number(p.high), low: Number(p.low), close: Number(p.close), volume: Number(p.volume) };
}

/**
 * The strategy's indicators over the recent closed candles on the bus, computed by the engine exactly
 * as the paper-trader computes them: its config's indicator definitions, the engine's candle
 * aggregation to each indicator's timeframe, the engine's batch indicator code.
 */
export async function indicatorSeries(bus: MessageBus, record: StrategyRecord, limit: number): Promise<IndicatorsResponse> {
  const setup = buildTradingSetup(record.configYaml, record.configName, { strategyId: record.id });
  const response: IndicatorsResponse = { strategyId: record.id, symbol: record.symbol, series: [], candlesUsed: 0 };
  if (!setup.ok) return response;
  const config = setup.config;
  const indicators = config.indicators.filter((ic) => isTimeframe(ic.timeframe));
  if (indicators.length === 0) return response;
  const widestMinutes = Math.max(...indicators.map((ic) => (isTimeframe(ic.timeframe) ? timeframeMs(ic.timeframe) / 60_000 : 1)));
  const entries = await bus.readLatest(Streams.candles(config.marketSymbol), Math.min(MAX_BASE_CANDLES, (limit + WARMUP_CANDLES) * widestMinutes));
  const base: Candle[] = [];
  for (const e of entries) if (isMessage(e.envelope, MessageType.candleClosed)) base.push(toCandle(e.envelope.payload));
  base.sort((a, b) => a.openTime - b.openTime);
  response.candlesUsed = base.length;
  const byTimeframe = new Map<string, Candle[]>();
  for (const ic of indicators) {
    const tf = ic.timeframe;
    if (!isTimeframe(tf)) continue;
    let candles = byTimeframe.get(tf);
    if (!candles) {
      if (tf === '1m') candles = base;
      else {
        const aggregator = new CandleAggregator(tf);
        candles = [];
        for (const c of base) candles.push(...aggregator.add(c));
      }
      byTimeframe.set(tf, candles);
    }
    const definition = indicatorRegistry.get(ic.type);
    if (!definition) continue;
    const parsed = definition.parseParams({ ...ic.params });
    if (!parsed.ok) continue;
    let columns: Record<string, readonly unknown[]>;
    try {
      columns = computeBatch(definition, parsed.params, candles);
    } catch {
      continue; // an indicator that needs upstream columns is not drawn here
    }
    const outputs = Object.keys(columns);
    for (const output of outputs) {
      const values = columns[output] ?? [];
      const points: { time: number; value: number }[] = [];
      candles.forEach((c, i) => {
        const v = values[i];
        if (typeof v === 'number' && Number.isFinite(v)) points.push({ time: c.closeTime, value: v });
      });
      if (points.length === 0) continue;
      response.series.push({
        name: columnName(ic.id, output),
        indicatorId: ic.id,
        type: ic.type,
        output,
        timeframe: tf,
        overlay: OVERLAY_TYPES.test(ic.type),
        points: points.slice(-limit),
      });
    }
  }
  return response;
}
