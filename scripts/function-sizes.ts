/**
 * Lists the functions over a line limit in the services' source (tests excluded), and the largest
 * function and file of each service — the measure behind "no function over ~80 lines".
 *
 *   pnpm exec tsx scripts/function-sizes.ts [--max 80] [--dir services]
 *
 * A function's lines run from its first line to its closing brace, nested functions included (a
 * 250-line closure counts as 250 even when it is made of small arrows).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

interface FunctionSize {
  file: string;
  name: string;
  line: number;
  lines: number;
}

function argValue(flag: string, fallback: string): string {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist' && entry.name !== 'public') out.push(...sourceFiles(full));
    } else if (/\.tsx?$/.test(entry.name) && !/\.(test|bench)\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      out.push(full);
    }
  }
  return out;
}

/** the name a reader would search for: the declaration's, the variable's or property's it is assigned to, or the call it is passed to */
function functionName(node: ts.Node, sf: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name !== undefined) return named.name.getText(sf);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText(sf);
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText(sf).slice(0, 40)})`;
  return '(anonymous)';
}

function measureFile(file: string): FunctionSize[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: FunctionSize[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file, name: functionName(node, sf), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function lineCount(file: string): number {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').length;
}

const max = Number(argValue('--max', '80'));
const root = argValue('--dir', 'services');
const services = fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, 'src')));
const over: FunctionSize[] = [];
console.log('service             largest function (lines)                                  largest file (lines)');
for (const service of services) {
  const files = sourceFiles(path.join(root, service.name, 'src'));
  const functions = files.flatMap(measureFile);
  over.push(...functions.filter((f) => f.lines > max));
  const biggestFn = functions.reduce<FunctionSize | null>((a, f) => (a === null || f.lines > a.lines ? f : a), null);
  const biggestFile = files.map((f) => ({ f, n: lineCount(f) })).reduce<{ f: string; n: number } | null>((a, x) => (a === null || x.n > a.n ? x : a), null);
  const fnText = biggestFn === null ? '-' : `${biggestFn.name} ${path.relative(root, biggestFn.file)}:${biggestFn.line} (${biggestFn.lines})`;
  const fileText = biggestFile === null ? '-' : `${path.relative(root, biggestFile.f)} (${biggestFile.n})`;
  console.log(`${service.name.padEnd(20)}${fnText.padEnd(80)}${fileText}`);
}
console.log(`\nfunctions over ${max} lines: ${over.length}`);
for (const f of over.sort((a, b) => b.lines - a.lines)) console.log(`${String(f.lines).padStart(5)}  ${path.relative('.', f.file)}:${f.line}  ${f.name}`);
