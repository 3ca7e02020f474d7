import { defineConfig } from 'vitest/config';

// Two projects:
//  - core:   the README's `pnpm test`; needs only this repo plus the local Redis/PostgreSQL.
//  - shared: suites over third-party data read from ../shared (real Binance recordings, TA-Lib
//            files, the original btc_research configs); run by .ci/run in addition to core.
export default defineConfig({
  test: {
    // two files at a time: most suites wait on real processes, sockets and timers, so a 2-core
    // machine runs the core suite in about two thirds of the time it takes one file at a time
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'core',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
          exclude: ['tests/shared/**', '**/node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'shared',
          include: ['tests/shared/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
