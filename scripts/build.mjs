// Bundles the headless entry points (the CLI, the job worker thread and the pool workers) with
// esbuild. Dependencies stay external (they load from node_modules; better-sqlite3 is native),
// but for the pure-JS ones listed in `bundled` below.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
const common = { outdir: 'dist', outExtension: { '.js': '.mjs' }, bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'warning' };
// The CLI is one CommonJS file (dist/cli.cjs), which bin/sluice.mjs runs with V8's code cache
// (dist/cli.cjs.v8cache, written below by a first run): a command then neither parses nor
// compiles its code afresh. From the cache, `sluice --version` takes 0.09 s, against 0.10 s
// for the ESM bundle split into chunks it replaces and 0.13 s for the one file compiled afresh;
// a full-diff sync starts ~30 ms sooner. (Node 20 has no code cache for ES modules.) The
// worker threads' bundles stay ES modules, split into shared chunks (dist/chunks).
// Every bundle takes in the pure-JS libraries each command loads at start (zod for the
// configs, yaml, commander): one file parses faster than their hundreds of modules resolved
// one by one (`sluice --version` 0.37 -> 0.20 s; every migrate, sync and batch run starts
// that much sooner). The rest stay external: native better-sqlite3, drivers imported when used, and
// ajv, required on first use (nodes/validate/json-schema-check.ts), which a bundle would not
// take in.
// pg and its pure-JS parts too: still loaded on first use (their module code runs when the
// first connection opens), ~20 ms sooner than from their ~30 files (measured on a full-diff sync). pg-copy-streams stays out: bundled,
// its CommonJS export reads differently. pino (the runs' logs, no transports) too: from the
// code cache, a sync starts ~8 ms sooner than with its ~15 files required from node_modules.
const bundled = ['pino', 'zod', 'yaml', 'commander', 'pg', 'pg-pool', 'pg-protocol', 'pg-types', 'pg-connection-string', 'pgpass', 'pg-int8', 'postgres-array', 'postgres-bytea', 'postgres-date', 'postgres-interval'];
const notBundled = external.filter((d) => !bundled.includes(d));
// zod re-exports its 60-odd locales (z.locales) as a namespace, which the bundle cannot leave
// out: Sluice uses none but English (zod's default, imported on its own), so the bundle gets an
// index of English alone (its chunk loads in ~19.5 instead of ~25 ms at every command's start).
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: 'export { default as en } from "./en.js";', loader: 'js' }));
  },
};
// pg asks whether it runs in a Cloudflare Worker by making a `Response` (lib/stream.js), which
// on Node 20 (no `navigator`) loads Node's fetch, undici: ~18 ms at every connection's start,
// for nothing in a CLI. The bundle answers no without asking; the build fails if the check
// it replaces is no longer there as written.
const CLOUDFLARE_CHECK = "if (typeof Response === 'function') {";
const pgInNode = {
  name: 'pg-in-node',
  setup(b) {
    b.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(CLOUDFLARE_CHECK)) throw new Error(`${args.path}: pg's Cloudflare check is not as scripts/build.mjs expects; look at it again`);
      return { contents: text.replace(CLOUDFLARE_CHECK, 'if (false) {'), loader: 'js' };
    });
  },
};
// CommonJS code taken in (yaml) may require Node's own modules.
const requireBanner = { js: "import { createRequire as __sluiceRequire } from 'node:module';\nconst require = __sluiceRequire(import.meta.url);" };
const started = performance.now();
// A fresh dist/: chunk names carry content hashes, so an old build's chunks would otherwise stay.
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    // dist/worker.mjs must sit beside dist/cli.cjs: the job runner looks for it there.
    // dist/sync-side-worker.mjs: reads and hashes one side of a sync's full diff.
    // dist/sqlite-pages-worker.mjs: encodes a large SQLite table's tab text pages for a migration.
    entryPoints: {
      worker: 'app/jobs/worker.ts',
      'sync-side-worker': 'app/jobs/sync/side-worker.ts',
      'sqlite-pages-worker': 'app/connectors/sqlite/tab-text-worker.ts',
    },
    external: notBundled,
    banner: requireBanner,
    plugins: [pgInNode, zodEnglishOnly],
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  }),
  build({
    ...common,
    // dist/batch-worker.mjs: the batch job's pool worker (piscina), found beside the others.
    entryPoints: { 'batch-worker': 'app/jobs/batch/chunk-worker.ts' },
    external: notBundled,
    banner: requireBanner,
    plugins: [pgInNode, zodEnglishOnly],
  }),
  build({
    ...common,
    entryPoints: { cli: 'app/cli/entry.ts' },
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    external: notBundled,
    // The code looks for its workers and requires beside itself (import.meta.url).
    define: { 'import.meta.url': '__sluiceModuleUrl' },
    banner: { js: "var __sluiceModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [pgInNode, zodEnglishOnly],
    metafile: true,
  }).then(({ metafile }) => {
    // A script run from a code cache cannot import() (Node 20 drops its loader); modules outside the bundle are required instead.
    const imports = Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import' && i.external).map((i) => i.path));
    if (imports.length > 0) throw new Error(`dist/cli.cjs imports ${imports.join(', ')} with import(): require them (see app/connectors/postgres/driver.ts)`);
  }),
]);
// The code cache: bin/sluice.mjs writes it when it finds none that fits the bundle.
const first = spawnSync(process.execPath, [fileURLToPath(new URL('../bin/sluice.mjs', import.meta.url)), '--version'], { encoding: 'utf8' });
if (first.status !== 0) throw new Error(`the built CLI does not start: ${first.stderr}`);
console.log(`built dist/ in ${Math.round(performance.now() - started)} ms`);
