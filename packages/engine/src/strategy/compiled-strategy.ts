import { isTimeframe, timeframeMs, type Timeframe } from '../candles/timeframe.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from '../indicators/indicator.js';
import { indicatorRegistry } from '../indicators/registry.js';
import type { Candle } from '../model/candle.js';
import { prefixColumns, mergeTimeframeColumns, type MergedColumn } from './column-naming.js';
import type { ConfigProblem, IncompleteCandles, RuleCombinator, RuleListName, StrategyConfig } from './config-schema.js';
import { positionInValue } from './config-loader.js';
import { compileRule } from './expression-compiler.js';
import type { PositionSide, Signal, StrategyLogic } from './strategy-logic.js';
import { computeLookahead, type LookaheadSeries } from './lookahead.js';
import { warmupReportOf, type WarmupReport } from './warmup.js';
import type { IndicatorSlot } from './indicator-slot.js';

export type CompatMode = 'legacy' | 'default';

export interface CompileOptions {
  /** overrides the config's `compat` key (CLI flag --compat) */
  compat?: CompatMode;
  /** locates a problem in the YAML source (from loadStrategyConfig's result) */
  problemAt?: (path: string, code: string, message: string, extra?: { found?: string; allowed?: string }) => ConfigProblem;
}

export type CompileResult = { ok: true; strategy: CompiledStrategy } | { ok: false; errors: ConfigProblem[] };

interface CompiledRule {
  source: string;
  evaluate: () => boolean;
}

export interface TimeframeState {
  timeframe: Timeframe;
  slots: IndicatorSlot[];
  last: Candle | null;
  /**
   * Legacy look-ahead (compat §3.3): this timeframe's whole series computed before the run and
   * read by OPEN time, so an entry bar sees the higher-timeframe candle still in progress.
   */
  lookahead: LookaheadSeries | null;
}

/**
 * How higher-timeframe values reach the entry timeframe:
 * - `close-time`: the last candle of that timeframe that has closed (default; no look-ahead);
 * - `open-time`: the original's forward fill by open time, which reads the candle in progress
 *   (compat: legacy, backtests only: needs the whole series before the run);
 * - `close-time-fallback`: compat: legacy without the series (paper trading cannot see the
 *   future), so close-time alignment is used and `alignmentWarning` says so.
 */
export type Alignment = 'close-time' | 'open-time' | 'close-time-fallback';

const LISTS: readonly RuleListName[] = ['entry_long', 'exit_long', 'entry_short', 'exit_short'];

/**
 * A strategy config compiled once: indicator instances per timeframe (config order), column names by
 * the original's id-prefix rule, rules compiled to closures. Higher-timeframe values are read from
 * the last *closed* candle of their timeframe, so nothing is visible before its close time.
 */
export class CompiledStrategy implements StrategyLogic {
  readonly name: string;
  readonly entryTimeframe: Timeframe;
  readonly timeframes: readonly Timeframe[];
  readonly warmupMinutes: number;
  readonly compat: CompatMode;
  readonly incompleteCandles: IncompleteCandles;
  readonly columnNames: readonly string[];
  private readonly frames: Map<Timeframe, TimeframeState>;
  private readonly lists: Record<RuleListName, { rules: CompiledRule[]; mode: RuleCombinator }>;
  private readonly readiness: Indicator[];
  private readonly lagged: Array<{ read: () => IndicatorValue; history: IndicatorValue[]; size: number }>;
  private readonly readers: Map<string, () => IndicatorValue>;
  /** history length per indicator the rules read and in total (docs/backtesting.md, warm-up) */
  readonly warmup: WarmupReport;
  /** rule quirks that change a verdict in this mode (legacy: `not`, string compare, subscripts, …), located in the YAML */
  readonly ruleWarnings: readonly ConfigProblem[];
  /**
   * compat: legacy only: one LEGACY_UNKNOWN_NAME warning per name the rules read that is no column
   * (default mode refuses such a config). buildTradingSetup adds them to its warnings, so validate,
   * the backtest and the API's validation show them.
   */
  readonly unknownNameWarnings: readonly ConfigProblem[];
  private readonly maxLag: number;
  private readonly readinessByFrame: Map<TimeframeState, Indicator[]>;
  /** `indicators`: no decision before the rules' indicators are ready (default); `none`: compat: legacy */
  private readonly warmupGate: 'indicators' | 'none';
  /** entry bars seen, and the entry bar at which every indicator the rules read was first ready */
  private entryBars = 0;
  private readyAt: number | null = null;

