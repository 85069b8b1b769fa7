#!/usr/bin/env node
// The `sluice` command. The CLI is bundled at install time (npm's prepare: scripts/build.mjs)
// into one CommonJS file, run with V8's code cache (code-cache.mjs).
import { fileURLToPath } from 'node:url';
import { runCached } from './code-cache.mjs';

if (runCached(fileURLToPath(new URL('../dist/cli.cjs', import.meta.url))) === 'missing') {
  console.error('sluice: the CLI is not built yet; run `npm run build` (npm install does it too).');
  process.exit(1);
}
