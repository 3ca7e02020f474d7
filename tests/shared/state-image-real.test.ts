/**
 * TradingCore.stateImage() / restoreImage() over the original btc_research configs (third-party,
 * read in place from ../shared/reference/btc_research-configs) and 20,000 real BTCUSDT 1m candles
 * (../shared/data/candles, June 2025): every config the engine accepts is cut at three seeded-random
 * points; a core freshly built from the same YAML and given the image (through JSON) must hold the
 * same state and then produce exactly the events, summary and snapshot of a core that never stopped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRng, seedFromString } from '../../packages/engine/src/core/rng.js';
import type { StateImage } from '../../packages/engine/src/kernel/state-image.js';
import { TradingCore, type CoreInput, type CoreSnapshot, type CoreSummary } from '../../packages/engine/src/kernel/trading-core.js';
import { buildTradingSetup } from '../../packages/engine/src/kernel/trading-setup.js';
import { parseKlineCsv } from '../../packages/engine/src/market/kline-csv.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = resolve(repoRoot, '..', 'shared');
const configDir = join(shared, 'reference', 'btc_research-configs');
const DATA = join(shared, 'data', 'candles', 'binance_spot_btcusdt_1m_2025-06-01_2025-07-01.csv');
/** ≈ 14 days: long enough for the slowest warm-up (≈ 12,000 min) to end and every accepted config to trade. */
const CANDLES = 20_000;
const CUTS_PER_CONFIG = 3;
/** The files validate-configs.test.ts expects to pass (`pass: true` there); the other 11 are rejected by the engine. */
const EXPECTED_ACCEPTED = 26;

function configFiles(): string[] {
  if (!existsSync(configDir)) throw new Error(`the original configs are expected at ${configDir} (../shared next to the repository)`);
  return readdirSync(configDir).filter((f) => f.endsWith('.yaml')).sort();
}

const setupOptions = { strategyId: 'image', tradingStartTime: 0 };
const all = configFiles().map((file) => ({ file, yaml: readFileSync(join(configDir, file), 'utf8') }));
const accepted = all.filter(({ file, yaml }) => buildTradingSetup(yaml, file, setupOptions).ok);

function coreFor(yaml: string, file: string): TradingCore {
  const setup = buildTradingSetup(yaml, file, setupOptions);
  if (!setup.ok) throw new Error(`${file}: ${JSON.stringify(setup.errors)}`);
  return new TradingCore(setup.strategy, setup.coreOptions);
}

const roundTrip = (image: StateImage): StateImage => JSON.parse(JSON.stringify(image)) as StateImage;
/** The events of each input, one JSON text per input. */
const feed = (core: TradingCore, inputs: readonly CoreInput[]): string[] => inputs.map((x) => JSON.stringify(core.onInput(x)));

/** One seeded-random cut in each third of the series (never 0, never the end), different per config. */
function cutsFor(file: string, length: number): number[] {
  const rng = new SeededRng(seedFromString(`state-image:${file}`));
  return Array.from({ length: CUTS_PER_CONFIG }, (_, k) => {
    const lo = Math.max(1, Math.floor((k * length) / CUTS_PER_CONFIG));
    const hi = Math.floor(((k + 1) * length) / CUTS_PER_CONFIG);
    return lo + Math.floor(rng.next() * (hi - lo));
  });
}