  private constructor(init: {
    name: string;
    entryTimeframe: Timeframe;
    frames: Map<Timeframe, TimeframeState>;
    lists: Record<RuleListName, { rules: CompiledRule[]; mode: RuleCombinator }>;
    readiness: Indicator[];
    warmupMinutes: number;
    compat: CompatMode;
    incompleteCandles: IncompleteCandles;
    lagged: Array<{ read: () => IndicatorValue; history: IndicatorValue[]; size: number }>;
    readers: Map<string, () => IndicatorValue>;
    warmup: WarmupReport;
    maxLag: number;
    ruleWarnings: ConfigProblem[];
    unknownNameWarnings: ConfigProblem[];
  }) {
    this.name = init.name;
    this.entryTimeframe = init.entryTimeframe;
    this.frames = init.frames;
    this.timeframes = [...init.frames.keys()].sort((a, b) => timeframeMs(a) - timeframeMs(b));
    this.lists = init.lists;
    this.readiness = init.readiness;
    this.warmupMinutes = init.warmupMinutes;
    this.compat = init.compat;
    this.incompleteCandles = init.incompleteCandles;
    this.lagged = init.lagged;
    this.readers = init.readers;
    this.columnNames = [...init.readers.keys()];
    this.warmup = init.warmup;
    this.maxLag = init.maxLag;
    this.ruleWarnings = init.ruleWarnings;
    this.unknownNameWarnings = init.unknownNameWarnings;
    this.warmupGate = init.compat === 'legacy' ? 'none' : 'indicators';
    this.readinessByFrame = new Map();
    for (const frame of init.frames.values()) {
      const indicators = frame.slots.filter((s) => init.readiness.includes(s.indicator)).map((s) => s.indicator);
      if (indicators.length > 0) this.readinessByFrame.set(frame, indicators);
    }
  }

