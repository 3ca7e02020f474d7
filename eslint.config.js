// Lint: typescript-eslint's recommended rules (syntax only, fast) plus the engine's purity rules:
// the engine never reads the clock, randomness, the environment or the console. Which unit may
// import which (and that the engine does no I/O) is checked by .dependency-cruiser.cjs, the second
// half of `pnpm lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'reports/**', 'test-results/**', 'data/**', 'services/dashboard/public/vendor/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['packages/engine/src/**/*.ts'],
    ignores: ['packages/engine/src/**/*.test.ts', 'packages/engine/src/**/testing/**'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'the engine is pure: pass configuration in' }, { name: 'console', message: 'the engine never logs: return events' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'the engine has no clock: time comes from candles' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'the engine has no clock: time comes from candles' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'use the seeded SeededRng' },
      ],
    },
  },
);
