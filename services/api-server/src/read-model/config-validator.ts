import { LineCounter, parseDocument } from 'yaml';
import type { ConfigProblemDto } from '@btc-research/contracts';

export interface ConfigValidation {
  problems: ConfigProblemDto[];
  name: string | null;
  symbol: string | null;
  exchange: string | null;
  timeframes: string[];
}

/** Validates strategy YAML text: every problem with its line and column. */
export function validateStrategyYaml(text: string, fileName: string): ConfigValidation {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblemDto[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return { message: `${fileName}: ${e.message.split('\n')[0] ?? e.message}`, path: '', line: pos.line, column: pos.col };
  });
  const root: unknown = problems.length === 0 ? doc.toJS() : null;
  const obj = root !== null && typeof root === 'object' && !Array.isArray(root) ? (root as Record<string, unknown>) : null;
  if (problems.length === 0 && !obj) problems.push({ message: 'the document must be a mapping of strategy keys', path: '', line: 1, column: 1 });
  const tfs = obj?.['timeframes'];
  return {
    problems,
    name: typeof obj?.['name'] === 'string' ? obj['name'] : null,
    symbol: typeof obj?.['symbol'] === 'string' ? obj['symbol'] : null,
    exchange: typeof obj?.['exchange'] === 'string' ? obj['exchange'] : null,
    timeframes: tfs && typeof tfs === 'object' ? Object.values(tfs).filter((v): v is string => typeof v === 'string') : [],
  };
}