  static compile(config: StrategyConfig, options: CompileOptions = {}): CompileResult {
    const errors: ConfigProblem[] = [];
    const problem = (path: string, code: string, message: string, extra?: { found?: string; allowed?: string }): ConfigProblem =>
      options.problemAt ? options.problemAt(path, code, message, extra) : { code, message, file: config.file, line: 1, column: 1, path, ...extra };
    const compat: CompatMode = options.compat ?? config.compat;
    const entryTf = config.entryTimeframe as Timeframe;
    const frames = new Map<Timeframe, TimeframeState>();
    frames.set(entryTf, { timeframe: entryTf, slots: [], last: null, lookahead: null });

    // 1. Indicators, in config order, each on its own timeframe.
    /** ids of indicators that could not be built at all: rules naming their columns are not reported again */
    const failedIds: string[] = [];
    for (const ic of config.indicators) {
      const path = `indicators[${ic.index}]`;
      const definition: IndicatorDefinition | undefined = indicatorRegistry.get(ic.type);
      if (!definition) {
        const known = [...indicatorRegistry.keys()];
        failedIds.push(ic.id);
        errors.push(problem(`${path}.type`, 'UNKNOWN_INDICATOR_TYPE', `unknown indicator type "${ic.type}"; known types: ${known.join(', ')}`, { found: ic.type, allowed: known.join(', ') }));
        continue;
      }
      if (!isTimeframe(ic.timeframe)) continue; // the loader already reported it
      if (compat === 'legacy') {
        // the original's registry and constructors: anything this project added failed there
        if (definition.original === undefined) {
          const originals = [...indicatorRegistry.values()].filter((d) => d.original !== undefined).map((d) => d.type);
          failedIds.push(ic.id);
          errors.push(problem(`${path}.type`, 'LEGACY_UNKNOWN_INDICATOR_TYPE', `"${ic.type}" is not an indicator of the original btc_research, which failed on it; compat: legacy knows ${originals.join(', ')} (use compat: default for ${ic.type})`, { found: ic.type, allowed: originals.join(', ') }));
          continue;
        }
        // keys this project added (the registry accepts them); other unknown keys are reported by parseParams below
        const added = Object.keys(ic.params).filter((k) => !definition.original!.params.includes(k) && definition.parseParams({ [k]: ic.params[k] }).ok);
        if (added.length > 0) {
          errors.push(problem(`${path}.${added[0]}`, 'INVALID_INDICATOR_PARAMS', `${ic.id}: ${ic.type} of the original btc_research has no parameter ${added.map((k) => `"${k}"`).join(', ')} (it failed on it; compat: default has it); allowed in compat: legacy: ${definition.original.params.join(', ')}`, { found: added.join(', '), allowed: definition.original.params.join(', ') }));
        }
      }
      let parsed = definition.parseParams({ ...ic.params });
      if (!parsed.ok) {
        for (const message of parsed.errors) errors.push(problem(path, 'INVALID_INDICATOR_PARAMS', `${ic.id}: ${message}`));
        // Carry on with the parameters that are valid on their own (defaults for the rest) so the
        // rules are still checked and every problem of the file is listed at once; the result is
        // an error in any case.
        parsed = salvageParams(definition, ic.params);
        if (!parsed.ok) {
          failedIds.push(ic.id);
          continue;
        }
      }
      const indicator = definition.create(parsed.params);
      let frame = frames.get(ic.timeframe);
      if (!frame) {
        frame = { timeframe: ic.timeframe, slots: [], last: null, lookahead: null };
        frames.set(ic.timeframe, frame);
      }
      const upstreamSources: IndicatorSlot['upstreamSources'] = [];
      for (const earlier of frame.slots) earlier.columns.forEach((_, index) => upstreamSources.push({ slot: earlier, index }));
      const params = parsed.params;
      frame.slots.push({
        id: ic.id,
        type: ic.type,
        timeframe: ic.timeframe,
        indicator,
        create: () => definition.create(params),
        read: false,
        columns: prefixColumns(ic.id, indicator.outputNames),
        upstream: upstreamSources.map(({ slot, index }) => [slot.columns[index]!, null]),
        upstreamSources,
      });
    }

    // 2. Column names of the merged frame (entry timeframe first, then others in config order).
    const order: Timeframe[] = [entryTf];
    for (const ic of config.indicators) if (isTimeframe(ic.timeframe) && !order.includes(ic.timeframe)) order.push(ic.timeframe);
    const merged = mergeTimeframeColumns(
      entryTf,
      order.map((tf) => ({ timeframe: tf, columns: (frames.get(tf)?.slots ?? []).flatMap((s) => s.columns) })),
    );
    for (const c of merged.collisions) errors.push(problem('indicators', 'DUPLICATE_COLUMN', `two indicators produce the column "${c.name}" on ${c.timeframe}; give them distinct ids`, { found: c.name }));
    const readers = new Map<string, () => IndicatorValue>();
    const owner = new Map<string, IndicatorSlot>();
    for (const col of merged.columns) {
      const reader = makeReader(col, frames, owner, compat === 'legacy' && col.timeframe !== entryTf);
      if (reader) readers.set(col.name, reader);
    }
    const available = [...readers.keys()];

    // 3. Rules, compiled once to closures.
    const lagged: Array<{ read: () => IndicatorValue; history: IndicatorValue[]; size: number }> = [];
    const laggedByName = new Map<string, { read: () => IndicatorValue; history: IndicatorValue[]; size: number }>();
    const used = new Set<IndicatorSlot>();
    const resolve = (name: string, lag: number): (() => IndicatorValue) | undefined => {
      const read = readers.get(name);
      if (!read) return undefined;
      const slot = owner.get(name);
      if (slot) used.add(slot);
      if (lag === 0) return read;
      let h = laggedByName.get(name);
      if (!h) {
        h = { read, history: [], size: 0 };
        laggedByName.set(name, h);
        lagged.push(h);
      }
      h.size = Math.max(h.size, lag);
      const hist = h;
      // history[0] is the value one entry bar ago
      return () => hist.history[lag - 1] ?? null;
    };
    const lists = {} as Record<RuleListName, { rules: CompiledRule[]; mode: RuleCombinator }>;
    const ruleWarnings: ConfigProblem[] = [];
    /** compat: legacy: each unknown name once, where it first appears, with every rule naming it */
    const unknown = new Map<string, { path: string; line: number; column: number; rules: string[]; hint: string }>();
    for (const list of LISTS) {
      const explicitMode = config.positions[`logic.${list}_mode`] !== undefined;
      const isExit = list.startsWith('exit');
      const mode: RuleCombinator = explicitMode ? config.logic.modes[list] : isExit && compat === 'default' ? 'any' : 'all';
      const rules: CompiledRule[] = [];
      config.logic.lists[list].forEach((source, i) => {
        const path = `${config.logic.sources[list]}[${i}]`;
        // legacy: a rule naming an unknown column loads, as in the original, and is always false
        const compiled = compileRule(source, resolve, { legacy: compat === 'legacy', availableNames: available, allowUnknownNames: compat === 'legacy' });
        if (compiled.ok) {
          rules.push({ source, evaluate: compiled.evaluate });
          for (const w of compiled.warnings) {
            const at = positionInValue(config, path, w.offset);
            if (w.code === 'UNKNOWN_NAME' && w.found !== undefined) {
              const seen = unknown.get(w.found);
              const rule = `${list}[${i}] "${source}"`;
              if (seen) {
                if (!seen.rules.includes(rule)) seen.rules.push(rule);
              } else unknown.set(w.found, { path, line: at.line, column: at.column, rules: [rule], hint: /did you mean [^?]*\?/.exec(w.message)?.[0] ?? '' });
              continue;
            }
            const base = problem(path, w.code, `${list}[${i}] "${source}": ${w.message}`, w.found !== undefined ? { found: w.found } : undefined);
            ruleWarnings.push({ ...base, line: at.line, column: at.column });
          }
          return;
        }
        for (const e of compiled.errors) {
          if (e.code === 'UNKNOWN_NAME' && e.found !== undefined && failedIds.some((id) => e.found === id || e.found!.startsWith(`${id}_`))) continue;
          const at = positionInValue(config, path, e.offset);
          const base = problem(path, e.code, `${list}[${i}] "${source}": ${e.message}`, {
            ...(e.found !== undefined ? { found: e.found } : {}),
            ...(e.allowed !== undefined ? { allowed: e.allowed } : {}),
          });
          errors.push({ ...base, line: at.line, column: at.column });
        }
      });
      lists[list] = { rules, mode };
    }
    if (errors.length > 0) return { ok: false, errors };
    const unknownNameWarnings = [...unknown].map(([name, u]) => {
      const where = u.rules.length === 1 ? `rule ${u.rules[0]}` : `${u.rules.length} rules: ${u.rules.join(', ')}`;
      const base = problem(u.path, 'LEGACY_UNKNOWN_NAME', `unknown name \`${name}\` in ${where}: the original's pandas.eval raised on it, so in legacy mode ${u.rules.length === 1 ? 'this rule is' : 'each of these rules is'} always false${u.hint ? `; ${u.hint}` : ''}`, { found: name });
      return { ...base, line: u.line, column: u.column };
    });

    // 4. Warm-up: every indicator a rule reads, plus the earlier ones on its timeframe (composites read them).
    const readiness = new Set<Indicator>();
    for (const slot of used) {
      slot.read = true;
      const frame = frames.get(slot.timeframe)!;
      for (const s of frame.slots) {
        readiness.add(s.indicator);
        if (s === slot) break;
      }
    }
    const maxLag = Math.max(0, ...lagged.map((l) => l.size));
    const allSlots = order.flatMap((tf) => frames.get(tf)?.slots ?? []);
    const warmup = warmupReportOf(allSlots, readiness, entryTf, maxLag, compat === 'legacy');

    return {
      ok: true,
      strategy: new CompiledStrategy({
        name: config.name ?? config.file,
        entryTimeframe: entryTf,
        frames,
        lists,
        readiness: [...readiness],
        warmupMinutes: warmup.totalMinutes,
        compat,
        incompleteCandles: config.incompleteCandles,
        lagged,
        readers,
        warmup,
        maxLag,
        ruleWarnings,
        unknownNameWarnings,
      }),
    };
  }

