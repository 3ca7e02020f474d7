/**
 * Strategy YAML loader: text → typed StrategyConfig, or every problem at once with file, line,
 * column and document path. Pure: no I/O, no clock, no process.env (pass `env` to opt in to
 * `${VAR}` substitution).
 */
import type { z } from 'zod';
import {
  BACKTEST_KEYS, DEFAULT_CASH, DEFAULT_COMMISSION, DEFAULT_EXCHANGE, EQUITY_PROTECTION_IGNORED_KEYS,
  EQUITY_PROTECTION_KEYS, KNOWN_QUOTE_ASSETS, LOGIC_KEYS, POSITION_SIZING_KEYS, RISK_IGNORED_KEYS, RISK_KEYS,
  RULE_LISTS, STOP_LOSS_IGNORED_KEYS, STOP_LOSS_KEYS, TAKE_PROFIT_IGNORED_KEYS, TAKE_PROFIT_KEYS,
  SUPPORTED_EXCHANGES, TOP_LEVEL_KEYS, isConfigTimeframe, strategyDocumentSchema,
} from './config-schema.js';
import type {
  BacktestConfig, CompatMode, ConfigProblem, ConfigTimeframe, EquityProtectionConfig, IndicatorConfig, LogicConfig,
  NodePosition, OptimizationConfig, OptimizationParameter, PartialExit, PositionSizing, RiskManagementConfig,
  RuleCombinator, RuleListName, SourcePosition, StopLossConfig, StrategyConfig, StrategyDocument, TakeProfitConfig,
  VariantConfig,
} from './config-schema.js';
import { childPath, lookupPosition, parentPath, parseSource } from './config-source.js';
import { closestMatches } from './config-suggest.js';
import { buildNotifications, NOTIFICATIONS_KEYS, notificationsSchema } from './notifications-config.js';

export interface LoadOptions {
  /** Turn every warning into an error (a lint mode, like the original's unused strict schema). */
  readonly strict?: boolean;
  /**
   * Opt-in `${NAME}` substitution from this map (the engine never reads process.env itself).
   * Without it, `${…}` is left as written.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export type ConfigLoadResult =
  | {
      readonly ok: true;
      readonly config: StrategyConfig;
      readonly warnings: ConfigProblem[];
      /** Position of a document path (nearest ancestor when the path itself has none). */
      positionOf(path: string): SourcePosition;
      /** A problem located at `path`, for callers that validate further (indicator params, rules). */
      problemAt(path: string, code: string, message: string, extra?: { found?: string; allowed?: string }): ConfigProblem;
    }
  | { readonly ok: false; readonly errors: ConfigProblem[]; readonly warnings: ConfigProblem[] };

// ---------------------------------------------------------------------------------------------

type Positions = ReadonlyMap<string, NodePosition> | Readonly<Record<string, NodePosition>>;

class Problems {
  readonly errors: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];
  constructor(
    private readonly file: string,
    private readonly positions: Positions,
  ) {}

  make(path: string, code: string, message: string, extra: { found?: string | undefined; allowed?: string | undefined; at?: 'key' | 'value' | 'parent' } = {}): ConfigProblem {
    let pos: SourcePosition;
    if (extra.at === 'parent') {
      // a missing key: point at the mapping that should contain it (its key when it has one)
      const parent = lookupPosition(this.positions, parentPath(path));
      pos = parent.key ?? parent;
    } else {
      const here = lookupPosition(this.positions, path);
      pos = extra.at === 'key' && here.key ? here.key : here;
    }
    const problem: { -readonly [K in keyof ConfigProblem]: ConfigProblem[K] } = {
      code, message, file: this.file, line: pos.line, column: pos.column, path,
    };
    if (extra.found !== undefined) problem.found = extra.found;
    if (extra.allowed !== undefined) problem.allowed = extra.allowed;
    return problem;
  }
  error(path: string, code: string, message: string, extra: Parameters<Problems['make']>[3] = {}): void {
    this.errors.push(this.make(path, code, message, extra));
  }
  warn(path: string, code: string, message: string, extra: Parameters<Problems['make']>[3] = {}): void {
    this.warnings.push(this.make(path, code, message, extra));
  }
}

/** Short human description of a value for messages ("string \"abc\"", "a list", …). */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null (empty value)';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (v instanceof Date) return `a date ${v.toISOString().slice(0, 10)}`;
  if (typeof v === 'object') return `a mapping with keys ${Object.keys(v).slice(0, 6).join(', ') || '(none)'}`;
  return typeof v;
}

const EXPECTED_WORDS: Record<string, [string, string]> = {
  array: ['a', 'list'],
  object: ['a', 'mapping'],
  record: ['a', 'mapping'],
  int: ['an', 'integer'],
  number: ['a', 'number'],
  string: ['a', 'string'],
  boolean: ['', 'true or false'],
};

