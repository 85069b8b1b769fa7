import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerOptions } from 'node:worker_threads';

/** How to start a job worker thread: the script, plus the options it needs to load. */
export interface WorkerLaunch {
  filename: string | URL;
  options: Pick<WorkerOptions, 'eval' | 'execArgv'>;
}

const bundled = new Map<string, string>();

/**
 * A .ts worker entry (tests, running from source) bundled on the fly with esbuild into
 * node_modules/.cache, so its imports resolve like the shipped build's do. (tsx cannot load
 * the sources directly: it takes `./x.node` for a native addon, not `./x.node.ts`.)
 * esbuild is a development dependency, loaded only here, never by the shipped app.
 */
function bundleTsEntry(file: string): string {
  const cached = bundled.get(file);
  if (cached) return cached;
  let dir = path.dirname(file);
  while (!existsSync(path.join(dir, 'node_modules')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const outDir = path.join(dir, 'node_modules', '.cache', 'sluice-workers');
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, `${path.basename(file).replace(/\.[cm]?ts$/, '')}-${process.pid}-${bundled.size}.mjs`);
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [file],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  bundled.set(file, outfile);
  process.once('exit', () => {
    try {
      unlinkSync(outfile);
    } catch {
      // already gone
    }
  });
  return outfile;
}

/** A worker for `entry`: a built .mjs/.js runs as is; a .ts source file is bundled first. */
export function workerLaunchFor(entry: string | URL): WorkerLaunch {
  const file = entry instanceof URL ? fileURLToPath(entry) : entry;
  return { filename: /\.[cm]?ts$/.test(file) ? bundleTsEntry(file) : file, options: {} };
}

/**
 * The worker that ships beside this module: dist/worker.mjs next to dist/cli.cjs (esbuild),
 * out/main/worker.js next to Electron's out/main/index.js (electron-vite), or worker.ts
 * beside this file when running from source.
 */
export function defaultWorkerLaunch(): WorkerLaunch {
  const found = workerBeside(import.meta.url, ['./worker.mjs', './worker.js', './worker.ts']);
  if (found) return found;
  throw new Error(`no job worker next to ${fileURLToPath(import.meta.url)}: run \`npm run build\``);
}

/**
 * The first of a worker's script names that exists beside the module at `moduleUrl`: in its
 * folder, or in the one above when a bundler put the module in a chunks/ folder of shared
 * code (electron-vite does), the entry scripts being one level up.
 */
export function workerBeside(moduleUrl: string, names: readonly string[]): WorkerLaunch | undefined {
  const dirs = path.basename(path.dirname(fileURLToPath(moduleUrl))) === 'chunks' ? ['./', '../'] : ['./'];
  for (const dir of dirs) {
    for (const name of names) {
      const url = new URL(dir + name.replace(/^\.\//, ''), moduleUrl);
      if (existsSync(fileURLToPath(url))) return workerLaunchFor(url);
    }
  }
  return undefined;
}