/** null when equal, otherwise where the two event streams first part (input index, candle time, events). */
function firstDifference(actual: readonly string[], expected: readonly string[], offset: number, inputs: readonly CoreInput[]): string | null {
  if (actual.length !== expected.length) return `${actual.length} inputs' events instead of ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] === expected[i]) continue;
    const input = inputs[offset + i]!;
    const at = input.kind === 'candle' ? new Date(input.candle.openTime).toISOString() : input.kind;
    const a = JSON.parse(actual[i]!) as unknown[];
    const e = JSON.parse(expected[i]!) as unknown[];
    let j = 0;
    while (j < Math.min(a.length, e.length) && JSON.stringify(a[j]) === JSON.stringify(e[j])) j++;
    return `input ${offset + i} (candle ${at}), event ${j}: got ${JSON.stringify(a[j] ?? null).slice(0, 800)}, expected ${JSON.stringify(e[j] ?? null).slice(0, 800)}`;
  }
  return null;
}

interface Reference {
  events: string[];
  summary: CoreSummary;
  snapshot: CoreSnapshot;
  /** the uninterrupted core's state at each cut */
  atCuts: Array<{ cut: number; ready: boolean; inPosition: boolean; openOrders: number }>;
}

describe(`state image over the original configs and ${CANDLES} real 1m candles`, () => {
  let inputs: CoreInput[] = [];
  const references = new Map<string, Reference>();

  beforeAll(() => {
    if (!existsSync(DATA)) throw new Error(`real candles expected at ${DATA} (../shared next to the repository)`);
    const candles = parseKlineCsv(readFileSync(DATA, 'utf8')).slice(0, CANDLES);
    expect(candles).toHaveLength(CANDLES);
    inputs = candles.map((candle) => ({ kind: 'candle', candle }));
    // a reference core per config, fed everything without a stop
    for (const { file, yaml } of accepted) {
      const core = coreFor(yaml, file);
      const cuts = new Set(cutsFor(file, inputs.length));
      const events: string[] = [];
      const atCuts: Reference['atCuts'] = [];
      inputs.forEach((input, i) => {
        if (cuts.has(i)) {
          const s = core.summary();
          atCuts.push({ cut: i, ready: s.ready, inPosition: s.ledger.quantity !== '0', openOrders: s.openOrders });
        }
        events.push(JSON.stringify(core.onInput(input)));
      });
      references.set(file, { events, summary: core.summary(), snapshot: core.snapshot(), atCuts });
    }
  });

  it(`the engine accepts ${EXPECTED_ACCEPTED} of the 37 with default options (the test cannot become empty)`, () => {
    expect(all).toHaveLength(37);
    expect(accepted.length).toBeGreaterThan(20);
    expect(accepted).toHaveLength(EXPECTED_ACCEPTED);
  });

  it('the run is meaningful: configs trade, and cuts fall in warm-up and while in a position or with orders open', () => {
    const refs = [...references.values()];
    expect(refs).toHaveLength(accepted.length);
    const trades = refs.reduce((n, r) => n + r.summary.tradeCount, 0);
    expect(trades).toBeGreaterThan(0);
    expect(refs.filter((r) => r.summary.tradeCount > 0).length).toBeGreaterThan(20);
    const cuts = refs.flatMap((r) => r.atCuts);
    expect(cuts).toHaveLength(accepted.length * CUTS_PER_CONFIG);
    expect(cuts.filter((c) => !c.ready).length).toBeGreaterThan(0);
    expect(cuts.filter((c) => c.ready).length).toBeGreaterThan(0);
    expect(cuts.filter((c) => c.inPosition || c.openOrders > 0).length).toBeGreaterThan(0);
  });

  it.each(accepted)('$file: restored at 3 seeded-random cuts, same state, then the same events, summary and snapshot to the end', ({ file, yaml }) => {
    const reference = references.get(file);
    if (!reference) throw new Error(`${file}: no reference run`);
    for (const cut of cutsFor(file, inputs.length)) {
      const original = coreFor(yaml, file);
      const before = feed(original, inputs.slice(0, cut));
      expect(firstDifference(before, reference.events.slice(0, cut), 0, inputs), `${file} cut ${cut}: not deterministic before the cut`).toBeNull();
      const image = roundTrip(original.stateImage());
      const fresh = coreFor(yaml, file);
      fresh.restoreImage(image);
      expect(fresh.stateImage(), `${file} cut ${cut}: restored state`).toEqual(original.stateImage());
      const after = feed(fresh, inputs.slice(cut));
      expect(firstDifference(after, reference.events.slice(cut), cut, inputs), `${file} cut ${cut}: events after the cut`).toBeNull();
      expect(fresh.summary(), `${file} cut ${cut}: final summary`).toEqual(reference.summary);
      expect(fresh.snapshot(), `${file} cut ${cut}: final snapshot`).toEqual(reference.snapshot);
    }
  });
});