const KEY_HINTS: Record<string, string> = {
  symbol: 'the market to trade, e.g. symbol: "BTC/USDT"',
  timeframes: 'a mapping whose `entry` key is the timeframe rules are evaluated on, e.g. timeframes: { entry: "15m" }',
  'timeframes.entry': 'the timeframe the rules are evaluated on, e.g. entry: "15m"',
  id: 'the indicator id, which is also its column prefix, e.g. id: "RSI_14"',
  type: 'the indicator type, e.g. type: "RSI"',
  timeframe: 'the timeframe the indicator runs on, e.g. timeframe: "15m"',
};

function pathOf(segments: readonly PropertyKey[]): string {
  let p = '';
  for (const s of segments) p = childPath(p, typeof s === 'number' ? s : String(s));
  return p;
}

function lastSegment(path: string): string {
  const m = /(?:^|\.)([^.[\]]+)$/.exec(path);
  return m ? (m[1] as string) : path;
}

function getAt(root: unknown, segments: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const s of segments) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[s];
  }
  return v;
}

function reportZodIssues(issues: readonly z.core.$ZodIssue[], root: unknown, problems: Problems): void {
  for (const issue of issues) {
    const path = pathOf(issue.path);
    const name = lastSegment(path);
    const input = getAt(root, issue.path);
    const parent = getAt(root, issue.path.slice(0, -1));
    const missing = input === undefined && isRecord(parent) && !Object.prototype.hasOwnProperty.call(parent, String(issue.path[issue.path.length - 1]));
    if (missing) {
      const hint = KEY_HINTS[path] ?? KEY_HINTS[name];
      problems.error(path, 'MISSING_KEY', `missing required key \`${path}\`${hint ? `: ${hint}` : ''}`, { at: 'parent' });
      continue;
    }
    switch (issue.code) {
      case 'invalid_type': {
        if (missing) {
          const hint = KEY_HINTS[path] ?? KEY_HINTS[name];
          problems.error(path, 'MISSING_KEY', `missing required key \`${path}\`${hint ? `: ${hint}` : ''}`, { at: 'parent' });
        } else if (path === 'indicators' && input !== null && typeof input === 'object' && !Array.isArray(input)) {
          problems.error(
            path,
            'INVALID_TYPE',
            `\`indicators\` must be a list of entries, each with id, type and timeframe (e.g. "- id: RSI_14"); found a mapping keyed by ${Object.keys(input).join(', ')}`,
            { found: describeValue(input), allowed: 'list' },
          );
        } else {
          const [article, word] = EXPECTED_WORDS[String(issue.expected)] ?? ['a', String(issue.expected)];
          problems.error(path, 'INVALID_TYPE', `\`${path}\` must be ${article} ${word}, found ${describeValue(input)}`, {
            found: describeValue(input),
            allowed: word,
          });
        }
        break;
      }
      case 'invalid_value': {
        const allowed = issue.values.map(String).join(', ');
        const isTf = name === 'timeframe' || parentPath(path) === 'timeframes';
        problems.error(
          path,
          isTf ? 'UNKNOWN_TIMEFRAME' : 'INVALID_VALUE',
          isTf
            ? `\`${path}\`: unknown timeframe ${JSON.stringify(input)}; allowed: ${allowed}`
            : `\`${path}\`: ${describeValue(input)} is not allowed; allowed: ${allowed}`,
          { found: typeof input === 'string' ? input : describeValue(input), allowed },
        );
        break;
      }
      case 'too_small':
      case 'too_big': {
        const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const rel =
          issue.code === 'too_small' ? (issue.inclusive ? 'at least' : 'greater than') : issue.inclusive ? 'at most' : 'less than';
        const what = typeof input === 'string' ? 'length' : 'value';
        const msg = issue.origin === 'string' && issue.code === 'too_small' && Number(bound) === 1
          ? `\`${path}\` must not be empty`
          : `\`${path}\`: ${what} must be ${rel} ${String(bound)}, found ${describeValue(input)}`;
        const isRule = /^(logic|variants\.[^.]+)\.[a-z_]+\[\d+\]$/.test(path);
        problems.error(path, isRule ? 'EMPTY_RULE' : 'OUT_OF_RANGE', issue.message && issue.message !== '' && !issue.message.startsWith('Too') ? `\`${path}\`: ${issue.message}` : msg, {
          found: describeValue(input),
          allowed: `${rel} ${String(bound)}`,
        });
        break;
      }
      case 'invalid_union':
        problems.error(path, 'INVALID_TYPE', `\`${path}\` must be ${path === 'version' ? 'a string or a number, e.g. "1.0"' : 'a different kind of value'}, found ${describeValue(input)}`, {
          found: describeValue(input),
          ...(path === 'version' ? { allowed: 'string, number' } : {}),
        });
        break;
      case 'invalid_format':
        problems.error(path, 'INVALID_FORMAT', `\`${path}\`: ${issue.message}; found ${describeValue(input)}`, { found: describeValue(input) });
        break;
      default:
        problems.error(path, 'INVALID_VALUE', `\`${path}\`: ${issue.message}; found ${describeValue(input)}`, { found: describeValue(input) });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Field normalisation
// ---------------------------------------------------------------------------------------------

const DATE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:Z|\+00:00)?)?$/;

/** "YYYY-M-D" (optionally with " HH:MM[:SS]" UTC) or a YAML date → normalised text and epoch ms. */
export function parseConfigDate(value: unknown): { text: string; ms: number } | undefined {
  let y: number, mo: number, d: number, h = 0, mi = 0, s = 0;
  if (value instanceof Date) {
    const t = value.getTime();
    if (!Number.isFinite(t)) return undefined;
    y = value.getUTCFullYear(); mo = value.getUTCMonth() + 1; d = value.getUTCDate();
    h = value.getUTCHours(); mi = value.getUTCMinutes(); s = value.getUTCSeconds();
  } else if (typeof value === 'string') {
    const m = DATE_RE.exec(value.trim());
    if (!m) return undefined;
    y = Number(m[1]); mo = Number(m[2]); d = Number(m[3]);
    if (m[4] !== undefined) { h = Number(m[4]); mi = Number(m[5]); s = m[6] !== undefined ? Number(m[6]) : 0; }
  } else {
    return undefined;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(ms);
  if (check.getUTCDate() !== d) return undefined; // 2024-02-30
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const date = `${String(y).padStart(4, '0')}-${p2(mo)}-${p2(d)}`;
  const text = h === 0 && mi === 0 && s === 0 ? date : `${date}T${p2(h)}:${p2(mi)}:${p2(s)}Z`;
  return { text, ms };
}

/** "BTC/USDT", "btc/usdt", "BTCUSDT" → parts. undefined when it cannot be split. */
export function parseSymbol(value: string): { symbol: string; marketSymbol: string; base: string; quote: string } | undefined {
  const v = value.trim().toUpperCase();
  const slash = /^([A-Z0-9]+)\/([A-Z0-9]+)$/.exec(v);
  if (slash) {
    const base = slash[1] as string;
    const quote = slash[2] as string;
    return { symbol: `${base}/${quote}`, marketSymbol: base + quote, base, quote };
  }
  if (/^[A-Z0-9]+$/.test(v)) {
    for (const q of KNOWN_QUOTE_ASSETS) {
      if (v.endsWith(q) && v.length > q.length) {
        const base = v.slice(0, -q.length);
        return { symbol: `${base}/${q}`, marketSymbol: v, base, quote: q };
      }
    }
  }
  return undefined;
}

function warnUnknownKeys(
  section: Record<string, unknown>,
  sectionPath: string,
  known: readonly string[],
  ignored: readonly string[],
  problems: Problems,
): void {
  for (const key of Object.keys(section)) {
    if (known.includes(key)) continue;
    const path = childPath(sectionPath, key);
    if (ignored.includes(key)) {
      problems.warn(path, 'IGNORED_KEY', `\`${path}\` is accepted but has no effect (the original ignored it too)`, { at: 'key', found: key });
      continue;
    }
    const close = closestMatches(key, known, 2);
    const where = sectionPath === '' ? 'top-level key' : `key in \`${sectionPath}\``;
    problems.warn(
      path,
      'UNKNOWN_KEY',
      `unknown ${where} \`${key}\` is ignored${close.length > 0 ? ` (did you mean ${close.map((c) => `\`${c}\``).join(' or ')}?)` : ''}`,
      { at: 'key', found: key, allowed: known.join(', ') },
    );
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function readLists(block: Record<string, unknown> | null | undefined): {
  lists: Partial<Record<RuleListName, readonly string[]>>;
  modes: Partial<Record<RuleListName, RuleCombinator>>;
} {
  const lists: Partial<Record<RuleListName, readonly string[]>> = {};
  const modes: Partial<Record<RuleListName, RuleCombinator>> = {};
  if (!block) return { lists, modes };
  for (const l of RULE_LISTS) {
    const v = block[l];
    if (Array.isArray(v)) lists[l] = v.map((r) => String(r).trim());
    else if (v === null) lists[l] = [];
    const m = block[`${l}_mode`];
    if (m === 'all' || m === 'any') modes[l] = m;
  }
  return { lists, modes };
}

// ---------------------------------------------------------------------------------------------
// Main entry point
// ---------------------------------------------------------------------------------------------

export function loadStrategyConfig(text: string, fileName: string, options: LoadOptions = {}): ConfigLoadResult {
  const src = parseSource(text, options.env);
  const problems = new Problems(fileName, src.positions);
  for (const e of src.errors) {
    problems.errors.push({ code: e.code, message: e.message, file: fileName, line: e.position.line, column: e.position.column, path: '', ...(e.found !== undefined ? { found: e.found } : {}) });
  }
  for (const w of src.warnings) {
    problems.warnings.push({ code: w.code, message: w.message, file: fileName, line: w.position.line, column: w.position.column, path: '' });
  }
  if (problems.errors.length > 0) return finish(problems, undefined, options);

  const root = src.value;
  if (root === null || root === undefined) {
    problems.error('', 'NOT_A_MAPPING', 'the file is empty: a strategy needs at least `symbol` and `timeframes`');
    return finish(problems, undefined, options);
  }
  if (!isRecord(root)) {
    problems.error('', 'NOT_A_MAPPING', `a strategy file must be a YAML mapping (name:, symbol:, timeframes:, …); found ${describeValue(root)}`, {
      found: describeValue(root),
    });
    return finish(problems, undefined, options);
  }

  // Layouts that are not the engine format (adx-test, risk-based-position-sizing of the original).
  if (isRecord(root['data']) && (root['symbol'] === undefined || root['timeframes'] === undefined)) {
    const data = root['data'];
    const moves: string[] = [];
    if (data['symbol'] !== undefined) moves.push('`data.symbol` → `symbol`');
    if (data['timeframe'] !== undefined) moves.push('`data.timeframe` → `timeframes.entry`');
    for (const k of ['start_date', 'start']) if (data[k] !== undefined) moves.push(`\`data.${k}\` → \`backtest.from\``);
    for (const k of ['end_date', 'end']) if (data[k] !== undefined) moves.push(`\`data.${k}\` → \`backtest.to\``);
    const missing = ['symbol', 'timeframes', 'logic', 'backtest'].filter((k) => root[k] === undefined);
    problems.error(
      'data',
      'NOT_ENGINE_FORMAT',
      `this file uses a \`data:\` block instead of the btc_research engine format; missing top-level ${missing.map((k) => `\`${k}\``).join(', ')}` +
        (moves.length > 0 ? `. Move ${moves.join(', ')}` : ''),
      { at: 'key', found: 'data', allowed: 'symbol, timeframes, indicators, logic, backtest' },
    );
  }

  // Structure and types
  const parsed = strategyDocumentSchema.safeParse(root, { reportInput: true });
  if (!parsed.success) reportZodIssues(parsed.error.issues, root, problems);

  // Checks zod cannot phrase precisely
  warnUnknownKeys(root, '', TOP_LEVEL_KEYS, [], problems);

  let symbolParts: ReturnType<typeof parseSymbol>;
  if (typeof root['symbol'] === 'string' && root['symbol'].length > 0) {
    symbolParts = parseSymbol(root['symbol']);
    if (!symbolParts) {
      problems.error('symbol', 'INVALID_SYMBOL', `\`symbol\`: cannot read ${JSON.stringify(root['symbol'])} as a market; write BASE/QUOTE, e.g. "BTC/USDT" (or BTCUSDT with a known quote asset)`, {
        found: root['symbol'],
        allowed: `BASE/QUOTE, or BASE followed by one of ${KNOWN_QUOTE_ASSETS.join(', ')}`,
      });
    } else if (symbolParts.symbol !== root['symbol'] && symbolParts.marketSymbol !== root['symbol']) {
      problems.warn('symbol', 'SYMBOL_NORMALISED', `\`symbol\` ${JSON.stringify(root['symbol'])} read as ${symbolParts.symbol}`, { found: root['symbol'] });
    }
  }

  const exchange = root['exchange'];
  if (typeof exchange === 'string' && !(SUPPORTED_EXCHANGES as readonly string[]).includes(exchange.toLowerCase())) {
    problems.warn('exchange', 'UNSUPPORTED_EXCHANGE', `exchange ${JSON.stringify(exchange)} has no live market-data connector here (supported: ${SUPPORTED_EXCHANGES.join(', ')}); backtests from recorded or simulated data still work`, {
      found: exchange,
      allowed: SUPPORTED_EXCHANGES.join(', '),
    });
  }

  const logicRaw = root['logic'];
  if (isRecord(logicRaw)) warnUnknownKeys(logicRaw, 'logic', LOGIC_KEYS, [], problems);
  else if (logicRaw === undefined && problems.errors.length === 0) {
    problems.warn('logic', 'NO_LOGIC', 'no `logic` section: this strategy never trades', { at: 'parent' });
  }

  const backtestRaw = isRecord(root['backtest']) ? root['backtest'] : undefined;
  let from: ReturnType<typeof parseConfigDate>;
  let to: ReturnType<typeof parseConfigDate>;
  if (backtestRaw) {
    const { initial_cash: initialCash, ...rest } = backtestRaw;
    warnUnknownKeys(rest, 'backtest', BACKTEST_KEYS, [], problems);
    if (initialCash !== undefined) {
      problems.warn(
        'backtest.initial_cash',
        'IGNORED_KEY',
        `\`backtest.initial_cash\` does not set the starting cash (as in the original); use \`backtest.cash\`` +
          (backtestRaw['cash'] === undefined ? `. Using the default ${DEFAULT_CASH}` : ''),
        { at: 'key', found: 'initial_cash', allowed: 'cash' },
      );
    }
    for (const k of ['from', 'to'] as const) {
      const v = backtestRaw[k];
      if (v === undefined || v === null) continue;
      const d = parseConfigDate(v);
      if (!d) {
        problems.error(`backtest.${k}`, 'INVALID_DATE', `\`backtest.${k}\`: ${describeValue(v)} is not a date; write YYYY-MM-DD (e.g. "2024-01-31"), optionally followed by " HH:MM" (UTC)`, {
          found: describeValue(v),
          allowed: 'YYYY-MM-DD',
        });
      } else if (k === 'from') from = d;
      else to = d;
    }
    if (from && to && to.ms < from.ms) {
      problems.error('backtest.to', 'DATE_RANGE', `\`backtest.to\` (${to.text}) is before \`backtest.from\` (${from.text})`, { found: to.text });
    }
  }

  // Indicators: duplicate ids, undeclared timeframes
  const indicatorsRaw = Array.isArray(root['indicators']) ? (root['indicators'] as unknown[]) : [];
  const timeframesRaw = isRecord(root['timeframes']) ? root['timeframes'] : {};
  const declaredTfs = new Set(Object.values(timeframesRaw).filter((v) => isConfigTimeframe(v)));
  const seen = new Map<string, { index: number; timeframe: unknown }>();
  indicatorsRaw.forEach((ind, i) => {
    if (!isRecord(ind)) return;
    const id = ind['id'];
    const tf = ind['timeframe'];
    if (typeof id === 'string') {
      const prev = seen.get(id);
      if (prev && prev.timeframe === tf) {
        problems.error(`indicators[${i}].id`, 'DUPLICATE_INDICATOR_ID', `indicator id \`${id}\` is already used by indicators[${prev.index}] on the same timeframe ${String(tf)}: their columns would collide`, { found: id });
      } else if (prev) {
        const entryTf = timeframesRaw['entry'];
        const suffixed = tf === entryTf ? prev.timeframe : tf;
        problems.warn(
          `indicators[${i}].id`,
          'DUPLICATE_INDICATOR_ID',
          `indicator id \`${id}\` is also used by indicators[${prev.index}] (timeframe ${String(prev.timeframe)}); colliding columns of the ${String(suffixed)} one get the suffix _${String(suffixed)}`,
          { found: id },
        );
      } else seen.set(id, { index: i, timeframe: tf });
    }
    if (typeof id === 'string' && isConfigTimeframe(tf) && declaredTfs.size > 0 && !declaredTfs.has(tf)) {
      problems.warn(`indicators[${i}].timeframe`, 'UNDECLARED_TIMEFRAME', `indicator \`${String(id)}\` runs on ${tf}, which is not one of the values in \`timeframes\` (${[...declaredTfs].join(', ')}); it is loaded anyway`, { found: tf });
    }
  });

  // Variants
  const variantsRaw = isRecord(root['variants']) ? root['variants'] : {};
  for (const [name, v] of Object.entries(variantsRaw)) {
    if (isRecord(v)) warnUnknownKeys(v, `variants.${name}`, LOGIC_KEYS, [], problems);
  }

  // risk_management / equity_protection
  const riskRaw = isRecord(root['risk_management']) ? root['risk_management'] : undefined;
  if (riskRaw) {
    warnUnknownKeys(riskRaw, 'risk_management', RISK_KEYS, RISK_IGNORED_KEYS, problems);
    if (isRecord(riskRaw['position_sizing'])) warnUnknownKeys(riskRaw['position_sizing'], 'risk_management.position_sizing', POSITION_SIZING_KEYS, [], problems);
    if (isRecord(riskRaw['stop_loss'])) warnUnknownKeys(riskRaw['stop_loss'], 'risk_management.stop_loss', STOP_LOSS_KEYS, STOP_LOSS_IGNORED_KEYS, problems);
    if (isRecord(riskRaw['take_profit'])) warnUnknownKeys(riskRaw['take_profit'], 'risk_management.take_profit', TAKE_PROFIT_KEYS, TAKE_PROFIT_IGNORED_KEYS, problems);
    checkPositionSizing(riskRaw['position_sizing'], problems);
  }
  const epRaw = isRecord(root['equity_protection']) ? root['equity_protection'] : undefined;
  if (epRaw) warnUnknownKeys(epRaw, 'equity_protection', EQUITY_PROTECTION_KEYS, EQUITY_PROTECTION_IGNORED_KEYS, problems);

  // notifications (not part of the original format: ignored in legacy mode)
  if (root['notifications'] !== undefined && root['notifications'] !== null) {
    if (root['compat'] === 'legacy') {
      problems.warn('notifications', 'IGNORED_KEY', '`notifications` is ignored in legacy mode (the original had no notifications)', { at: 'key', found: 'notifications' });
    } else {
      const notified = notificationsSchema.safeParse(root['notifications'], { reportInput: true });
      if (!notified.success) reportZodIssues(notified.error.issues.map((i) => ({ ...i, path: ['notifications', ...i.path] })), root, problems);
      if (isRecord(root['notifications'])) warnUnknownKeys(root['notifications'], 'notifications', NOTIFICATIONS_KEYS, [], problems);
    }
  }

  const optRaw = isRecord(root['optimization']) ? root['optimization'] : undefined;
  if (optRaw && Array.isArray(optRaw['parameters'])) {
    optRaw['parameters'].forEach((p: unknown, i: number) => {
      if (!isRecord(p)) return;
      const low = p['low'];
      const high = p['high'];
      if (typeof low === 'number' && typeof high === 'number' && !(low < high)) {
        problems.error(`optimization.parameters[${i}].high`, 'OUT_OF_RANGE', `\`optimization.parameters[${i}]\`: \`low\` (${low}) must be less than \`high\` (${high})`, { found: String(high) });
      }
      if (p['type'] === 'categorical' && !Array.isArray(p['choices'])) {
        problems.error(`optimization.parameters[${i}]`, 'MISSING_KEY', `\`optimization.parameters[${i}]\` of type categorical needs \`choices\``);
      }
    });
  }

  if (!parsed.success || problems.errors.length > 0 || !symbolParts) return finish(problems, undefined, options);

  const config = buildConfig(parsed.data, root, fileName, symbolParts, from, to, src.positions, src.rawScalars);
  return finish(problems, config, options);
}

function checkPositionSizing(raw: unknown, problems: Problems): void {
  if (!isRecord(raw)) return;
  const base = 'risk_management.position_sizing';
  const mode = raw['mode'];
  const need = (key: string, what: string): void => {
    if (raw[key] === undefined) problems.error(`${base}.${key}`, 'MISSING_KEY', `\`${base}\` with mode ${String(mode)} needs \`${key}\` (${what})`, { at: 'parent' });
  };
  if (mode === 'fixed_units') need('units', 'quantity of the base asset per entry, e.g. 0.01');
  if (mode === 'percent_equity' && raw['fraction'] === undefined && raw['percent'] === undefined) {
    need('fraction', 'fraction of equity per entry, e.g. 0.1 for 10 %');
  }
  if (mode === 'risk') need('risk_pct', 'fraction of equity risked per trade, e.g. 0.01');
}

function finish(problems: Problems, config: StrategyConfig | undefined, options: LoadOptions): ConfigLoadResult {
  let errors = problems.errors;
  let warnings = problems.warnings;
  if (options.strict === true && warnings.length > 0) {
    errors = [...errors, ...warnings];
    warnings = [];
  }
  const byPosition = (a: ConfigProblem, b: ConfigProblem): number => a.line - b.line || a.column - b.column;
  errors.sort(byPosition);
  warnings.sort(byPosition);
  if (errors.length > 0 || config === undefined) return { ok: false, errors, warnings };
  const positions = config.positions;
  const file = config.file;
  return {
    ok: true,
    config,
    warnings,
    positionOf: (path: string) => {
      const p = lookupPosition(positions, path);
      return { line: p.line, column: p.column };
    },
    problemAt: (path, code, message, extra = {}) => new Problems(file, positions).make(path, code, message, extra),
  };
}

// ---------------------------------------------------------------------------------------------
// Typed config
// ---------------------------------------------------------------------------------------------

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function buildConfig(
  doc: StrategyDocument,
  root: Record<string, unknown>,
  file: string,
  sym: NonNullable<ReturnType<typeof parseSymbol>>,
  from: ReturnType<typeof parseConfigDate>,
  to: ReturnType<typeof parseConfigDate>,
  positions: ReadonlyMap<string, NodePosition>,
  rawScalars: ReadonlyMap<string, string>,
): StrategyConfig {
  const timeframes = { ...doc.timeframes } as Record<string, ConfigTimeframe> & { entry: ConfigTimeframe };

  const indicators: IndicatorConfig[] = (doc.indicators ?? []).map((ind, index) => {
    const { id, type, timeframe, ...params } = ind;
    return { id, type, timeframe, params, index };
  });

  const top = readLists(isRecord(root['logic']) ? root['logic'] : undefined);
  const logic: LogicConfig = {
    lists: Object.fromEntries(RULE_LISTS.map((l) => [l, top.lists[l] ?? []])) as Record<RuleListName, readonly string[]>,
    modes: Object.fromEntries(RULE_LISTS.map((l) => [l, top.modes[l] ?? 'all'])) as Record<RuleListName, RuleCombinator>,
    sources: Object.fromEntries(RULE_LISTS.map((l) => [l, `logic.${l}`])) as Record<RuleListName, string>,
  };

  const variants: Record<string, VariantConfig> = {};
  for (const [name, v] of Object.entries(isRecord(root['variants']) ? root['variants'] : {})) {
    variants[name] = readLists(isRecord(v) ? v : undefined);
  }

  const bt = doc.backtest ?? {};
  const backtest: BacktestConfig = {
    cash: num(bt.cash) ?? DEFAULT_CASH,
    commission: num(bt.commission) ?? DEFAULT_COMMISSION,
    slippage: num(bt.slippage),
    from: from?.text,
    to: to?.text,
    fromMs: from?.ms,
    toMs: to?.ms,
    queue: bt.queue ?? 'trade_through',
    cancelLatencyMs: cancelLatencyOf(bt.cancel_latency_ms),
  };

  let version: string | undefined;
  if (typeof doc.version === 'string') version = doc.version;
  else if (typeof doc.version === 'number') version = (rawScalars.get('version') ?? String(doc.version)).replace(/^["']|["']$/g, '');

  const extras: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(root)) if (!(TOP_LEVEL_KEYS as readonly string[]).includes(k)) extras[k] = v;

  const positionRecord: Record<string, NodePosition> = {};
  for (const [k, v] of positions) positionRecord[k] = v;

  return {
    file,
    name: doc.name,
    description: doc.description,
    version,
    symbol: sym.symbol,
    marketSymbol: sym.marketSymbol,
    baseAsset: sym.base,
    quoteAsset: sym.quote,
    exchange: (doc.exchange ?? DEFAULT_EXCHANGE).toLowerCase(),
    timeframes,
    entryTimeframe: timeframes.entry,
    indicators,
    logic,
    backtest,
    riskManagement: isRecord(root['risk_management']) ? buildRisk(root['risk_management']) : undefined,
    equityProtection: isRecord(root['equity_protection']) ? buildEquityProtection(root['equity_protection']) : undefined,
    variants,
    optimization: isRecord(root['optimization']) ? buildOptimization(root['optimization']) : undefined,
    compat: (doc.compat ?? 'default') as CompatMode,
    incompleteCandles: doc.incomplete_candles ?? 'keep',
    notifications: doc.compat !== 'legacy' && isRecord(root['notifications']) ? buildNotifications(notificationsSchema.parse(root['notifications'])) : undefined,
    selectedVariant: undefined,
    extras,
    positions: positionRecord,
  };
}

/** Defaults of the risk-based sizer while it worked in the original (compat §6.4). */
export const DEFAULT_RISK_PCT = 0.01;
export const DEFAULT_MAX_POSITION_PCT = 0.2;

function buildRisk(raw: Record<string, unknown>): RiskManagementConfig {
  let sizing: PositionSizing;
  let sizingSource: RiskManagementConfig['sizingSource'];
  const ps = raw['position_sizing'];
  if (isRecord(ps)) {
    sizingSource = 'explicit';
    const mode = ps['mode'];
    if (mode === 'fixed_units') sizing = { mode, units: num(ps['units']) ?? 1 };
    else if (mode === 'percent_equity') sizing = { mode, fraction: num(ps['fraction']) ?? num(ps['percent']) ?? 0.1 };
    else {
      sizing = {
        mode: 'risk',
        riskPct: num(ps['risk_pct']) ?? DEFAULT_RISK_PCT,
        maxPositionPct: num(ps['max_position_pct']) ?? num(raw['max_position_pct']) ?? DEFAULT_MAX_POSITION_PCT,
        minNotional: num(ps['min_notional']),
      };
    }
  } else {
    const fromKeys = raw['risk_pct'] !== undefined || raw['max_position_pct'] !== undefined || raw['use_position_sizing'] !== undefined;
    sizingSource = fromKeys ? 'risk_pct' : 'default';
    sizing = {
      mode: 'risk',
      riskPct: num(raw['risk_pct']) ?? DEFAULT_RISK_PCT,
      maxPositionPct: num(raw['max_position_pct']) ?? DEFAULT_MAX_POSITION_PCT,
      minNotional: undefined,
    };
  }

  const sl = isRecord(raw['stop_loss']) ? raw['stop_loss'] : undefined;
  const topAtr = num(raw['atr_stop_multiplier']);
  let stopLoss: StopLossConfig | undefined;
  if (sl || topAtr !== undefined || raw['min_stop_distance_pct'] !== undefined || raw['max_stop_distance_pct'] !== undefined) {
    const atrBased = sl?.['atr_based'];
    stopLoss = {
      percent: num(sl?.['percent']) ?? num(sl?.['base_percent']),
      atrMultiplier: atrBased === false ? undefined : (num(sl?.['atr_multiplier']) ?? topAtr),
      minDistancePct: num(sl?.['min_distance_pct']) ?? num(raw['min_stop_distance_pct']),
      maxDistancePct: num(sl?.['max_distance_pct']) ?? num(raw['max_stop_distance_pct']),
    };
  }

  const tp = isRecord(raw['take_profit']) ? raw['take_profit'] : undefined;
  let takeProfit: TakeProfitConfig | undefined;
  if (tp) {
    const partialExits: PartialExit[] = Array.isArray(tp['partial_exits'])
      ? tp['partial_exits'].filter(isRecord).map((p) => ({ level: num(p['level']) ?? 0, fraction: num(p['percent']) ?? 0 }))
      : [];
    takeProfit = { percent: num(tp['percent']) ?? num(tp['base_percent']), partialExits };
  }
  return { sizing, sizingSource, stopLoss, takeProfit, raw };
}

function buildEquityProtection(raw: Record<string, unknown>): EquityProtectionConfig {
  return {
    enabled: raw['enabled'] === true,
    drawdownThreshold: num(raw['drawdown_threshold']) ?? 0.25,
    biasFlipThreshold: num(raw['bias_flip_threshold']) ?? 0.1,
    smoothingWindow: num(raw['smoothing_window']) ?? 1,
    enableOnBiasFlip: raw['enable_on_bias_flip'] !== false,
    raw,
  };
}

function buildOptimization(raw: Record<string, unknown>): OptimizationConfig {
  const parameters: OptimizationParameter[] = Array.isArray(raw['parameters'])
    ? raw['parameters'].filter(isRecord).map((p) => ({
        name: String(p['name']),
        type: p['type'] as OptimizationParameter['type'],
        low: num(p['low']),
        high: num(p['high']),
        step: num(p['step']),
        choices: Array.isArray(p['choices']) ? p['choices'] : undefined,
        default: p['default'],
        logScale: p['log_scale'] === true,
      }))
    : [];
  return { parameters, defaults: isRecord(raw['defaults']) ? raw['defaults'] : undefined, raw };
}

// ---------------------------------------------------------------------------------------------
// Helpers for callers
// ---------------------------------------------------------------------------------------------

/** Position of a document path in a loaded config (nearest ancestor when the path has none). */
export function positionOf(config: StrategyConfig, path: string): SourcePosition {
  const p = lookupPosition(config.positions, path);
  return { line: p.line, column: p.column };
}

/**
 * Position of character `offset` (0-based) inside the string at `path`, e.g. where an expression
 * error is inside a rule. Exact for single-line plain and quoted scalars without escapes.
 */
export function positionInValue(config: StrategyConfig, path: string, offset: number): SourcePosition {
  const p = config.positions[path];
  if (!p) return positionOf(config, path);
  if (p.textOffset === undefined) return { line: p.line, column: p.column };
  return { line: p.line, column: p.column + p.textOffset + offset };
}

/** A problem located at `path` of a loaded config. */
export function problemAt(
  config: StrategyConfig,
  path: string,
  code: string,
  message: string,
  extra: { found?: string; allowed?: string; offset?: number } = {},
): ConfigProblem {
  const pos = extra.offset !== undefined ? positionInValue(config, path, extra.offset) : positionOf(config, path);
  const problem: { -readonly [K in keyof ConfigProblem]: ConfigProblem[K] } = {
    code, message, file: config.file, line: pos.line, column: pos.column, path,
  };
  if (extra.found !== undefined) problem.found = extra.found;
  if (extra.allowed !== undefined) problem.allowed = extra.allowed;
  return problem;
}

/** "file:line:column CODE message" — one line per problem, for CLIs and logs. */
export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column} ${p.code} ${p.message}`;
}

/**
 * Apply a variant: the lists (and modes) it names replace the top-level ones, the others stay.
 * Unknown name → UNKNOWN_VARIANT listing the available ones.
 */
export function selectVariant(
  config: StrategyConfig,
  name: string,
): { ok: true; config: StrategyConfig } | { ok: false; error: ConfigProblem } {
  const variant = config.variants[name];
  if (!variant) {
    const available = Object.keys(config.variants);
    const close = closestMatches(name, available, 2);
    return {
      ok: false,
      error: problemAt(
        config,
        'variants',
        'UNKNOWN_VARIANT',
        available.length === 0
          ? `variant \`${name}\` does not exist: this strategy defines no variants`
          : `variant \`${name}\` does not exist${close.length > 0 ? ` (did you mean ${close.map((c) => `\`${c}\``).join(' or ')}?)` : ''}; available: ${available.join(', ')}`,
        { found: name, allowed: available.join(', ') },
      ),
    };
  }
  const lists = { ...config.logic.lists };
  const modes = { ...config.logic.modes };
  const sources = { ...config.logic.sources };
  for (const l of RULE_LISTS) {
    const replaced = variant.lists[l];
    if (replaced !== undefined) {
      lists[l] = replaced;
      sources[l] = `variants.${name}.${l}`;
    }
    const m = variant.modes[l];
    if (m !== undefined) modes[l] = m;
  }
  return { ok: true, config: { ...config, logic: { lists, modes, sources }, selectedVariant: name } };
}

/** `cancel_latency_ms`: a fixed number or [min, max]; 0 or absent: cancels land at once. */
function cancelLatencyOf(v: number | readonly [number, number] | undefined): BacktestConfig['cancelLatencyMs'] {
  if (v === undefined) return undefined;
  const [min, max] = typeof v === 'number' ? [v, v] : v;
  return max === 0 ? undefined : { min, max };
}
