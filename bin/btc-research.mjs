#!/usr/bin/env node
// The btc-research command line. TypeScript sources run through tsx's loader.
import { register } from 'tsx/esm/api';
register();
await import('../packages/cli/src/main.ts');
