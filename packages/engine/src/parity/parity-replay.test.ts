import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTradingSetup } from '../kernel/trading-setup.js';
import { TradingCore } from '../kernel/trading-core.js';
import { decodeRecordedInput, encodeRecordedInput, type RecordedCandle } from '../market/recorded-input.js';
import { simulatedMarketInputs } from '../market/testing/simulated-market-inputs.js';
import { compareWithReplay, ParityReplay } from './parity-replay.js';
import type { PaperEvent, PaperRecord, RecordedLogEntry } from './parity-types.js';
import { recordedEventOf } from './recorded-event.js';

const configDir = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'config');
/** the demo EMA cross with stops, a target and a partial exit: orders filled by trades and books, with fees */
const STRATEGY = `${fs.readFileSync(path.join(configDir, 'demo-ema-cross.yaml'), 'utf8')}
risk_management:
  stop_loss: { percent: 0.004 }
  take_profit: { percent: 0.008, partial_exits: [{ level: 0.003, percent: 0.5 }] }
`;

function freshCore(yaml = STRATEGY): TradingCore {
  const s = buildTradingSetup(yaml, 'strategy.yaml', { strategyId: 'parity', tradingStartTime: 0 });
  if (!s.ok) throw new Error(JSON.stringify(s.errors));
  return new TradingCore(s.strategy, s.coreOptions);
}

/** A seeded session as the paper trader's market log holds it: numbered, JSON, decimals as text. */
const LOG: RecordedLogEntry[] = JSON.parse(JSON.stringify(simulatedMarketInputs(600, 11).map((x, i) => ({ seq: i + 1, ...encodeRecordedInput(x) })))) as RecordedLogEntry[];

interface PaperRun {
  record: PaperRecord;
  /** the log entry that produced each event seq */
  inputOf: Map<number, number>;
}

/**
 * Paper trading over the log as the paper trader does it: one core stepped entry by entry, every
 * core event numbered and written to an event log (through JSON, as a store does), an indicator
 * checkpoint taken from a snapshot image restored into a fresh core, and the account at the end.
 */
function paperRun(log: readonly RecordedLogEntry[], checkpointSeq: number): PaperRun {
  const core = freshCore();
  const events: PaperEvent[] = [];
  const inputOf = new Map<number, number>();
  let seq = 0;
  let checkpoint: PaperRecord['indicators'][number] | null = null;
  for (const entry of log) {
    for (const e of core.onInput(decodeRecordedInput(entry))) {
      seq += 1;
      inputOf.set(seq, entry.seq);
      const r = recordedEventOf(e);
      if (r) events.push({ seq, ...r });
    }
    if (entry.seq === checkpointSeq) {
      const restored = freshCore();
      restored.restoreImage(JSON.parse(JSON.stringify(core.stateImage())));
      checkpoint = { seq: entry.seq, values: restored.logic.columns() };
    }
  }
  const l = core.ledger.snapshot();
  const record: PaperRecord = { events, balances: { cash: l.cash, quantity: l.quantity, avgEntryPrice: l.avgEntryPrice, realizedPnl: l.realizedPnl, feesPaid: l.feesPaid }, indicators: checkpoint ? [checkpoint] : [] };
  return { record: JSON.parse(JSON.stringify(record)) as PaperRecord, inputOf };
}

const lastCandleSeq = LOG.filter((e) => e.kind === 'candle').at(-1)!.seq;
const PAPER = paperRun(LOG, lastCandleSeq);

/** The log with one candle's close (and high, if needed) changed, as if the replay read different data. */
function withClose(seq: number, close: (old: number) => number): RecordedLogEntry[] {
  return LOG.map((e) => {
    if (e.seq !== seq) return e;
    const c = e.data as RecordedCandle;
    const next = close(Number(c.close));
    return { ...e, data: { ...c, close: String(next), high: String(Math.max(Number(c.high), next)), low: String(Math.min(Number(c.low), next)) } };
  });
}

