import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WorkerOptions } from 'node:worker_threads';

/** How to start a job worker thread: the script, plus the options it needs to load. */
export interface WorkerLaunch {
  filename: string | URL;
  options: Pick<WorkerOptions, 'eval' | 'execArgv'>;
}

/**
 * A worker for `entry`: a built .mjs/.js runs as is; a .ts source file (tests, `tsx`) runs
 * through tsx's loader, registered inside the thread before the entry is imported.
 */
export function workerLaunchFor(entry: string | URL): WorkerLaunch {
  const file = entry instanceof URL ? fileURLToPath(entry) : entry;
  if (!/\.[cm]?ts$/.test(file)) return { filename: file, options: {} };
  const code = [
    "const { register } = await import('tsx/esm/api');",
    'register();',
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
  ].join('\n');
  return { filename: code, options: { eval: true } };
}

/**
 * The worker that ships beside this module: dist/worker.mjs next to dist/cli.mjs (esbuild),
 * out/main/worker.js next to Electron's out/main/index.js (electron-vite), or worker.ts
 * beside this file when running from source.
 */
export function defaultWorkerLaunch(): WorkerLaunch {
  for (const name of ['./worker.mjs', './worker.js', './worker.ts']) {
    const url = new URL(name, import.meta.url);
    if (existsSync(fileURLToPath(url))) return workerLaunchFor(url);
  }
  throw new Error(`no job worker next to ${fileURLToPath(import.meta.url)}: run \`npm run build\``);
}
