/**
 * YAML text → plain value tree plus the source position of every node, keyed by document path
 * ("indicators[2].length"). Positions refer to the text the user wrote, also after `${VAR}`
 * substitution changed the length of some lines.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, Scalar } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { NodePosition, SourcePosition } from './config-schema.js';

export interface SourceProblem {
  readonly code: string;
  readonly message: string;
  readonly position: SourcePosition;
  readonly found?: string;
}

export interface ParsedSource {
  /** The document as plain JS values (YAML 1.1, as PyYAML reads it); undefined for an empty file. */
  readonly value: unknown;
  readonly positions: Map<string, NodePosition>;
  /** Raw source text of scalar nodes, by path (e.g. to keep `version: 1.0` as "1.0"). */
  readonly rawScalars: Map<string, string>;
  readonly errors: readonly SourceProblem[];
  readonly warnings: readonly SourceProblem[];
}

/** Maps offsets in the text handed to the YAML parser back to the original text. */
interface OffsetMap {
  toOriginal(offset: number): number;
}

const IDENTITY: OffsetMap = { toOriginal: (o) => o };

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function substituteEnv(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): { text: string; map: OffsetMap; missing: { name: string; offset: number }[] } {
  // segments: [substitutedStart, originalStart, substitutedLength, originalLength]
  const segments: [number, number, number, number][] = [];
  const missing: { name: string; offset: number }[] = [];
  let out = '';
  let last = 0;
  for (const m of text.matchAll(ENV_REF)) {
    const name = m[1] as string;
    const start = m.index;
    const value = env[name];
    out += text.slice(last, start);
    if (value === undefined) {
      missing.push({ name, offset: start });
      out += m[0];
    } else {
      segments.push([out.length, start, value.length, m[0].length]);
      out += value;
    }
    last = start + m[0].length;
  }
  out += text.slice(last);
  if (segments.length === 0) return { text: out, map: IDENTITY, missing };
  return {
    text: out,
    missing,
    map: {
      toOriginal(offset: number): number {
        let delta = 0;
        for (const [subStart, origStart, subLen, origLen] of segments) {
          if (offset < subStart) break;
          if (offset < subStart + subLen) return origStart; // inside a substituted value
          delta = origStart + origLen - (subStart + subLen);
        }
        return offset + delta;
      },
    },
  };
}

/**
 * The YAML parser reports an unclosed quote at the end of the text; find where that string was
 * opened instead: the last line before `end` whose value starts with a quote it does not close.
 */
