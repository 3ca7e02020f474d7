/**
 * The dependency rules `pnpm lint` enforces (.dependency-cruiser.cjs, ARCHITECTURE.md §1): a small
 * workspace laid out like ours, with one import breaking each rule and imports the rules allow, is
 * cruised with the repository's own configuration by the real `depcruise` command.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '../..');
const depcruise = path.join(repo, 'node_modules/.bin/depcruise');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** file → its source; every unit has an index.ts the others import */
const files: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  'packages/engine/src/index.ts': 'export const engine = 1;\n',
  'packages/contracts/src/index.ts': 'export const contracts = 1;\n',
  'packages/platform/src/index.ts': "import { contracts } from '../../contracts/src/index.js';\nexport const platform = contracts;\n",
  'packages/binance/src/index.ts': "import { engine } from '../../engine/src/index.js';\nimport { platform } from '../../platform/src/index.js';\nexport const binance = engine + platform;\n",
  'packages/cli/src/index.ts': "import { binance } from '../../binance/src/index.js';\nexport const cli = binance;\n",
  'services/api-server/src/index.ts': "import { engine } from '../../../packages/engine/src/index.js';\nimport { platform } from '../../../packages/platform/src/index.js';\nexport const api = engine + platform;\n",
  'services/dashboard/src/index.ts': "import { contracts } from '../../../packages/contracts/src/index.js';\nimport { platform } from '../../../packages/platform/src/index.js';\nexport const dashboard = contracts + platform;\n",
  // one import breaking each rule
  'packages/engine/src/uses-platform.ts': "import { platform } from '../../platform/src/index.js';\nexport const a = platform;\n",
  'packages/engine/src/reads-files.ts': "import fs from 'node:fs';\nexport const b = fs;\n",
  'packages/contracts/src/uses-engine.ts': "import { engine } from '../../engine/src/index.js';\nexport const c = engine;\n",
  'packages/platform/src/uses-engine.ts': "import { engine } from '../../engine/src/index.js';\nexport const d = engine;\n",
  'packages/binance/src/uses-cli.ts': "import { cli } from '../../cli/src/index.js';\nexport const e = cli;\n",
  'packages/cli/src/uses-service.ts': "import { api } from '../../../services/api-server/src/index.js';\nexport const f = api;\n",
  'services/api-server/src/uses-dashboard.ts': "import { dashboard } from '../../dashboard/src/index.js';\nexport const g = dashboard;\n",
  'services/dashboard/src/uses-engine.ts': "import { engine } from '../../../packages/engine/src/index.js';\nexport const h = engine;\n",
  'packages/engine/src/cycle-a.ts': "import type { B } from './cycle-b.js';\nexport interface A { b?: B }\n",
  'packages/engine/src/cycle-b.ts': "import type { A } from './cycle-a.js';\nexport interface B { a?: A }\n",
};

let dir = '';
let violations: Violation[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dep-rules-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  const result = await run(depcruise, ['packages', 'services', '--config', path.join(repo, '.dependency-cruiser.cjs'), '--output-type', 'json'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).catch(
    (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
  );
  violations = (JSON.parse(result.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const broken = (rule: string) => violations.filter((v) => v.rule.name === rule).map((v) => `${v.from} → ${v.to}`);

describe('pnpm lint rejects an import that breaks a dependency rule', () => {
  it.each([
    ['engine-imports-nothing-of-ours', 'packages/engine/src/uses-platform.ts → packages/platform/src/index.ts'],
    ['engine-does-no-io', 'packages/engine/src/reads-files.ts → fs'],
    ['contracts-import-nothing-of-ours', 'packages/contracts/src/uses-engine.ts → packages/engine/src/index.ts'],
    ['platform-imports-only-contracts', 'packages/platform/src/uses-engine.ts → packages/engine/src/index.ts'],
    ['binance-imports-no-cli-or-service', 'packages/binance/src/uses-cli.ts → packages/cli/src/index.ts'],
    ['cli-imports-no-service', 'packages/cli/src/uses-service.ts → services/api-server/src/index.ts'],
    ['no-service-imports-another', 'services/api-server/src/uses-dashboard.ts → services/dashboard/src/index.ts'],
    ['dashboard-imports-only-contracts-and-platform', 'services/dashboard/src/uses-engine.ts → packages/engine/src/index.ts'],
  ])('%s', (rule, edge) => {
    expect(broken(rule)).toEqual([edge]);
  });

  it('an import cycle, even of types only', () => {
    expect(broken('no-cycles')).toEqual(expect.arrayContaining(['packages/engine/src/cycle-a.ts → packages/engine/src/cycle-b.ts']));
  });

  it('and nothing the rules allow (platform → contracts, binance → engine and platform, services → packages, the dashboard → contracts and platform)', () => {
    const allowedFiles = ['packages/platform/src/index.ts', 'packages/binance/src/index.ts', 'packages/cli/src/index.ts', 'services/api-server/src/index.ts', 'services/dashboard/src/index.ts'];
    expect(violations.filter((v) => allowedFiles.includes(v.from))).toEqual([]);
  });
});
