#!/usr/bin/env node
// The `sluice` command. The CLI is bundled at install time (npm's prepare: scripts/build.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(bundle)) {
  console.error('sluice: the CLI is not built yet; run `npm run build` (npm install does it too).');
  process.exit(1);
}
await import(pathToFileURL(bundle).href);
