/**
 * The original btc_research strategy configs (third-party, read from ../shared, never copied):
 * every engine-format file loads, the two non-engine files fail with a precise error, and every
 * rule parses and compiles.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadStrategyConfig, selectVariant } from '../../packages/engine/src/strategy/config-loader.js';
import type { ConfigLoadResult } from '../../packages/engine/src/strategy/config-loader.js';
import { RULE_LISTS } from '../../packages/engine/src/strategy/config-schema.js';
import type { StrategyConfig } from '../../packages/engine/src/strategy/config-schema.js';
import { columnsOf } from '../../packages/engine/src/strategy/expression-ast.js';
import { compileExpression } from '../../packages/engine/src/strategy/expression-compiler.js';
import { parseExpression } from '../../packages/engine/src/strategy/expression-parser.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const configDir = resolve(repoRoot, '..', 'shared', 'reference', 'btc_research-configs');
const NOT_ENGINE_FORMAT = ['adx-test__0084988.yaml', 'risk-based-position-sizing__0084988.yaml'];

function files(): string[] {
  if (!existsSync(configDir)) throw new Error(`the original configs are expected at ${configDir} (../shared next to the repository)`);
  return readdirSync(configDir).filter((f) => f.endsWith('.yaml')).sort();
}
const load = (file: string, strict = false): ConfigLoadResult => loadStrategyConfig(readFileSync(join(configDir, file), 'utf8'), file, { strict });

const loaded = new Map<string, { config: StrategyConfig; text: string }>();
for (const f of files()) {
  const r = load(f);
  if (r.ok) loaded.set(f, { config: r.config, text: readFileSync(join(configDir, f), 'utf8') });
}

/** Every rule of a config: top-level lists and variants, with its document path. */
function rulesOf(config: StrategyConfig): { path: string; source: string }[] {
  const out: { path: string; source: string }[] = [];
  for (const l of RULE_LISTS) config.logic.lists[l].forEach((source, i) => out.push({ path: `logic.${l}[${i}]`, source }));
  for (const [name, v] of Object.entries(config.variants)) {
    for (const l of RULE_LISTS) v.lists[l]?.forEach((source, i) => out.push({ path: `variants.${name}.${l}[${i}]`, source }));
  }
  return out;
}

