/**
 * `btc-research validate` over the 37 original btc_research configs (third-party, read in place from
 * ../shared/reference/btc_research-configs, never copied). The expected outcome of every file is
 * written out below from that folder's INDEX.md (an independent description of how the original
 * behaves), not from this project's output: a file either passes, or fails naming the missing
 * feature precisely (error code, the offending names, and where known the real column to use).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../packages/cli/src/cli.js';
import type { ValidateResult } from '../../packages/cli/src/commands/validate.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const configDir = resolve(repoRoot, '..', 'shared', 'reference', 'btc_research-configs');

type Expected =
  | { pass: true; equityProtection?: true; variants?: true; unknownNames?: string[] }
  | { pass: false; code: 'LEGACY_UNKNOWN_INDICATOR_TYPE'; type: string }
  | { pass: false; code: 'NOT_ENGINE_FORMAT' }
  | { pass: false; code: 'UNKNOWN_NAME'; names: string[]; suggestions?: Record<string, string> }
  | { pass: false; code: 'INVALID_INDICATOR_PARAMS'; params: Record<string, string[]>; names?: string[] };

/** From INDEX.md: "loads" / "loads and trades" → pass; "never trades" (rules name ids, not columns) and "cannot run" → fail. */
const EXPECTED: Record<string, Expected> = {
  'adx-test__0084988.yaml': { pass: false, code: 'NOT_ENGINE_FORMAT' },
  // "uses unregistered `SMA` and undefined `price`": SMA exists here, `price` and the id-style names do not
  'bayesian_optimization__a8dcc1d.yaml': { pass: false, code: 'UNKNOWN_NAME', names: ['price', 'RSI_MAIN', 'EMA_TREND'] },
  'bear-market-optimized-vp__6f875b0.yaml': { pass: false, code: 'UNKNOWN_NAME', names: ['EMA_Fast', 'EMA_Medium', 'EMA_Slow', 'RSI_Mean'], suggestions: { EMA_Fast: 'EMA_Fast_EMA_12' } },
  'demo__63f7ca3.yaml': { pass: true },
  'demo__a4240e5.yaml': { pass: true },
  'enhanced-optimization__a8dcc1d.yaml': { pass: true },
  // "VolumeProfile gets unknown param `period` (also FVG/VPFVG/ADX params invalid, rules use `not …` and undefined names)";
  // the names, read from the file's logic: `adx_adx` (ADX columns are adx_ADX_value, …) and four state flags
  'equity-protection-demo__0084988.yaml': {
    pass: false,
    code: 'INVALID_INDICATOR_PARAMS',
    params: { VolumeProfile: ['period'], FVG: [], VPFVGSignal: [], ADX: [] },
    names: ['adx_adx', 'equity_protection_active', 'trading_disabled', 'equity_protection_triggered', 'flatten_all_positions'],
  },
  'fvg-strategy-focused__a8dcc1d.yaml': { pass: true },
  'fvg-strategy__9a9b8ea.yaml': { pass: true },
  'fvg-strategy__a4240e5.yaml': { pass: true },
  'fvg-strategy__a8dcc1d.yaml': { pass: true },
  'improved-volume-profile-v1__6f875b0.yaml': { pass: false, code: 'UNKNOWN_NAME', names: ['EMA_Fast', 'EMA_Slow', 'RSI_Main', 'Volume_SMA'] },
  'improved-vp-fvg-simple__6f875b0.yaml': { pass: false, code: 'UNKNOWN_NAME', names: ['EMA_Trend', 'RSI_Momentum'], suggestions: { EMA_Trend: 'EMA_Trend_EMA_50', RSI_Momentum: 'RSI_Momentum_RSI_14' } },
  'improved-working-conservative__dd5d40b.yaml': { pass: true },
  'improved-working-v1__dd5d40b.yaml': { pass: true },
  'improved-working-v2__dd5d40b.yaml': { pass: true },
  'mega-high-freq-test__0a14aeb.yaml': { pass: true },
  // the `[24]` subscripts are supported here (lag operator); the id-style names are not columns
  'multi-timeframe-vp-enhanced__6f875b0.yaml': { pass: false, code: 'UNKNOWN_NAME', names: ['EMA_Short', 'EMA_Medium', 'EMA_Long', 'RSI_Quality'] },
  'risk-based-position-sizing__0084988.yaml': { pass: false, code: 'NOT_ENGINE_FORMAT' },
  'risk-improved-only__dd5d40b.yaml': { pass: true },
  'simple-fvg__a4240e5.yaml': { pass: true },
  'simple-rsi__63f7ca3.yaml': { pass: true },
  // rules also read `ADX_14_adx` (read from the file; ADX columns are ADX_14_ADX_value, …)
  'volume-profile-breakout__0084988.yaml': { pass: false, code: 'INVALID_INDICATOR_PARAMS', params: { FVG: ['depends_on', 'min_gap_size'], VPFVGSignal: [], ADX: [] }, names: ['ADX_14_adx'] },
  'volume-profile-breakout__0a14aeb.yaml': { pass: true, variants: true },
  'volume-profile-breakout__2b09362.yaml': { pass: true, variants: true },
  'volume-profile-breakout__7a4b3fb.yaml': { pass: true, variants: true },
  'volume-profile-breakout__9a9b8ea.yaml': { pass: true, variants: true },
  'volume-profile-breakout__ed17c6f.yaml': { pass: true, variants: true },
  // `close[1]` is supported here; EMA_Trend/RSI_Momentum/Volume_MA are ids, not columns
  'vp-orderblock-simple__6f875b0.yaml': { pass: false, code: 'UNKNOWN_NAME', names: ['EMA_Trend', 'RSI_Momentum', 'Volume_MA'] },
  // "EMA gets unknown param `period`; rule `EMA_4h_200_value` undefined"
  'vpfvg-confluence__0084988.yaml': { pass: false, code: 'INVALID_INDICATOR_PARAMS', params: { EMA: ['period'] }, names: ['EMA_4h_200_value'] },
  'vpfvg-confluence__518ec99.yaml': { pass: true },
  'vpfvg-confluence__7ec1d50.yaml': { pass: true, equityProtection: true },
  'vpfvg-confluence__834e67a.yaml': { pass: true },
  'vpfvg-confluence__9a9b8ea.yaml': { pass: true, equityProtection: true },
  'vpfvg-confluence__b0d0cc6.yaml': { pass: true },
  'vpfvg-confluence__ed17c6f.yaml': { pass: true },
  'vpfvg-mvp__9a9b8ea.yaml': { pass: true },
};

