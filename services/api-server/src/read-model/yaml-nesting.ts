/**
 * How deep a YAML document nests, estimated in one pass without parsing it. The `yaml` parser
 * recurses once per level: a 2 KB document such as "- - - … x" (1,000 levels) overflows the stack,
 * and when that happens while V8 compiles a regular expression the whole process aborts ("RegExp
 * compiler allocation failed"), which no try/catch can stop. A strategy nests a few levels, so
 * documents beyond these bounds are refused before any parser sees them (together at most about 220
 * levels, far below the roughly 1,000 where the parser overflows).
 */
export const MAX_YAML_INDENT = 128;
export const MAX_YAML_FLOW_DEPTH = 64;
export const MAX_YAML_COMPACT_NESTING = 32;

export interface NestingProblem {
  message: string;
  line: number;
  column: number;
}

export function yamlNestingProblem(text: string): NestingProblem | null {
  let line = 1;
  let column = 0;
  let flow = 0;
  let quote: '"' | "'" | null = null;
  let atLineStart = true;
  let indent = 0;
  /** block entries opened on this line before any content: "- - - x", "? - x" */
  let compact = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line += 1;
      column = 0;
      atLineStart = true;
      indent = 0;
      compact = 0;
      continue;
    }
    column += 1;
    if (quote !== null) {
      if (quote === '"' && c === '\\') {
        i += 1;
        column += 1;
      } else if (c === quote) quote = null;
      continue;
    }
    if (atLineStart && (c === ' ' || c === '\t')) {
      indent += 1;
      if (indent > MAX_YAML_INDENT) return { message: `the YAML is indented deeper than ${MAX_YAML_INDENT} columns`, line, column };
      continue;
    }
    const next = text[i + 1];
    const isEntry = (c === '-' || c === '?' || c === ':') && (next === ' ' || next === '\t' || next === undefined || next === '\n');
    if ((atLineStart || compact > 0) && isEntry && flow === 0 && (atLineStart || text[i - 1] === ' ')) {
      compact += 1;
      atLineStart = false;
      if (compact > MAX_YAML_COMPACT_NESTING) return { message: `the YAML nests more than ${MAX_YAML_COMPACT_NESTING} entries on one line`, line, column };
      continue;
    }
    if (c === '#' && (atLineStart || text[i - 1] === ' ' || text[i - 1] === '\t')) {
      const end = text.indexOf('\n', i);
      column += (end < 0 ? text.length : end) - i - 1;
      i = (end < 0 ? text.length : end) - 1;
      continue;
    }
    if (c !== ' ' && c !== '\t') {
      atLineStart = false;
      if (!isEntry) compact = 0;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') {
      flow += 1;
      if (flow > MAX_YAML_FLOW_DEPTH) return { message: `the YAML nests more than ${MAX_YAML_FLOW_DEPTH} levels of [ ] or { }`, line, column };
    } else if ((c === ']' || c === '}') && flow > 0) flow -= 1;
  }
  return null;
}
