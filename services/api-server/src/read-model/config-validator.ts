import { buildTradingSetup, type ConfigProblem } from '@btc-research/engine';
import { parseDocument } from 'yaml';
import { MAX_STRATEGY_YAML_BYTES, type ConfigProblemDto } from '@btc-research/contracts';
import { yamlNestingProblem } from './yaml-nesting.js';

export interface ConfigValidation {
  problems: ConfigProblemDto[];
  warnings: ConfigProblemDto[];
  name: string | null;
  symbol: string | null;
  exchange: string | null;
  timeframes: string[];
}

function toDto(p: ConfigProblem): ConfigProblemDto {
  return {
    code: p.code,
    message: p.message,
    path: p.path,
    line: p.line > 0 ? p.line : null,
    column: p.column > 0 ? p.column : null,
    ...(p.found !== undefined ? { found: p.found } : {}),
    ...(p.allowed !== undefined ? { allowed: p.allowed } : {}),
  };
}

/** Best-effort headline fields of a document that did not load, for listings. */
function headline(text: string): Pick<ConfigValidation, 'name' | 'symbol' | 'exchange' | 'timeframes'> {
  const empty = { name: null, symbol: null, exchange: null, timeframes: [] };
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return empty;
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return empty; // e.g. an alias bomb; the loader has reported it as a problem
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) return empty;
  const o = root as Record<string, unknown>;
  const tfs = o['timeframes'];
  return {
    name: typeof o['name'] === 'string' ? o['name'] : null,
    symbol: typeof o['symbol'] === 'string' ? o['symbol'] : null,
    exchange: typeof o['exchange'] === 'string' ? o['exchange'] : null,
    timeframes: tfs && typeof tfs === 'object' ? Object.values(tfs).filter((v): v is string => typeof v === 'string') : [],
  };
}

/**
 * Validates strategy YAML exactly as the paper-trader will load it: the engine's config loader and
 * strategy compiler (buildTradingSetup), every problem with line and column.
 */
export function validateStrategyYaml(text: string, fileName: string): ConfigValidation {
  // before any parser: a deeply nested document can abort the process from inside the parser
  const tooDeep = yamlNestingProblem(text);
  if (tooDeep !== null) {
    const empty = { name: null, symbol: null, exchange: null, timeframes: [] };
    return { problems: [{ code: 'YAML_TOO_DEEP', message: `${fileName}: ${tooDeep.message}`, path: '', line: tooDeep.line, column: tooDeep.column }], warnings: [], ...empty };
  }
  let setup: ReturnType<typeof buildTradingSetup>;
  try {
    setup = buildTradingSetup(text, fileName, { strategyId: 'validate' });
  } catch (error) {
    // the loader reports problems as data; a throw is a bug there, still answered as a problem here
    const message = error instanceof Error ? error.message : String(error);
    return { problems: [{ code: 'CONFIG_UNREADABLE', message: `${fileName}: ${message}`, path: '', line: null, column: null }], warnings: [], ...headline(text) };
  }
  if (!setup.ok) return { problems: setup.errors.map(toDto), warnings: setup.warnings.map(toDto), ...headline(text) };
  const c = setup.config;
  return {
    problems: [],
    warnings: setup.warnings.map(toDto),
    name: c.name ?? null,
    symbol: c.symbol,
    exchange: c.exchange,
    timeframes: [...new Set(Object.values(c.timeframes).map(String))],
  };
}

/** Why YAML of `bytes` bytes is too large, or null when it is within the one limit (MAX_STRATEGY_YAML_BYTES). */
export function yamlSizeProblem(bytes: number): string | null {
  if (bytes <= MAX_STRATEGY_YAML_BYTES) return null;
  return `the strategy YAML is ${bytes} bytes; the limit is ${MAX_STRATEGY_YAML_BYTES} bytes (256 KiB)`;
}
