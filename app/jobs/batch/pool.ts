import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { workerBeside, workerLaunchFor } from '../worker-entry';
import type { ChunkOutcome, ChunkTask } from './chunk-worker';

/**
 * The batch job's worker pool (piscina: a maintained pool with a task queue, one thread per
 * worker). Its size defaults to the machine's cores, so the chunks' CPU work spreads over
 * all of them; `--workers N` overrides it.
 */

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * The pool's worker script: dist/batch-worker.mjs beside the bundle that runs this code
 * (the CLI's or the job worker's; out/main/batch-worker.js for Electron), or chunk-worker.ts
 * beside this file when running from source (bundled on the fly). SLUICE_BATCH_WORKER
 * points elsewhere.
 */
export function batchWorkerFile(explicit?: string): string {
  const given = explicit ?? process.env.SLUICE_BATCH_WORKER;
  if (given) return workerLaunchFor(given).filename as string;
  const found = workerBeside(import.meta.url, ['./batch-worker.mjs', './batch-worker.js', './chunk-worker.ts']);
  if (found) return found.filename as string;
  throw new Error(`no batch worker next to ${fileURLToPath(import.meta.url)}: run \`npm run build\``);
}

export type ChunkPool = Piscina<ChunkTask, ChunkOutcome>;

export function createPool(workers: number, workerFile?: string): ChunkPool {
  return new Piscina<ChunkTask, ChunkOutcome>({
    filename: batchWorkerFile(workerFile),
    minThreads: workers,
    maxThreads: workers,
    // Threads stay for the whole job: no start-up cost between chunks.
    idleTimeout: 60_000,
    // A larger young generation: a chunk makes millions of short-lived values, and each
    // scavenge costs by what survives it, so fewer, larger ones cost less in all. 96 MB
    // took 0.5 s of CPU off a 1M-row CPU-bound run against 48 MB (whose scavenges still
    // kept the GC helper threads busy, on the cores the other workers need); 192 MB no more.
    resourceLimits: { maxYoungGenerationSizeMb: 96 },
  });
}
