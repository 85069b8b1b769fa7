// Bundles the headless entry points (the CLI, later the job worker) with esbuild.
// Dependencies stay external: they load from node_modules (better-sqlite3 is native).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const started = performance.now();
await build({
  entryPoints: { cli: 'app/cli/entry.ts' },
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