/**
 * compat: legacy loads what the original loaded (compat §10): rules naming ids instead of columns are
 * warnings (LEGACY_UNKNOWN_NAME, the rule is false) instead of errors, and it refuses what the
 * original refused: the template's unregistered `SMA`, unknown indicator parameters.
 */
function expectedIn(compat: 'default' | 'legacy', file: string): Expected {
  const e = EXPECTED[file]!;
  if (compat === 'default' || e.pass) return e;
  if (file === 'bayesian_optimization__a8dcc1d.yaml') return { pass: false, code: 'LEGACY_UNKNOWN_INDICATOR_TYPE', type: 'SMA' };
  if (e.code === 'UNKNOWN_NAME') return { pass: true, unknownNames: e.names };
  if (e.code === 'INVALID_INDICATOR_PARAMS') return { ...e, names: [] };
  return e;
}

function files(): string[] {
  if (!existsSync(configDir)) throw new Error(`the original configs are expected at ${configDir} (../shared next to the repository)`);
  return readdirSync(configDir).filter((f) => f.endsWith('.yaml')).sort();
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: configDir });
  return { code, stdout, stderr };
}

async function validateAll(extra: string[] = []): Promise<{ code: number; byFile: Map<string, ValidateResult>; valid: number; invalid: number }> {
  const r = await cli(['validate', '--json', ...extra, ...files()]);
  const parsed = JSON.parse(r.stdout) as { valid: number; invalid: number; results: ValidateResult[] };
  return { code: r.code, byFile: new Map(parsed.results.map((x) => [x.file, x])), valid: parsed.valid, invalid: parsed.invalid };
}