describe('the 37 original configs', () => {
  it('are all there', () => {
    expect(files()).toHaveLength(37);
  });

  const loadable = files().filter((f) => !NOT_ENGINE_FORMAT.includes(f));
  it.each(loadable)('%s loads', (file) => {
    const r = load(file);
    if (!r.ok) throw new Error(r.errors.map(formatProblem).join('\n'));
    expect(r.config.indicators.length).toBeGreaterThan(0);
    expect(r.config.marketSymbol).toMatch(/^BTCUSD[CT]?$/);
    expect(['1m', '5m', '15m', '1h']).toContain(r.config.entryTimeframe);
    // every warning is located in the file
    for (const w of r.warnings) {
      expect(w.file).toBe(file);
      expect(w.line).toBeGreaterThan(0);
    }
  });

  it.each(loadable)('%s: indicator parameters are located on their own lines', (file) => {
    const entry = loaded.get(file);
    if (!entry) throw new Error(`${file} did not load`);
    const lines = entry.text.split('\n');
    let checked = 0;
    entry.config.indicators.forEach((ind) => {
      for (const param of Object.keys(ind.params)) {
        const pos = entry.config.positions[`indicators[${ind.index}].${param}`];
        if (!pos?.key) throw new Error(`no position for indicators[${ind.index}].${param}`);
        expect(lines[pos.key.line - 1]?.slice(pos.key.column - 1).startsWith(param)).toBe(true);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(0);
  });

  it.each(NOT_ENGINE_FORMAT)('%s fails with a precise error naming what is missing', (file) => {
    const r = load(file);
    if (r.ok) throw new Error('expected errors');
    const codes = r.errors.map((e) => `${e.code}@${e.path}`);
    expect(codes).toContain('NOT_ENGINE_FORMAT@data');
    expect(codes).toContain('MISSING_KEY@symbol');
    expect(codes).toContain('MISSING_KEY@timeframes');
    const main = r.errors.find((e) => e.code === 'NOT_ENGINE_FORMAT');
    const dataLine = readFileSync(join(configDir, file), 'utf8').split('\n').findIndex((l) => l.startsWith('data:')) + 1;
    expect(main).toMatchObject({ file, line: dataLine, column: 1 });
    expect(main?.message).toContain('`symbol`, `timeframes`');
    expect(main?.message).toContain('`data.symbol` → `symbol`');
    expect(main?.message).toContain('`data.timeframe` → `timeframes.entry`');
  });

  it('risk-based-position-sizing: the map-style indicators are explained', () => {
    const r = load('risk-based-position-sizing__0084988.yaml');
    if (r.ok) throw new Error('expected errors');
    const ind = r.errors.find((e) => e.path === 'indicators');
    expect(ind?.code).toBe('INVALID_TYPE');
    expect(ind?.message).toContain('must be a list of entries');
    expect(ind?.message).toContain('VolumeProfile, FVG, VPFVGSignal, RiskManagement');
  });

  it('every rule of every loadable config parses (subscripts included) and compiles in both modes', () => {
    let rules = 0;
    let subscripted = 0;
    for (const [file, { config }] of loaded) {
      for (const { path, source } of rulesOf(config)) {
        const parsed = parseExpression(source);
        if (!parsed.ok) throw new Error(`${file} ${path} "${source}": ${parsed.error.message} at column ${parsed.error.column}`);
        rules++;
        if (columnsOf(parsed.ast.root).some((c) => c.lag > 0)) subscripted++;
        for (const legacy of [false, true]) {
          const r = compileExpression(parsed.ast, () => () => 1, { legacy });
          if (!r.ok) throw new Error(`${file} ${path} "${source}" (legacy=${legacy}): ${r.errors.map((e) => e.message).join('; ')}`);
        }
      }
    }
    expect(rules).toBeGreaterThan(300);
    // vp-orderblock-simple (close[1], high[1], low[1]) and multi-timeframe-vp-enhanced ([24])
    expect(subscripted).toBe(6);
  });

  it('the subscript rules are errors-turned-false in legacy mode only', () => {
    const entry = loaded.get('vp-orderblock-simple__6f875b0.yaml');
    if (!entry) throw new Error('vp-orderblock-simple did not load');
    const rule = entry.config.logic.lists.entry_long.find((r) => r.includes('[1]'));
    if (!rule) throw new Error('no subscript rule');
    const parsed = parseExpression(rule);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const legacy = compileExpression(parsed.ast, () => () => 1, { legacy: true });
    expect(legacy.ok && legacy.warnings.map((w) => w.code)).toContain('LEGACY_SUBSCRIPT');
    expect(legacy.ok && legacy.evaluate()).toBe(false);
    const modern = compileExpression(parsed.ast, () => () => 1, { legacy: false });
    expect(modern.ok && modern.warnings).toEqual([]);
  });

  it('reads the details the engine needs', () => {
    const mega = loaded.get('mega-high-freq-test__0a14aeb.yaml')?.config;
    expect(mega?.backtest.to).toBe('2025-07-01'); // written "2025-07-1"
    expect(mega?.entryTimeframe).toBe('1m');
    const mvp = loaded.get('vpfvg-mvp__9a9b8ea.yaml')?.config;
    expect(mvp?.exchange).toBe('binanceus'); // no exchange key: the original's default
    const demo = loaded.get('demo__63f7ca3.yaml')?.config;
    expect(demo?.symbol).toBe('BTC/USDC');
    expect(demo?.marketSymbol).toBe('BTCUSDC');
    expect(demo?.logic.lists.entry_long).toContain("EMA_200_trend == 'bull'");
    const vpfvg = loaded.get('vpfvg-confluence__7ec1d50.yaml')?.config;
    expect(vpfvg?.equityProtection?.enabled).toBe(true);
    expect(vpfvg?.riskManagement?.sizing.mode).toBe('risk');
  });

  it('variants of volume-profile-breakout can be selected', () => {
    const config = loaded.get('volume-profile-breakout__7a4b3fb.yaml')?.config;
    if (!config) throw new Error('did not load');
    expect(Object.keys(config.variants)).toEqual(['reversal_only', 'continuation_only']);
    const r = selectVariant(config, 'continuation_only');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.config.logic.lists.entry_long).toContain("VPFVGSignal_signal_type == 'continuation'");
    expect(r.config.logic.lists.exit_long).toEqual(config.logic.lists.exit_long);
    const bad = selectVariant(config, 'trend');
    expect(bad.ok).toBe(false);
  });

  it('strict mode rejects a config with descriptive extra keys', () => {
    const r = load('bear-market-optimized-vp__6f875b0.yaml', true);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toContain('market_filters');
  });
});
