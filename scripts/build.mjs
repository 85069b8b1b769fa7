// Bundles the headless entry points (the CLI and the job worker thread) with esbuild.
// Dependencies stay external: they load from node_modules (better-sqlite3 is native).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const started = performance.now();
await build({
  // dist/worker.mjs must sit beside dist/cli.mjs: the job runner looks for it there.
  // dist/batch-worker.mjs: the batch job's pool worker (piscina), found beside the others.
  // dist/sync-side-worker.mjs: reads and hashes one side of a sync's full diff.
  entryPoints: { cli: 'app/cli/entry.ts', worker: 'app/jobs/worker.ts', 'batch-worker': 'app/jobs/batch/chunk-worker.ts', 'sync-side-worker': 'app/jobs/sync/side-worker.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }),
  logLevel: 'warning',
});
console.log(`built dist/ in ${Math.round(performance.now() - started)} ms`);
