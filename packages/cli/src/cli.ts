import { runBackupCommand } from './commands/backup.js';
import { runBacktestCommand } from './commands/backtest.js';
import { runDownloadCommand } from './commands/download.js';
import { runIndicatorsCommand } from './commands/indicators.js';
import { runReconcileCommand } from './commands/reconcile.js';
import { runRestoreCommand } from './commands/restore.js';
import { runValidateCommand } from './commands/validate.js';

import type { CliIo } from './cli-io.js';

export type { CliIo };

const USAGE = `btc-research — paper trading and backtesting for btc_research strategy YAML

Usage:
  btc-research backtest <config.yaml> --data <klines.csv> [--from DATE] [--to DATE] [--json] [--report out.html]
                        [--compat legacy|default] [--variant NAME] [--cash N]
  btc-research validate <config.yaml> [...more.yaml] [--strict] [--compat legacy|default] [--variant NAME] [--json]
  btc-research indicators <config.yaml> --data <klines.csv> --out <file.csv> [--from DATE] [--to DATE] [--compat legacy|default] [--variant NAME]
  btc-research download --symbol BTCUSDT --from DATE [--to DATE] [--out FILE] [--venue binance|binanceus]
  btc-research backup --out FILE[.gz]          the store DATA_DIR or DATABASE_URL selects, while the system runs
  btc-research restore FILE [--force]          into an empty store (--force replaces what it holds); stop the services first
  btc-research reconcile <strategyId> [--from DATE] [--to DATE] [--json]   paper vs replay, vs a candle backtest, fill-model bands
  btc-research help

Docs: docs/backtesting.md (backtest, indicators, validate, statistics), docs/compat.md (compat: legacy),
docs/deployment.md (backup and restore), docs/reconciliation.md (reconcile).

Exit codes: 0 success, 1 invalid input (config or data), 2 usage error.
`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'backtest':
      return runBacktestCommand(rest, io);
    case 'validate':
      return runValidateCommand(rest, io);
    case 'download':
      return runDownloadCommand(rest, io);
    case 'indicators':
      return runIndicatorsCommand(rest, io);
    case 'backup':
      return runBackupCommand(rest, io);
    case 'restore':
      return runRestoreCommand(rest, io);
    case 'reconcile':
      return runReconcileCommand(rest, io);
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
