/**
 * `.env.example` lists every variable a service reads. The readers are each service's `config.ts`
 * and the start-up scripts (`scripts/*.ts`): every variable name they read (`envStr(env, 'X')`,
 * `env['X']`, `process.env.X`, …) must appear in `.env.example`, set or commented out, with a
 * comment above it. A new variable without documentation fails here, naming the file that reads it.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '../..');

/** The files that turn the environment into configuration. */
function configReaders(): string[] {
  const files: string[] = [];
  for (const dir of ['services', 'packages']) {
    for (const unit of readdirSync(path.join(repo, dir))) {
      const src = path.join(repo, dir, unit, 'src');
      for (const name of ['config.ts', 'env-config.ts']) if (existsSync(path.join(src, name))) files.push(path.join(src, name));
      const configDir = path.join(src, 'config');
      if (existsSync(configDir)) for (const f of readdirSync(configDir)) if (f.endsWith('.ts') && !f.endsWith('.test.ts')) files.push(path.join(configDir, f));
    }
  }
  for (const f of readdirSync(path.join(repo, 'scripts'))) if (f.endsWith('.ts') && f !== 'bench.ts') files.push(path.join(repo, 'scripts', f));
  return files;
}

const READ_PATTERNS = [
  /\benv[A-Z][A-Za-z]*\(\s*\w+\s*,\s*'([A-Z][A-Z0-9_]*)'/g, // envStr(env, 'NAME', …)
  /\b(?:env|process\.env)\[\s*'([A-Z][A-Z0-9_]*)'\s*\]/g, // env['NAME']
  /\bprocess\.env\.([A-Z][A-Z0-9_]*)\b/g, // process.env.NAME
];
/** read by the scripts from the operating system, not configuration */
const SYSTEM = new Set(['PATH', 'HOME', 'CI', 'NO_COLOR']);

function variablesRead(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const names = new Set<string>();
  for (const pattern of READ_PATTERNS) for (const m of text.matchAll(pattern)) names.add(m[1]!);
  return [...names].filter((n) => !SYSTEM.has(n));
}

/** `NAME=…` or `# NAME=…` lines, each with a comment line somewhere above it in its block */
function documented(): Map<string, { hasComment: boolean }> {
  const out = new Map<string, { hasComment: boolean }>();
  let commentSeen = false;
  for (const line of readFileSync(path.join(repo, '.env.example'), 'utf8').split('\n')) {
    const m = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line);
    if (m) out.set(m[1]!, { hasComment: commentSeen });
    else if (line.startsWith('#')) commentSeen = true;
    else if (line.trim() === '') commentSeen = false;
  }
  return out;
}

describe('.env.example', () => {
  const readers = configReaders();
  const docs = documented();

  it('finds the config readers of every service', () => {
    const rel = readers.map((f) => path.relative(repo, f));
    for (const service of ['stream-manager', 'paper-trader', 'api-server']) expect(rel).toContain(`services/${service}/src/config.ts`);
    expect(rel).toContain('scripts/start.ts');
  });

  it('lists every variable a config reader reads, with a comment', () => {
    const missing: string[] = [];
    for (const file of readers) {
      for (const name of variablesRead(file)) {
        const doc = docs.get(name);
        if (!doc) missing.push(`${name} (read in ${path.relative(repo, file)}) is not in .env.example`);
        else if (!doc.hasComment) missing.push(`${name} has no comment in .env.example`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('lists nothing no service reads (a stale entry misleads as much as a missing one)', () => {
    const read = new Set(readers.flatMap(variablesRead));
    // read by docker compose itself (image tags, database set-up), not by a service
    const composeOnly = [...docs.keys()].filter((n) => !read.has(n)).filter((n) => {
      const compose = ['docker-compose.yml', 'docker-compose.dev.yml', 'docker-compose.prod.yml'].map((f) => readFileSync(path.join(repo, f), 'utf8')).join('\n');
      return !compose.includes(`\${${n}`);
    });
    expect(composeOnly).toEqual([]);
  });
});
