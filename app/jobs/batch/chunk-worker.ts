// The batch job's pool worker (piscina): runs the pipeline's parallel section on one chunk.
// Bundled to dist/batch-worker.mjs (scripts/build.mjs); piscina calls the default export.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline, type NodeStats, type RunRecorder } from '../../engine/run';
import { parameterTypes } from '../../engine/validate';
import { processRegistry } from './chunk-nodes';
import { PartialAggregate } from './partial';
import type { BatchPlan } from './plan';
import { SpillWriter } from './spill';
import type { Chunk } from './split';

export interface ChunkTask {
  plan: BatchPlan;
  chunk: Chunk;
  attempt: number;
  baseDir: string;
  env?: Record<string, string>;
  params?: Record<string, unknown>;
  spillDir: string;
  /** Keep rejected rows (a run recorded in the store); otherwise they are only counted. */
  recordRejected: boolean;
  /** Per chunk: [state (0 queued, 1 running), rows read] — the live status the coordinator shows. */
  status: SharedArrayBuffer;
}

export interface ChunkOutcome {
  index: number;
  attempt: number;
  status: 'succeeded' | 'failed';
  error?: string;
  /** Rows of the chunk read from the input. */
  rowsIn: number;
  nodes: NodeStats[];
  /** Per cut: the spill file of a rows cut, or the partial states of an aggregate cut. */
  spills: Array<string | null>;
  partials: Array<Uint8Array | null>;
  /** Per cut: this chunk's part of a csv cut's file, and its rows. */
  csvParts: Array<{ path: string; rows: number } | null>;
  /** Rejected rows of the chunk (NDJSON of the store's rejected-row input), recorded only if the chunk succeeds. */
  rejectedFile?: string;
  rejected: number;
}

export default async function runChunk(task: ChunkTask): Promise<ChunkOutcome> {
  const { plan, chunk } = task;
  const live = new Int32Array(task.status);
  Atomics.store(live, chunk.index * 2, 1);
  const name = `chunk-${chunk.index}-a${task.attempt}`;
  const spills = new Map<number, SpillWriter>();
  const partials = new Map<number, PartialAggregate>();
  const csvParts = new Map<number, { path: string; rows: number }>();
  const rejectedFile = path.join(task.spillDir, `${name}.rejected.ndjson`);
  let rejected = 0;
  let nodes: NodeStats[] = [];
  const paramTypes = parameterTypes(plan.processDoc, []);
  // Rejected rows go to a file of the chunk; the coordinator records them once the chunk succeeded
  // (a chunk that is retried must not leave its first attempt's rows behind).
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
    chunk: chunk.spec,
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
    onRows: (n) => Atomics.add(live, chunk.index * 2 + 1, n),
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
    index: chunk.index,
    attempt: task.attempt,
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