  onCandle(timeframe: Timeframe, candle: Candle): void {
    const frame = this.frames.get(timeframe);
    if (!frame) return;
    const isEntry = timeframe === this.entryTimeframe;
    // Lagged columns remember the entry-bar values before this bar's update.
    if (isEntry && frame.last !== null) {
      for (const l of this.lagged) {
        l.history.unshift(l.read());
        if (l.history.length > l.size) l.history.length = l.size;
      }
    }
    frame.last = candle;
    if (frame.lookahead === null) this.updateIndicators(frame, candle);
    if (isEntry) {
      // legacy look-ahead: the higher-timeframe row whose OPEN time is at or before this bar's open
      for (const f of this.frames.values()) if (f.lookahead !== null) f.lookahead.seek(candle.openTime);
      this.entryBars += 1;
    }
  }

  private updateIndicators(frame: TimeframeState, candle: Candle): void {
    for (const slot of frame.slots) {
      if (slot.upstream.length > 0) {
        for (let i = 0; i < slot.upstream.length; i++) {
          const src = slot.upstreamSources[i]!;
          slot.upstream[i]![1] = src.slot.indicator.values[src.index]!;
        }
        slot.indicator.update(candle, slot.upstream);
      } else slot.indicator.update(candle);
    }
  }

  /**
   * Whether the strategy decides at this entry bar's close. Default mode: once every indicator a
   * rule reads (and the earlier ones on its timeframe) is ready and enough entry bars have passed
   * for the largest lag `x[k]` in the rules to read ready values. compat: legacy: from the first
   * entry bar, as the original ran its per-bar routine on every bar and its rules read warm-up
   * values as null (NaN semantics of the legacy evaluator), so a rule that passes on the values
   * that exist trades before every indicator is ready.
   */
  isReady(): boolean {
    if (this.warmupGate === 'none') {
      if (this.entryBars === 0) return false;
      this.firstReadyAt ??= this.frames.get(this.entryTimeframe)?.last?.closeTime ?? null;
      return true;
    }
    if (this.readyAt === null) {
      if (!this.indicatorsReady()) return false;
      this.readyAt = this.entryBars;
    }
    const ready = this.entryBars - this.readyAt >= this.maxLag;
    if (ready && this.firstReadyAt === null) this.firstReadyAt = this.frames.get(this.entryTimeframe)?.last?.closeTime ?? null;
    return ready;
  }