function findUnterminatedQuote(text: string, end: number): number | undefined {
  const opener = /^(\s*(?:-\s+)?(?:[^\s#'"][^#'"]*?:\s+)?)(["'])(.*)$/;
  let found: number | undefined;
  let offset = 0;
  for (const line of text.slice(0, end).split('\n')) {
    const m = opener.exec(line);
    if (m) {
      const quote = m[2] as string;
      const rest = (m[3] as string).replace(quote === '"' ? /\\./g : /''/g, '');
      if (!rest.includes(quote)) {
        found = offset + (m[1] as string).length;
        break;
      }
    }
    offset += line.length + 1;
  }
  return found;
}

/** 1-based line/column of offsets in one text. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  at(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] as number) + 1 };
  }
}

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

export function parseSource(text: string, env?: Readonly<Record<string, string | undefined>>): ParsedSource {
  const lines = new LineIndex(text);
  const errors: SourceProblem[] = [];
  const warnings: SourceProblem[] = [];
  let source = text;
  let map = IDENTITY;
  if (env !== undefined) {
    const sub = substituteEnv(text, env);
    source = sub.text;
    map = sub.map;
    for (const m of sub.missing) {
      errors.push({
        code: 'ENV_VAR_UNSET',
        message: `environment variable \${${m.name}} is not set`,
        position: lines.at(m.offset),
        found: m.name,
      });
    }
  }
  const pos = (offset: number): SourcePosition => lines.at(map.toOriginal(offset));

  const doc = parseDocument(source, { version: '1.1', prettyErrors: false, merge: true, uniqueKeys: true });
  for (const e of doc.errors) {
    const opened = e.code === 'MISSING_CHAR' && /quote/i.test(e.message) ? findUnterminatedQuote(source, e.pos[0]) : undefined;
    if (opened !== undefined) {
      errors.push({
        code: `YAML_${e.code}`,
        message: `YAML syntax error: the quoted string that starts here is never closed (${e.message})`,
        position: pos(opened),
      });
    } else if (e.code === 'MULTIPLE_DOCS') {
      errors.push({ code: `YAML_${e.code}`, message: 'a strategy file holds one YAML document; a second one starts here (remove the `---` separator)', position: pos(e.pos[0]) });
    } else {
      errors.push({ code: `YAML_${e.code}`, message: `YAML syntax error: ${e.message}`, position: pos(e.pos[0]) });
    }
  }
  for (const w of doc.warnings) {
    warnings.push({ code: `YAML_${w.code}`, message: `YAML: ${w.message}`, position: pos(w.pos[0]) });
  }

  const positions = new Map<string, NodePosition>();
  const rawScalars = new Map<string, string>();
  positions.set('', { line: 1, column: 1 });

  const walk = (node: unknown, path: string, key: SourcePosition | undefined): void => {
    if (node === null || node === undefined || isAlias(node)) return;
    const n = node as YamlNode;
    const range = n.range;
    let at: SourcePosition | undefined = range ? pos(range[0]) : key;
    if (isScalar(n) && range && range[0] === range[1] && key) at = key; // empty value: point at its key
    if ((isMap(n) || isSeq(n)) && !n.flow && key) at = key; // a block collection starts on the next line: use its key
    if (at) {
      const entry: { line: number; column: number; key?: SourcePosition; textOffset?: number } = { line: at.line, column: at.column };
      if (key) entry.key = key;
      if (isScalar(n) && range) {
        const raw = source.slice(range[0], range[1]);
        rawScalars.set(path, raw);
        if (typeof n.value === 'string' && !raw.includes('\n')) {
          entry.textOffset = n.type === Scalar.QUOTE_DOUBLE || n.type === Scalar.QUOTE_SINGLE ? 1 : 0;
        }
      }
      positions.set(path, entry);
    }
    if (isMap(n)) {
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const k = pair.key;
        const keyName = isScalar(k) ? String(k.value) : String(k);
        const kr = isScalar(k) ? k.range : undefined;
        const keyAt = kr ? pos(kr[0]) : at;
        const p = childPath(path, keyName);
        if (pair.value === null || pair.value === undefined) {
          if (keyAt) positions.set(p, { line: keyAt.line, column: keyAt.column, key: keyAt });
        } else {
          walk(pair.value, p, keyAt);
        }
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item, childPath(path, i), undefined));
    }
  };
  walk(doc.contents, '', undefined);

  let value: unknown = undefined;
  if (errors.length === 0) {
    value = doc.toJS({ maxAliasCount: 100 });
  }
  return { value, positions, rawScalars, errors, warnings };
}

/** Position of `path`, or of its nearest ancestor that has one. */
export function lookupPosition(positions: ReadonlyMap<string, NodePosition> | Readonly<Record<string, NodePosition>>, path: string): NodePosition {
  const get = (p: string): NodePosition | undefined =>
    positions instanceof Map ? positions.get(p) : (positions as Readonly<Record<string, NodePosition>>)[p];
  let p = path;
  for (;;) {
    const hit = get(p);
    if (hit) return hit;
    if (p === '') return { line: 1, column: 1 };
    p = parentPath(p);
  }
}

export function parentPath(path: string): string {
  const dot = path.lastIndexOf('.');
  const bracket = path.lastIndexOf('[');
  const cut = Math.max(dot, bracket);
  return cut <= 0 ? '' : path.slice(0, cut);
}