describe('btc-research validate over the 37 original configs', () => {
  it('every file has an expected outcome (and nothing else is there)', () => {
    expect(files()).toEqual(Object.keys(EXPECTED).sort());
    expect(files()).toHaveLength(37);
  });

  for (const compat of ['default', 'legacy'] as const) {
    describe(`--compat ${compat}`, async () => {
      const run = await validateAll(['--compat', compat]);

      const [valid, invalid] = compat === 'default' ? [26, 11] : [31, 6];
      it(`${valid} pass, ${invalid} fail, exit code 1`, () => {
        expect(run.valid).toBe(valid);
        expect(run.invalid).toBe(invalid);
        expect(run.code).toBe(1);
      });

      it.each(Object.keys(EXPECTED))('%s', (file) => {
        const expected = expectedIn(compat, file);
        const r = run.byFile.get(file);
        if (!r) throw new Error(`no result for ${file}`);
        if (expected.pass) {
          if (!r.ok) throw new Error(`${file} should pass:\n${r.errors.map((e) => `${e.code} ${e.message}`).join('\n')}`);
          expect(r.summary?.compat).toBe(compat);
          // warm-up reported per indicator and in total
          expect(r.summary?.warmup.totalMinutes).toBeGreaterThan(0);
          expect(r.summary?.warmup.indicators.length).toBe(r.summary?.indicators);
          expect(r.notes.some((n) => n.startsWith('equity_protection.enabled'))).toBe(expected.equityProtection === true);
          expect(r.notes.some((n) => n.startsWith('variants '))).toBe(expected.variants === true);
          // legacy: one warning per id-style name, located, naming the real column
          const unknown = r.warnings.filter((w) => w.code === 'LEGACY_UNKNOWN_NAME');
          expect(unknown.map((w) => w.found).sort()).toEqual([...(expected.unknownNames ?? [])].sort());
          for (const w of unknown) expect(w.line).toBeGreaterThan(0);
          return;
        }
        expect(r.ok).toBe(false);
        for (const e of r.errors) {
          expect(e.file).toBe(file);
          expect(e.line).toBeGreaterThan(0);
        }
        const codes = new Set(r.errors.map((e) => e.code));
        expect(codes).toContain(expected.code);
        if (expected.code === 'LEGACY_UNKNOWN_INDICATOR_TYPE') {
          expect([...codes]).toEqual(['LEGACY_UNKNOWN_INDICATOR_TYPE']);
          expect(r.errors[0]?.found).toBe(expected.type);
        } else if (expected.code === 'NOT_ENGINE_FORMAT') {
          expect(r.errors.find((e) => e.code === 'NOT_ENGINE_FORMAT')?.message).toMatch(/`data:` block/);
        } else if (expected.code === 'UNKNOWN_NAME') {
          expect([...codes]).toEqual(['UNKNOWN_NAME']);
          const found = new Set(r.errors.map((e) => e.found));
          for (const name of expected.names) expect(found, `${file} should name ${name}`).toContain(name);
          for (const [name, column] of Object.entries(expected.suggestions ?? {})) {
            const e = r.errors.find((x) => x.found === name);
            expect(e?.message).toContain(`did you mean \`${column}\``);
          }
        } else {
          // every problem at once: the indicator parameters, and the rules checked all the same
          const paramErrors = r.errors.filter((e) => e.code === 'INVALID_INDICATOR_PARAMS');
          const messages = paramErrors.map((e) => e.message);
          for (const [type, params] of Object.entries(expected.params)) {
            const m = messages.find((x) => x.includes(`: ${type}: unknown parameter`));
            expect(m, `${file}: ${type} should be named`).toBeDefined();
            for (const p of params) expect(m).toContain(`"${p}"`);
          }
          expect(paramErrors).toHaveLength(Object.keys(expected.params).length);
          const others = r.errors.filter((e) => e.code !== 'INVALID_INDICATOR_PARAMS');
          expect(new Set(others.map((e) => e.code)).size).toBeLessThanOrEqual(1);
          expect(others.every((e) => e.code === 'UNKNOWN_NAME')).toBe(true);
          expect(new Set(others.map((e) => e.found))).toEqual(new Set(expected.names ?? []));
        }
      });
    });
  }

  it('text output: one summary line per file naming the missing feature, and the totals', async () => {
    const r = await cli(['validate', ...files()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('37 files: 26 valid, 11 invalid');
    expect(r.stderr).toContain('vpfvg-confluence__0084988.yaml: INVALID — 3 errors: INVALID_INDICATOR_PARAMS ×1 (indicator parameters the indicator does not accept (the original aborts the run too)); UNKNOWN_NAME ×2');
    expect(r.stderr).toMatch(/bear-market-optimized-vp__6f875b0\.yaml: INVALID — \d+ errors: UNKNOWN_NAME ×\d+ \(rules read names that are not columns/);
    expect(r.stderr).toMatch(/adx-test__0084988\.yaml: INVALID — \d+ errors: .*NOT_ENGINE_FORMAT ×1 \(not the btc_research engine format\)/);
    // a passing file reports its warm-up: demo reads a 1h EMA(200): (200 + 1) × 60 min
    expect(r.stdout).toMatch(/demo__63f7ca3\.yaml: OK — .*entry 5m, timeframes 5m, 1h, compat default/);
    expect(r.stdout).toContain('warm-up: 12060 × 1m candles (2412 × 5m bars) before the first signal, limited by EMA_200');
  });

  it('exit code 0 when every file is valid', async () => {
    const ok = Object.entries(EXPECTED).filter(([, e]) => e.pass).map(([f]) => f);
    const r = await cli(['validate', ...ok]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${ok.length} files: ${ok.length} valid, 0 invalid`);
  });

  it('a variant can be selected, and an unknown one is an error naming the variants', async () => {
    const file = 'volume-profile-breakout__7a4b3fb.yaml';
    const bad = await cli(['validate', '--variant', 'nope', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/nope/);
  });
});