  /** close time of the entry bar at which isReady() first returned true (null: not yet) */
  firstReadyAt: number | null = null;

  private indicatorsReady(): boolean {
    if (this.entryBars === 0) return false;
    for (const [frame, indicators] of this.readinessByFrame) {
      if (frame.lookahead !== null) {
        if (!frame.lookahead.ready()) return false;
        continue;
      }
      for (const ind of indicators) if (!ind.isReady()) return false;
    }
    return true;
  }

  /** How higher-timeframe values are aligned in this run (see Alignment). */
  get alignment(): Alignment {
    if (this.compat !== 'legacy' || this.frames.size === 1) return 'close-time';
    for (const f of this.frames.values()) if (f.timeframe !== this.entryTimeframe && f.lookahead === null) return 'close-time-fallback';
    return 'open-time';
  }

  /** Non-null when compat: legacy cannot reproduce the original's look-ahead (no series prepared). */
  get alignmentWarning(): string | null {
    if (this.alignment !== 'close-time-fallback') return null;
    return (
      'compat: legacy reads higher-timeframe values by open time (the original looks up to one higher candle ahead, compat §3.3); ' +
      'that needs the whole series before the run, which only a backtest has. Higher timeframes here use close-time alignment, ' +
      'so results can differ from a legacy backtest (docs/compat.md).'
    );
  }

  /** compat: legacy with a timeframe besides the entry one: prepareLookahead is needed to read it as the original did */
  get needsLookahead(): boolean {
    if (this.compat !== 'legacy') return false;
    for (const f of this.frames.values()) if (f.timeframe !== this.entryTimeframe) return true;
    return false;
  }

