/**
 * The dependency rules of ARCHITECTURE.md §1, checked by `pnpm lint` on resolved paths (a relative
 * import across a boundary is caught as surely as a package import; type-only imports count).
 *   engine → nothing of ours · contracts → nothing · platform → contracts · binance → engine,
 *   contracts, platform · cli → packages · services → packages, never another service ·
 *   dashboard → contracts and platform only · no import cycles anywhere.
 * Tests and benches obey the same rules; `scripts/` and `tests/` are composition and test support.
 */
const OURS = '^(packages|services)/';
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'an import cycle: pull what both sides need into a module of its own',
      from: { path: OURS },
      to: { circular: true },
    },
    {
      name: 'engine-imports-nothing-of-ours',
      severity: 'error',
      comment: 'the engine is the pure core everything else builds on: it imports no workspace package',
      from: { path: '^packages/engine/' },
      to: { path: OURS, pathNot: '^packages/engine/' },
    },
    {
      name: 'engine-does-no-io',
      severity: 'error',
      comment: 'the engine does no I/O: no node: module outside its tests',
      from: { path: '^packages/engine/src/', pathNot: ['\\.test\\.ts$', '/testing/'] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'contracts-import-nothing-of-ours',
      severity: 'error',
      comment: 'contracts are the wire formats every unit shares: they import nothing of ours',
      from: { path: '^packages/contracts/' },
      to: { path: OURS, pathNot: '^packages/contracts/' },
    },
    {
      name: 'platform-imports-only-contracts',
      severity: 'error',
      comment: 'platform (bus, storage, logging, lifecycle) builds only on contracts',
      from: { path: '^packages/platform/' },
      to: { path: OURS, pathNot: '^packages/(platform|contracts)/' },
    },
    {
      name: 'binance-imports-no-cli-or-service',
      severity: 'error',
      comment: 'the venue package is used by services and the CLI, never the reverse',
      from: { path: '^packages/binance/' },
      to: { path: '^(packages/cli|services)/' },
    },
    {
      name: 'cli-imports-no-service',
      severity: 'error',
      comment: 'the CLI builds on packages; a service is a process of its own',
      from: { path: '^packages/cli/' },
      to: { path: '^services/' },
    },
    {
      name: 'no-service-imports-another',
      severity: 'error',
      comment: 'services talk over the bus or HTTP, never by importing each other',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'dashboard-imports-only-contracts-and-platform',
      severity: 'error',
      comment: 'the dashboard reads everything through the API: contracts and platform only',
      from: { path: '^services/dashboard/' },
      to: { path: '^packages/', pathNot: '^packages/(contracts|platform)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|reports|data|public/vendor)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
