// The batch job's pool worker (piscina): runs the pipeline's parallel section on a task: a run
// of adjoining chunks, claimed one at a time, in one pipeline run (set up and compiled once).
// Bundled to dist/batch-worker.mjs (scripts/build.mjs); piscina calls the default export.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline, type NodeStats, type RunRecorder } from '../../engine/run';
import { parameterTypes } from '../../engine/validate';
import { processRegistry } from './chunk-nodes';
import { PartialAggregate } from './partial';
import type { BatchPlan } from './plan';
import { SpillWriter } from './spill';
import type { ChunkSpec } from './split';
import { claimNext } from './claims';

export interface ChunkTask {
  plan: BatchPlan;
  /** Every chunk of the input; this task runs a run of them from `start`, claimed through `claims`. */
  chunks: ChunkSpec[];
  start: number;
  /** A name for the task's files, unique in the job. */
  name: string;
  baseDir: string;
  env?: Record<string, string>;
  params?: Record<string, unknown>;
  spillDir: string;
  /** Keep rejected rows (a run recorded in the store); otherwise they are only counted. */
  recordRejected: boolean;
  /** Per chunk: [state (0 queued, 1 running), rows read, rows out] — the live status the coordinator shows. */
  status: SharedArrayBuffer;
  /** Per task, at its first chunk: the claim word (claims.ts). */
  claims: SharedArrayBuffer;
}

export interface ChunkOutcome {
  start: number;
  status: 'succeeded' | 'failed';
  error?: string;
  /** Rows of the task's chunks read from the input. */
  rowsIn: number;
  nodes: NodeStats[];
  /** Per cut: the spill file of a rows cut, or the partial states of an aggregate cut. */
  spills: Array<string | null>;
  partials: Array<Uint8Array | null>;
  /** Per cut: this task's part of a csv cut's file, and its rows. */
  csvParts: Array<{ path: string; rows: number } | null>;
  /** Rejected rows of the task (NDJSON of the store's rejected-row input), recorded only if the task succeeds. */
  rejectedFile?: string;
  rejected: number;
}

export default async function runTask(task: ChunkTask): Promise<ChunkOutcome> {
  const { plan } = task;
  const live = new Int32Array(task.status);
  const claims = new Int32Array(task.claims);
  const name = task.name;
  let current = -1;
  const spills = new Map<number, SpillWriter>();
  const partials = new Map<number, PartialAggregate>();
  const csvParts = new Map<number, { path: string; rows: number }>();
  const rejectedFile = path.join(task.spillDir, `${name}.rejected.ndjson`);
  let rejected = 0;
  let nodes: NodeStats[] = [];
  const paramTypes = parameterTypes(plan.processDoc, []);
  // Rejected rows go to a file of the task; the coordinator records them once the task succeeded
  // (a chunk that is tried again must not leave its first attempt's rows behind).
  const recorder: RunRecorder = {
    startRun: () => name,
    finishRun: () => {},
    recordNodeStats: (_id, stats) => (nodes = stats),
    addRejectedRows: (_id, rows) => {
      rejected += rows.length;
      if (task.recordRejected) appendFileSync(rejectedFile, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    },
  };
  const registry = processRegistry({
    plan,
    claim: () => {
      const i = claimNext(claims, task.start);
      if (i === undefined) return undefined;
      current = i;
      Atomics.store(live, i * 3, 1);
      return task.chunks[i];
    },
    spill: (cut) => {
      let w = spills.get(cut);
      if (!w) spills.set(cut, (w = new SpillWriter(path.join(task.spillDir, `${name}-cut-${cut}.bin`))));
      return w;
    },
    partial: (cut) => {
      let p = partials.get(cut);
      if (!p) {
        const c = plan.cuts[cut];
        partials.set(cut, (p = new PartialAggregate(c.aggregate!.spec, c.schema, c.aggregate!.output, paramTypes)));
      }
      return p;
    },
    csvPart: (cut) => {
      let p = csvParts.get(cut);
      if (!p) csvParts.set(cut, (p = { path: path.join(task.spillDir, `${name}-cut-${cut}.csv`), rows: 0 }));
      return p;
    },
    onRows: (n) => Atomics.add(live, current * 3 + 1, n),
    onRowsOut: (n) => {
      if (current >= 0) Atomics.add(live, current * 3 + 2, n);
    },
  });
  const result = await runPipeline(plan.processDoc, {
    baseDir: task.baseDir,
    registry,
    params: task.params,
    env: task.env ? { ...process.env, ...task.env } : undefined,
    // Without a store to record in, no recorder: the engine then skips building rejected-row records.
    recorder: task.recordRejected ? recorder : undefined,
  });
  if (!task.recordRejected) rejected = result.rejected;
  const outcome: ChunkOutcome = {
    start: task.start,
    status: result.status === 'succeeded' ? 'succeeded' : 'failed',
    error: result.error,
    rowsIn: result.rowsRead,
    nodes: nodes.length > 0 ? nodes : result.nodes,
    spills: plan.cuts.map((c) => (c.kind === 'rows' ? (spills.get(c.index)?.path ?? null) : null)),
    partials: plan.cuts.map((c) => (c.kind === 'aggregate' ? (partials.get(c.index)?.encode() ?? null) : null)),
    csvParts: plan.cuts.map((c) => (c.kind === 'csv' ? (csvParts.get(c.index) ?? null) : null)),
    rejected,
  };
  if (rejected > 0 && task.recordRejected) outcome.rejectedFile = rejectedFile;
  return outcome;
}