describe('parity: paper trading against the replay of its recorded log', () => {
  it('a clean simulated run passes: every event, the indicators and the account match exactly', () => {
    const result = compareWithReplay(freshCore(), LOG, PAPER.record);
    expect(result.verdict).toBe('pass');
    expect(result.firstDivergence).toBeUndefined();
    expect(result.window).toEqual({ fromSeq: 1, toSeq: LOG.length, from: LOG[0]!.time, to: LOG.at(-1)!.time, inputs: LOG.length });
    // it compared something real: fills with fees, several kinds of events, indicator values
    const types = new Set(PAPER.record.events.map((e) => e.type));
    expect([...types]).toEqual(expect.arrayContaining(['signal', 'order.submitted', 'order.accepted', 'trade', 'order.filled', 'order.cancelled']));
    expect(result.compared.events).toBe(PAPER.record.events.length);
    expect(result.compared.indicatorCheckpoints).toBe(1);
    expect(result.compared.indicatorValues).toBeGreaterThanOrEqual(2);
    expect(result.compared.balances).toBe(true);
    expect(result.maxIndicatorDeviation).toBe(0);
    expect(PAPER.record.balances!.feesPaid).not.toBe('0');
  });

  it('a candle read differently by the replay is caught at the decision it changes, with both prices', () => {
    const signal = PAPER.record.events.find((e) => e.type === 'signal')!;
    const candleSeq = PAPER.inputOf.get(signal.seq)!;
    const paperPrice = (signal.data as { price: number }).price;
    const result = compareWithReplay(freshCore(), withClose(candleSeq, (c) => c + 0.01), PAPER.record);
    expect(result.verdict).toBe('fail');
    expect(result.firstDivergence).toEqual({ at: signal.time, kind: 'decision', field: 'price', paper: paperPrice, replay: paperPrice + 0.01, eventSeq: signal.seq, eventType: 'signal', inputSeq: candleSeq });
    // everything before it matched
    expect(result.compared.events).toBe(PAPER.record.events.filter((e) => e.seq < signal.seq).length);
  });

  it('a fee model that differs on the replay side is caught at the first order it sizes differently', () => {
    const dearer = STRATEGY.replace('commission: 0.001', 'commission: 0.002');
    const replayEvents = paperRunWith(dearer);
    const firstSubmitted = PAPER.record.events.find((e) => e.type === 'order.submitted')!;
    const replayFirst = replayEvents.find((e) => e.type === 'order.submitted')!;
    const result = compareWithReplay(freshCore(dearer), LOG, PAPER.record);
    expect(result.firstDivergence).toMatchObject({ kind: 'order', field: 'quantity', paper: (firstSubmitted.data as { quantity: string }).quantity, replay: (replayFirst.data as { quantity: string }).quantity, eventSeq: firstSubmitted.seq });
    expect(result.firstDivergence!.paper).not.toBe(result.firstDivergence!.replay);
  });

  it('indicator values: a difference inside the tolerance passes and is reported; tolerance 0 demands exact values', () => {
    // the last candle, after the last event: only the indicators can tell
    const lastEventInput = Math.max(...PAPER.inputOf.values());
    expect(lastCandleSeq).toBeGreaterThan(lastEventInput);
    const log = withClose(lastCandleSeq, (c) => c * (1 + 1e-9));
    const tolerant = compareWithReplay(freshCore(), log, PAPER.record);
    expect(tolerant.verdict).toBe('pass');
    expect(tolerant.maxIndicatorDeviation).toBeGreaterThan(0);
    expect(tolerant.maxIndicatorDeviation).toBeLessThan(0.0001);

    const strict = compareWithReplay(freshCore(), log, PAPER.record, { indicatorTolerance: 0 });
    expect(strict.verdict).toBe('fail');
    const cp = PAPER.record.indicators[0]!;
    const d = strict.firstDivergence!;
    expect(d).toMatchObject({ kind: 'indicator', at: LOG.find((e) => e.seq === lastCandleSeq)!.time, inputSeq: lastCandleSeq });
    expect(d.paper).toBe(cp.values[d.field]);
    expect(d.replay).not.toBe(d.paper);
    expect(Math.abs((d.replay as number) - (d.paper as number)) / Math.abs(d.paper as number)).toBeLessThan(1e-8);
  });

  it('an event paper trading recorded that the replay never produced, and the account at the end', () => {
    // paper stopped before its last inputs: the replay sees fewer events than recorded
    const cut = PAPER.record.events.at(-1)!;
    const upTo = PAPER.inputOf.get(cut.seq)! - 1;
    const missing = compareWithReplay(freshCore(), LOG.filter((e) => e.seq <= upTo), { ...PAPER.record, balances: null });
    expect(missing.firstDivergence).toMatchObject({ field: 'type', paper: cut.type, replay: null, eventSeq: PAPER.record.events.find((e) => PAPER.inputOf.get(e.seq)! > upTo)!.seq });

    const balances = { ...PAPER.record.balances!, cash: '1' };
    const wrongCash = compareWithReplay(freshCore(), LOG, { ...PAPER.record, balances });
    expect(wrongCash.firstDivergence).toEqual({ at: LOG.at(-1)!.time, kind: 'balance', field: 'cash', paper: '1', replay: PAPER.record.balances!.cash, inputSeq: LOG.length });
  });

  it('fed in chunks it gives the same result, and refuses a log out of order', () => {
    const replay = new ParityReplay(freshCore(), PAPER.record);
    for (let i = 0; i < LOG.length; i += 500) replay.feed(LOG.slice(i, i + 500));
    expect(replay.finish()).toEqual(compareWithReplay(freshCore(), LOG, PAPER.record));
    const again = new ParityReplay(freshCore(), PAPER.record);
    again.feed(LOG.slice(0, 10));
    expect(() => again.feed(LOG.slice(5, 6))).toThrow(/not after/);
  });
});

function paperRunWith(yaml: string): PaperEvent[] {
  const core = freshCore(yaml);
  const out: PaperEvent[] = [];
  let seq = 0;
  for (const entry of LOG)
    for (const e of core.onInput(decodeRecordedInput(entry))) {
      seq += 1;
      const r = recordedEventOf(e);
      if (r) out.push({ seq, ...r });
    }
  return out;
}
