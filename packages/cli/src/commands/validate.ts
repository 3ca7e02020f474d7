import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildTradingSetup, formatProblem } from '@btc-research/engine';
import type { CliIo } from '../cli.js';

/** `btc-research validate <config.yaml>…`: every problem with file, line and column; exit 0/1. */
export async function runValidateCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { strict: { type: 'boolean', default: false } } });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  if (parsed.positionals.length === 0) {
    io.stderr.write('usage: btc-research validate <config.yaml> [...]\n');
    return 2;
  }
  let failed = 0;
  for (const file of parsed.positionals) {
    const full = path.resolve(io.cwd, file);
    let text: string;
    try {
      text = await fs.readFile(full, 'utf8');
    } catch (err) {
      io.stderr.write(`${file}: cannot read: ${(err as Error).message}\n`);
      failed += 1;
      continue;
    }
    const setup = buildTradingSetup(text, file, { strategyId: 'validate' });
    const warnings = setup.warnings;
    const errors = setup.ok ? (parsed.values.strict ? warnings : []) : setup.errors;
    if (errors.length > 0) {
      failed += 1;
      for (const p of errors) io.stderr.write(`${formatProblem(p)}\n`);
      if (!parsed.values.strict) for (const p of warnings) io.stderr.write(`warning: ${formatProblem(p)}\n`);
    } else {
      for (const p of warnings) io.stdout.write(`warning: ${formatProblem(p)}\n`);
      if (setup.ok) io.stdout.write(`${file}: OK (${setup.strategy.columnNames.length} columns, warm-up ${setup.strategy.warmupMinutes} min of 1m candles)\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}
