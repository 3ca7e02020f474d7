import { runBacktestCommand } from './commands/backtest.js';
import { runValidateCommand } from './commands/validate.js';

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  cwd: string;
}

const USAGE = `btc-research — paper trading and backtesting for btc_research strategy YAML

Usage:
  btc-research backtest <config.yaml> --data <klines.csv> [--from DATE] [--to DATE] [--json] [--compat legacy] [--variant NAME]
  btc-research validate <config.yaml> [...more.yaml] [--strict]
  btc-research help

Exit codes: 0 success, 1 invalid input (config or data), 2 usage error.
`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'backtest':
      return runBacktestCommand(rest, io);
    case 'validate':
      return runValidateCommand(rest, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
