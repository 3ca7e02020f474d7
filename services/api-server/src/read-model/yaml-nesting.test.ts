import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VALID_YAML } from '../test-support/fixtures.js';
import { MAX_YAML_FLOW_DEPTH, yamlNestingProblem } from './yaml-nesting.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..', '..');
const HOSTILE = {
  compact: `${'- '.repeat(1_000)}x`,
  flow: `a: ${'['.repeat(10_000)}${']'.repeat(10_000)}`,
  mapping: `a: ${'{"k":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
  block: `${Array.from({ length: 500 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} x`,
  complexKeys: `${'? '.repeat(500)}x`,
};

describe('YAML nesting bound', () => {
  it('lets strategies through: the demo configs, the test fixture, and nesting up to the bounds', () => {
    for (const file of ['demo-ema-cross.yaml', 'demo-rsi-mean-reversion.yaml']) expect(yamlNestingProblem(readFileSync(path.join(repoRoot, 'config', file), 'utf8')), file).toBeNull();
    expect(yamlNestingProblem(VALID_YAML)).toBeNull();
    expect(yamlNestingProblem(`a: ${'['.repeat(MAX_YAML_FLOW_DEPTH)}${']'.repeat(MAX_YAML_FLOW_DEPTH)}`)).toBeNull();
    // brackets in strings and comments are text, not nesting
    expect(yamlNestingProblem(`a: "${'['.repeat(500)}"\nb: '${'{'.repeat(500)}'\n# ${'['.repeat(500)}\nc: "esc \\" ${'['.repeat(100)}"`)).toBeNull();
  });

  it('refuses each kind of deep nesting, saying where', () => {
    expect(yamlNestingProblem(HOSTILE.compact)).toMatchObject({ line: 1, message: expect.stringContaining('entries on one line') });
    expect(yamlNestingProblem(HOSTILE.flow)).toMatchObject({ line: 1, column: 3 + MAX_YAML_FLOW_DEPTH + 1, message: expect.stringContaining('[ ] or { }') });
    expect(yamlNestingProblem(HOSTILE.mapping)?.message).toContain('[ ] or { }');
    expect(yamlNestingProblem(HOSTILE.block)).toMatchObject({ line: 130, message: expect.stringContaining('indented deeper') });
    expect(yamlNestingProblem(HOSTILE.complexKeys)?.message).toContain('entries on one line');
  });

  it('keeps the process alive: a 2 KB document used to abort it from inside the YAML parser', () => {
    // in a child process, as the api-server would run it: the engine's loader first, then the
    // headline parse; before the bound, the second parse aborted the whole process
    const validator = path.join(import.meta.dirname, 'config-validator.ts');
    const docs = path.join(mkdtempSync(path.join(tmpdir(), 'yaml-nesting-')), 'docs.json');
    writeFileSync(docs, JSON.stringify(HOSTILE));
    const code = `const m = await import(${JSON.stringify(validator)}); const fs = await import('node:fs');
      for (const [k, y] of Object.entries(JSON.parse(fs.readFileSync(${JSON.stringify(docs)}, 'utf8')))) { const r = m.validateStrategyYaml(y, k + '.yaml'); console.log(k, r.problems[0]?.code); }`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(run.error).toBeUndefined();
    expect(run.stderr).not.toContain('FATAL ERROR');
    expect(run.status, run.stderr.slice(0, 500)).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual(Object.keys(HOSTILE).map((k) => `${k} YAML_TOO_DEEP`));
  });
});