  /**
   * compat: legacy only, backtests only: computes every higher timeframe's indicators over the
   * whole run from its 1m candles (the last, partial bucket included, as the original's data feed
   * returns it) so that each entry bar reads the higher-timeframe row by OPEN time (compat §3.3).
   * Call once before the run with the same 1m candles the run will see (runBacktest and
   * strategyBars do, from their input).
   */
  prepareLookahead(minuteCandles: readonly Candle[]): void {
    if (this.compat !== 'legacy') throw new Error('prepareLookahead: only compat: legacy reads higher timeframes by open time');
    for (const frame of this.frames.values()) {
      if (frame.timeframe === this.entryTimeframe) continue;
      frame.lookahead = computeLookahead(frame.slots, frame.timeframe, minuteCandles, (s) => this.readiness.includes(s.indicator), this.incompleteCandles);
    }
  }

  decide(position: PositionSide): Signal | null {
    if (position === 'flat') {
      if (this.passes('entry_long')) return 'entry_long';
      if (this.passes('entry_short')) return 'entry_short';
      return null;
    }
    if (position === 'long') return this.passes('exit_long') ? 'exit_long' : null;
    return this.passes('exit_short') ? 'exit_short' : null;
  }

  /**
   * The signals of this bar. Default: decide()'s one signal (long first; the short is skipped when
   * the long passes, compat §11 #9). compat: legacy, when flat: entry_long and entry_short are
   * evaluated independently and both are returned when both pass, as the original submitted both
   * orders on one bar (compat §6.1 steps 3–4); they fill at the next open and net to zero.
   */
  decideSignals(position: PositionSide): readonly Signal[] {
    if (this.compat === 'legacy' && position === 'flat') {
      const out: Signal[] = [];
      if (this.passes('entry_long')) out.push('entry_long');
      if (this.passes('entry_short')) out.push('entry_short');
      return out;
    }
    const s = this.decide(position);
    return s === null ? [] : [s];
  }

  /** Rules per list and how each list combines them (for `validate`). */
  ruleLists(): Record<RuleListName, { rules: readonly string[]; mode: RuleCombinator }> {
    const out = {} as Record<RuleListName, { rules: readonly string[]; mode: RuleCombinator }>;
    for (const l of LISTS) out[l] = { rules: this.lists[l].rules.map((r) => r.source), mode: this.lists[l].mode };
    return out;
  }

  /** Evaluates one rule list: empty never passes; `all` = every rule, `any` = at least one. */
  passes(list: RuleListName): boolean {
    const { rules, mode } = this.lists[list];
    if (rules.length === 0) return false;
    if (mode === 'all') {
      for (const r of rules) if (!r.evaluate()) return false;
      return true;
    }
    for (const r of rules) if (r.evaluate()) return true;
    return false;
  }

  columns(): Record<string, IndicatorValue> {
    const out: Record<string, IndicatorValue> = {};
    for (const [name, read] of this.readers) {
      const v = read();
      out[name] = typeof v === 'number' && Number.isNaN(v) ? null : v;
    }
    return out;
  }
}

/** The parameters that parse on their own, combined; falls back to all defaults. */
function salvageParams(definition: IndicatorDefinition, raw: Readonly<Record<string, unknown>>): ReturnType<IndicatorDefinition['parseParams']> {
  const valid: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (definition.parseParams({ [k]: v }).ok) valid[k] = v;
  const combined = definition.parseParams(valid);
  return combined.ok ? combined : definition.parseParams({});
}

function makeReader(
  col: MergedColumn,
  frames: Map<Timeframe, TimeframeState>,
  owner: Map<string, IndicatorSlot>,
  legacyHigher: boolean,
): (() => IndicatorValue) | undefined {
  const frame = frames.get(col.timeframe as Timeframe);
  if (!frame) return undefined;
  switch (col.sourceName) {
    case 'open':
      return () => frame.last?.open ?? null;
    case 'high':
      return () => frame.last?.high ?? null;
    case 'low':
      return () => frame.last?.low ?? null;
    case 'close':
      return () => frame.last?.close ?? null;
    case 'volume':
      return () => frame.last?.volume ?? null;
  }
  let flat = 0;
  for (const slot of frame.slots) {
    const index = slot.columns.indexOf(col.sourceName);
    if (index >= 0) {
      owner.set(col.name, slot);
      const values = slot.indicator.values;
      if (!legacyHigher) return () => values[index]!;
      // compat: legacy reads the precomputed series by open time once prepared
      const k = flat + index;
      return () => (frame.lookahead !== null ? frame.lookahead.value(k) : values[index]!);
    }
    flat += slot.columns.length;
  }
  return undefined;
}
